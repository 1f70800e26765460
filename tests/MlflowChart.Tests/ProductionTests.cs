using MlflowChart.Tests.Infrastructure.Crds;

namespace MlflowChart.Tests;

/// <summary>
/// The production sections of the docs, each a scenario file: PostgreSQL and object stores,
/// TLS, allowed hosts behind Ingress and Gateway, basic auth, workspaces.
/// </summary>
public sealed class ProductionTests
{
    /// <summary>A scenario file, with optional extra values in a second file (Helm merges them deeply).</summary>
    private static async Task<Render> Scenario(HelmVersion helm, string file, string? extra = null) =>
        (await Helm.TemplateAsync(helm, ScenarioFiles.Read($"charts/ci/{file}"),
            extra is null ? [] : ["--values", Helm.WriteValues(extra)])).ShouldSucceed();

    private static async Task<Render> Example(HelmVersion helm) =>
        (await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/example-mlflow-charts.yaml"))).ShouldSucceed();

    [Theory, BothHelms]
    public async Task The_production_example_reads_the_database_and_s3_credentials_from_their_secrets(HelmVersion helm)
    {
        var render = await Example(helm);
        var container = render.ServerContainer();

        container.Env("MLFLOW_BACKEND_STORE_URI")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db-secret", Key = "uri" });
        container.Env("AWS_ACCESS_KEY_ID")!.ValueFrom.SecretKeyRef.Name.Should().Be("s3-credentials");
        container.Env("AWS_SECRET_ACCESS_KEY")!.ValueFrom.SecretKeyRef.Key.Should().Be("secret-access-key");
        container.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("s3://my-bucket/mlflow");
        render.Server().Spec.Replicas.Should().Be(2);
        render.Server().Spec.Strategy.RollingUpdate.MaxUnavailable.Value.Should().Be("0");
        render.All<V1PersistentVolumeClaim>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("minio-values.yaml", "s3://mlflow-artifacts/tracking", HelmVersion.Helm3)]
    [InlineData("minio-values.yaml", "s3://mlflow-artifacts/tracking", HelmVersion.Helm4)]
    [InlineData("gcs-values.yaml", "gs://my-bucket/mlflow", HelmVersion.Helm3)]
    [InlineData("gcs-values.yaml", "gs://my-bucket/mlflow", HelmVersion.Helm4)]
    [InlineData("azure-values.yaml", "wasbs://mlflow@mystorageaccount.blob.core.windows.net/artifacts", HelmVersion.Helm3)]
    [InlineData("azure-values.yaml", "wasbs://mlflow@mystorageaccount.blob.core.windows.net/artifacts", HelmVersion.Helm4)]
    public async Task Object_stores_are_proxied_with_credentials_from_secrets(string file, string destination, HelmVersion helm)
    {
        var container = (await Scenario(helm, file)).ServerContainer();

        container.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be(destination);
        container.Env.Where(e => e.Name is "AWS_SECRET_ACCESS_KEY" or "AZURE_STORAGE_CONNECTION_STRING")
            .Should().OnlyContain(e => e.Value == null && e.ValueFrom.SecretKeyRef != null);
    }

    [Theory, BothHelms]
    public async Task MinIO_is_reached_through_the_S3_endpoint_variable(HelmVersion helm)
    {
        (await Scenario(helm, "minio-values.yaml")).ServerContainer().Env("MLFLOW_S3_ENDPOINT_URL")!.Value
            .Should().Be("http://minio.storage.svc.cluster.local:9000");
    }

    [Theory, BothHelms]
    public async Task Tls_mounts_the_secret_and_merges_one_uvicorn_opts(HelmVersion helm)
    {
        var render = await Scenario(helm, "tls-values.yaml");
        var container = render.ServerContainer();
        var pod = render.Server().Spec.Template.Spec;

        var opts = container.Args.Where(a => a.StartsWith("--uvicorn-opts")).Should().ContainSingle().Subject;
        opts.Should().Be("--uvicorn-opts=--timeout-keep-alive 30 --ssl-certfile=/etc/mlflow/tls/tls.crt --ssl-keyfile=/etc/mlflow/tls/tls.key");
        var mount = container.VolumeMounts.Single(m => m.MountPath == "/etc/mlflow/tls");
        mount.ReadOnlyProperty.Should().BeTrue();
        pod.Volumes.Single(v => v.Name == mount.Name).Secret.SecretName.Should().Be("mlflow-tls");
    }

    [Theory, BothHelms]
    public async Task Tls_switches_probes_and_the_service_to_https(HelmVersion helm)
    {
        var render = await Scenario(helm, "tls-values.yaml");
        var container = render.ServerContainer();

        container.Ports.Single().Name.Should().Be("https");
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe })
        {
            probe.HttpGet.Scheme.Should().Be("HTTPS");
            probe.HttpGet.Port.Value.Should().Be("https");
        }

        container.LivenessProbe.TcpSocket.Port.Value.Should().Be("https");

        var port = render.Single<V1Service>().Spec.Ports.Single();
        (port.Name, port.TargetPort.Value).Should().Be(("https", "https"));
    }

    [Theory, BothHelms]
    public async Task Tls_with_gunicorn_merges_into_the_gunicorn_options_only(HelmVersion helm)
    {
        var args = (await Helm.TemplateAsync(helm, "tls: {enabled: true, secretName: t}\nserver: {value_options: {gunicorn_opts: \"--timeout 60\"}}"))
            .ServerContainer().Args;

        args.Should().ContainSingle(a => a.StartsWith("--gunicorn-opts"))
            .Which.Should().Be("--gunicorn-opts=--timeout 60 --certfile=/etc/mlflow/tls/tls.crt --keyfile=/etc/mlflow/tls/tls.key");
        args.Should().NotContain(a => a.StartsWith("--uvicorn-opts"));
    }

    [Theory]
    [InlineData("mlflow.example.com", true, HelmVersion.Helm3)]
    [InlineData("mlflow.example.com", true, HelmVersion.Helm4)]
    [InlineData("localhost:5000", true, HelmVersion.Helm3)]
    [InlineData("localhost:5000", true, HelmVersion.Helm4)]
    [InlineData("127.0.0.1:5000", true, HelmVersion.Helm3)]
    [InlineData("127.0.0.1:5000", true, HelmVersion.Helm4)]
    [InlineData("[::1]:5000", true, HelmVersion.Helm3)]
    [InlineData("[::1]:5000", true, HelmVersion.Helm4)]
    [InlineData("1:5000", false, HelmVersion.Helm3)]
    [InlineData("1:5000", false, HelmVersion.Helm4)]
    [InlineData("mlflow-mlflow.mlflow.svc.cluster.local:5000", true, HelmVersion.Helm3)]
    [InlineData("mlflow-mlflow.mlflow.svc.cluster.local:5000", true, HelmVersion.Helm4)]
    [InlineData("mlflow-mlflow:5000", true, HelmVersion.Helm3)]
    [InlineData("mlflow-mlflow:5000", true, HelmVersion.Helm4)]
    [InlineData("10.244.3.17:5000", true, HelmVersion.Helm3)]
    [InlineData("10.244.3.17:5000", true, HelmVersion.Helm4)]
    [InlineData("172.20.0.5:5000", true, HelmVersion.Helm3)]
    [InlineData("172.20.0.5:5000", true, HelmVersion.Helm4)]
    [InlineData("evil.example.org", false, HelmVersion.Helm3)]
    [InlineData("evil.example.org", false, HelmVersion.Helm4)]
    [InlineData("172.32.0.1:5000", false, HelmVersion.Helm3)]
    [InlineData("172.32.0.1:5000", false, HelmVersion.Helm4)]
    public async Task The_docs_ingress_setup_admits_every_legitimate_host_header(string hostHeader, bool admitted, HelmVersion helm)
    {
        var allowed = AllowedHosts.FromArgs((await Scenario(helm, "ingress-values.yaml")).ServerContainer().Args);

        AllowedHosts.Admits(allowed, hostHeader).Should().Be(admitted,
            $"Host {hostHeader} must {(admitted ? "" : "not ")}pass MLflow's check (the upstream chart answers 403 to port-forward here)");
    }

    [Theory, BothHelms]
    public async Task An_ingress_host_is_allowed_without_being_listed(HelmVersion helm)
    {
        var allowed = AllowedHosts.FromArgs((await Scenario(helm, "ingress-derived-hosts-values.yaml")).ServerContainer().Args);

        AllowedHosts.Admits(allowed, "mlflow.internal.example.com").Should().BeTrue();
    }

    [Theory, BothHelms]
    public async Task Gateway_hostnames_are_allowed_and_the_route_follows_the_prefix(HelmVersion helm)
    {
        var render = await Scenario(helm, "gateway-values.yaml");

        var route = render.Single<HttpRoute>();
        route.Spec.ParentRefs.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new ParentReference { Name = "public", Namespace = "gateway-system", SectionName = "https" });
        route.Spec.Hostnames.Should().Equal("ml.example.com");
        var rule = route.Spec.Rules.Should().ContainSingle().Subject;
        rule.Matches.Single().Path.Should().BeEquivalentTo(new HttpPathMatch { Type = "PathPrefix", Value = "/mlflow" });
        rule.BackendRefs.Single().Should().BeEquivalentTo(new HttpBackendRef { Name = "mlflow-mlflow", Port = 5000 });
        AllowedHosts.Admits(AllowedHosts.FromArgs(render.ServerContainer().Args), "ml.example.com").Should().BeTrue();
    }

    [Theory, BothHelms]
    public async Task The_ingress_is_rendered_as_the_docs_show(HelmVersion helm)
    {
        var ingress = (await Scenario(helm, "ingress-values.yaml")).Single<V1Ingress>();

        ingress.Metadata.Name.Should().Be("mlflow-mlflow");
        ingress.Spec.IngressClassName.Should().Be("nginx");
        var rule = ingress.Spec.Rules.Should().ContainSingle().Subject;
        rule.Host.Should().Be("mlflow.example.com");
        var path = rule.Http.Paths.Should().ContainSingle().Subject;
        (path.Path, path.PathType).Should().Be(("/", "Prefix"));
        path.Backend.Service.Name.Should().Be("mlflow-mlflow");
        path.Backend.Service.Port.Name.Should().Be("http");
        ingress.Spec.Tls.Single().Should().BeEquivalentTo(new V1IngressTLS { SecretName = "mlflow-tls", Hosts = ["mlflow.example.com"] });
    }

    [Theory, BothHelms]
    public async Task An_nginx_ingress_admits_artifact_uploads_above_its_1m_default(HelmVersion helm)
    {
        var ingress = (await Scenario(helm, "ingress-values.yaml")).Single<V1Ingress>();
        var limited = (await Scenario(helm, "ingress-values.yaml", "ingress: {annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 500m}}")).Single<V1Ingress>();

        ingress.Metadata.Annotations.Should().Contain("nginx.ingress.kubernetes.io/proxy-body-size", "0",
            "ingress-nginx answers bodies above 1m with 413, which is most model artifacts");
        limited.Metadata.Annotations.Should().Contain("nginx.ingress.kubernetes.io/proxy-body-size", "500m", "a limit of the user's is kept");
    }

    [Theory, BothHelms]
    public async Task Derivation_can_be_switched_off_for_an_exact_list(HelmVersion helm)
    {
        var args = (await Scenario(helm, "ingress-values.yaml", "server: {allowedHosts: {derive: false}, value_options: {allowed_hosts: mlflow.example.com}}"))
            .ServerContainer().Args;

        AllowedHosts.FromArgs(args).Should().Equal("mlflow.example.com");
    }

    [Theory, BothHelms]
    public async Task Private_networks_can_be_left_out_and_the_cluster_domain_changed(HelmVersion helm)
    {
        var allowed = AllowedHosts.FromArgs((await Helm.TemplateAsync(helm,
            "server: {allowedHosts: {privateNetworks: false}}\nclusterDomain: corp.internal\nservice: {port: 80}")).ServerContainer().Args);

        AllowedHosts.Admits(allowed, "10.1.2.3:5000").Should().BeFalse();
        AllowedHosts.Admits(allowed, "mlflow-mlflow.mlflow.svc.corp.internal:80").Should().BeTrue();
        AllowedHosts.Admits(allowed, "mlflow-mlflow.mlflow.svc.cluster.local:5000").Should().BeFalse();
    }

    [Theory, BothHelms]
    public async Task Basic_auth_as_the_docs_write_it_gets_a_writable_users_database(HelmVersion helm)
    {
        var render = await Scenario(helm, "basic-auth-docs-values.yaml");
        var container = render.ServerContainer();

        container.Args.Should().ContainSingle(a => a.StartsWith("--app-name")).Which.Should().Be("--app-name=basic-auth");
        container.Env("MLFLOW_FLASK_SERVER_SECRET_KEY")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-auth-secret");
        container.Env("MLFLOW_AUTH_CONFIG_PATH")!.Value.Should().Be("/etc/mlflow/auth/basic_auth.ini");
        var ini = render.Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"];
        ini.Should().Contain("database_uri = sqlite:////mlflow/basic_auth.db", "an absolute path on the claim, not MLflow's relative default");
        container.VolumeMounts.Should().Contain(m => m.MountPath == "/mlflow");
        container.StartupProbe.HttpGet.Path.Should().Be("/health", "MLflow leaves /health open under basic auth");
    }

    [Theory, BothHelms]
    public async Task Basic_auth_on_the_production_example_keeps_its_users_in_the_backend_database(HelmVersion helm)
    {
        var render = await Scenario(helm, "production-docs-auth-values.yaml");

        render.All<V1PersistentVolumeClaim>().Should().BeEmpty("nothing needs a volume: the users live in PostgreSQL");
        var init = render.Server().Spec.Template.Spec.InitContainers.Single(c => c.Name == "auth-config");
        init.Env.Single(e => e.Name == "AUTH_DATABASE_URI").ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db-secret", Key = "uri" },
            "MLflow's user tables and their alembic_version_auth table sit beside the tracking schema without colliding");
        var migrate = render.Named<V1Job>("mlflow-mlflow-migrate").Spec.Template.Spec.Containers.Single();
        migrate.Env("MLFLOW_AUTH_DATABASE_URI")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db-secret", Key = "uri" },
            "the hook creates the users schema before two replicas could race to");
        render.Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"].Should().NotContain("postgresql", "the URI reaches the INI only inside the pod");
    }

    [Theory, BothHelms]
    public async Task The_credential_cache_is_on_by_default_and_can_be_turned_off(HelmVersion helm)
    {
        var ini = (await Scenario(helm, "basic-auth-values.yaml")).Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"];
        var off = (await Scenario(helm, "basic-auth-values.yaml", "auth: {cacheTtlSeconds: 0}")).Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"];

        ini.Should().Contain("auth_cache_ttl_seconds = 30", "without it every request pays PBKDF2, and 10 requests/s failed on two cores");
        off.Should().Contain("auth_cache_ttl_seconds = 0");
    }

    [Theory, BothHelms]
    public async Task The_auth_ini_reaches_the_server_read_only_and_never_through_a_ConfigMap(HelmVersion helm)
    {
        var render = await Scenario(helm, "basic-auth-values.yaml");
        var pod = render.Server().Spec.Template.Spec;

        render.All<V1ConfigMap>().Should().BeEmpty();
        var mount = render.ServerContainer().VolumeMounts.Single(m => m.MountPath == "/etc/mlflow/auth");
        mount.ReadOnlyProperty.Should().BeTrue();
        pod.Volumes.Single(v => v.Name == mount.Name).EmptyDir.Medium.Should().Be("Memory");
        var init = pod.InitContainers.Should().ContainSingle(c => c.Name == "auth-config").Subject;
        init.Env.Single(e => e.Name == "AUTH_ADMIN_PASSWORD").ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-admin", Key = "password" });
        init.Env.Single(e => e.Name == "AUTH_DATABASE_URI").ValueFrom.SecretKeyRef.Key.Should().Be("auth-uri");
        init.Command.Concat(init.Args ?? []).Should().NotContain(a => a.Contains("mlflow-admin"), "the script reads credentials from the environment");
        render.Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"].Should().Contain("default_permission = NO_PERMISSIONS");
    }

    [Theory, BothHelms]
    public async Task A_change_of_the_auth_settings_rolls_the_pods(HelmVersion helm)
    {
        var before = (await Scenario(helm, "basic-auth-values.yaml")).Server().Spec.Template.Metadata.Annotations;
        var after = (await Scenario(helm, "basic-auth-values.yaml", "auth: {defaultPermission: READ}")).Server().Spec.Template.Metadata.Annotations;

        after["checksum/auth-config"].Should().NotBe(before["checksum/auth-config"]);
    }

    [Theory, BothHelms]
    public async Task Workspaces_are_enabled_with_a_default_artifact_root(HelmVersion helm)
    {
        var container = (await Scenario(helm, "workspaces-values.yaml")).ServerContainer();

        container.Args.Should().Contain("--enable-workspaces");
        container.Env("MLFLOW_DEFAULT_ARTIFACT_ROOT")!.Value.Should().Be("mlflow-artifacts:/");
    }

    [Theory, BothHelms]
    public async Task Notes_speak_https_under_tls_and_show_the_ingress_address(HelmVersion helm)
    {
        var notes = await Helm.NotesAsync(helm, ScenarioFiles.Read("charts/ci/tls-values.yaml") + """
            ingress: {enabled: true, hosts: [{host: mlflow.example.com}], tls: [{secretName: t, hosts: [mlflow.example.com]}]}
            """);

        notes.Stdout.Should().Contain("mlflow.set_tracking_uri(\"https://localhost:5000\")")
            .And.Contain("Through the Ingress: https://mlflow.example.com");
    }

    [Theory, BothHelms]
    public async Task Notes_warn_about_the_default_admin_without_printing_its_password(HelmVersion helm)
    {
        var notes = await Helm.NotesAsync(helm, ScenarioFiles.Read("charts/ci/basic-auth-docs-values.yaml"));

        notes.Stdout.Should().Contain("WARNING: the admin user has MLflow's well-known default")
            .And.Contain("auth.admin.existingSecret")
            .And.NotContain("password1234");
        (await Helm.NotesAsync(helm, ScenarioFiles.Read("charts/ci/basic-auth-values.yaml"))).Stdout
            .Should().Contain("Basic auth is on").And.NotContain("WARNING: the admin user");
    }
}
