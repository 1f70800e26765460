using System.Text.RegularExpressions;
using MlflowChart.Migrate;

namespace MlflowChart.Tests;

/// <summary>
/// tools/ChartMigrate on realistic values files of community-charts/mlflow, bitnami/mlflow and
/// the upstream chart: the output renders with this chart under both Helm versions, every source
/// key is reported, no plain credential reaches the values, and the settings that matter arrive.
/// </summary>
public sealed partial class MigrationToolTests
{
    private static readonly string Sources = Path.Combine(AppContext.BaseDirectory, "MigrationSources");

    public static TheoryData<string, HelmVersion> Files
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var file in Directory.GetFiles(Sources, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(Sources, file), HelmVersion.Helm3);
                data.Add(Path.GetRelativePath(Sources, file), HelmVersion.Helm4);
            }

            return data;
        }
    }

    /// <summary>The conversion of a source file; its folder names the source chart.</summary>
    private static Migration Convert(string file) =>
        Converter.Run(File.ReadAllText(Path.Combine(Sources, file)), Path.GetDirectoryName(file), "mlflow",
            Path.Combine(Repo.Chart, "values.schema.json"));

    private static async Task<Render> Rendered(string file, HelmVersion helm) =>
        (await Helm.TemplateAsync(helm, Output.Values(Convert(file)))).ShouldSucceed();

    [Theory, MemberData(nameof(Files))]
    public async Task Converted_values_render_with_this_chart_under_restricted_pod_security(string file, HelmVersion helm)
    {
        var render = await Rendered(file, helm);

        render.Server().Should().NotBeNull();
        foreach (var pod in render.PodTemplates())
        {
            PodSecurity.RestrictedViolations(pod.Spec).Should().BeEmpty($"{pod.Owner} from {file}");
        }
    }

    [Theory, MemberData(nameof(Files))]
    public void Every_source_key_appears_in_the_report_exactly_once(string file, HelmVersion helm)
    {
        _ = helm;
        var migration = Convert(file);

        migration.Report.Select(r => r.SourceKey).Should().BeEquivalentTo(Values.Leaves(migration.Source),
            "no key of the source may be lost silently");
        migration.Report.Should().OnlyContain(r => r.Note.Length > 10, "every row says what happened or why not");
        migration.Report.Where(r => r.Outcome == Outcome.NotCarried).Should().OnlyContain(r => r.Note.StartsWith("not "));
    }

    [Theory, MemberData(nameof(Files))]
    public void No_plain_credential_from_the_source_reaches_the_values(string file, HelmVersion helm)
    {
        _ = helm;
        var migration = Convert(file);
        var values = Output.Values(migration);
        var secrets = migration.SecretData.Count == 0 ? "" : Common.SecretManifest(migration);

        foreach (var credential in Credentials(File.ReadAllText(Path.Combine(Sources, file))))
        {
            values.Should().NotContain(credential, $"{file}: a credential belongs in the Secret manifest, never the values");
            Output.Report(migration, "secrets.yaml").Should().NotContain(credential, $"{file}: the report names where a credential went, never the credential");
            secrets.Should().Match(text => text.Contains(credential) || text.Contains(Uri.EscapeDataString(credential)),
                $"{file}: the credential {credential[..3]}... moved into the generated Secret");
        }
    }

    [Theory, BothHelms]
    public async Task Community_postgres_and_s3_keep_their_stores_with_passwords_in_a_secret(HelmVersion helm)
    {
        var migration = Convert("community/postgres-s3.yaml");
        var render = await Rendered("community/postgres-s3.yaml", helm);
        var server = render.ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be(
            "postgresql://mlflow:$(MLFLOW_DB_PASSWORD)@mlflow-db.abc123.eu-west-1.rds.amazonaws.com:5432/mlflow");
        server.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-mlflow-migrated", Key = "db-password" });
        server.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("s3://company-mlflow/tracking");
        server.Env("AWS_SECRET_ACCESS_KEY")!.ValueFrom.SecretKeyRef.Key.Should().Be("aws-secret-access-key");
        server.Env("AWS_DEFAULT_REGION")!.Value.Should().Be("eu-west-1");
        server.Args.Should().Contain("--workers=2");
        render.Server().Spec.Replicas.Should().Be(2);
        migration.SecretData["db-password"].Should().Be("Pg-s3cret-passw0rd");
        migration.Notes.Should().Contain(n => n.Contains("URL-encoded"));
    }

    [Theory, BothHelms]
    public async Task Community_auth_ingress_and_monitoring_arrive(HelmVersion helm)
    {
        var render = await Rendered("community/auth-ingress.yaml", helm);
        var server = render.ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().StartWith("mysql+pymysql://$(MLFLOW_DB_USER):$(MLFLOW_DB_PASSWORD)@mysql.databases.svc.cluster.local:3306/");
        server.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-mysql", Key = "mysql-password" });
        server.Env("MLFLOW_DB_USER")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-mysql", Key = "username" },
            "with an existing Secret community-charts reads the user name from it (usernameKey defaults to username), not from backendStore.mysql.user");
        server.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("gs://mlflow-artifacts");
        server.Args.Should().Contain("--app-name=basic-auth");
        server.Env("MLFLOW_FLASK_SERVER_SECRET_KEY")!.ValueFrom.SecretKeyRef.Key.Should().Be("flask-secret-key");
        var init = render.Server().Spec.Template.Spec.InitContainers.Single(c => c.Name == "auth-config");
        init.Env.Single(e => e.Name == "AUTH_DATABASE_URI").Value.Should().Contain("$(MLFLOW_AUTH_DB_PASSWORD)@auth-db.databases.svc.cluster.local");
        init.Env.Single(e => e.Name == "AUTH_ADMIN_PASSWORD").ValueFrom.SecretKeyRef.Key.Should().Be("admin-password");
        render.Named<V1Secret>("mlflow-mlflow-auth").StringData["basic_auth.ini"].Should().Contain("default_permission = EDIT");
        render.Single<V1Ingress>().Spec.Rules.Single().Host.Should().Be("mlflow.company.example");
        AllowedHosts.Admits(AllowedHosts.FromArgs(server.Args), "mlflow.company.example").Should().BeTrue();
        server.Args.Should().Contain("--expose-prometheus=/var/run/mlflow/metrics");
        Convert("community/auth-ingress.yaml").Report.Should().Contain(r => r.SourceKey.StartsWith("serviceMonitor.metricRelabelings") && r.Outcome == Outcome.NotCarried);
    }

    [Theory, BothHelms]
    public async Task Community_everything_reports_unknown_keys_and_moves_every_credential(HelmVersion helm)
    {
        var migration = Convert("community/everything.yaml");
        var server = (await Rendered("community/everything.yaml", helm)).ServerContainer();

        migration.Report.Single(r => r.SourceKey == "someFutureKey").Outcome.Should().Be(Outcome.NotCarried);
        migration.Report.Single(r => r.SourceKey == "postgresql.enabled").Note.Should().Contain("was off", "the file switched the bundled database off");
        server.Args.Should().Contain("--no-serve-artifacts").And.Contain("--gunicorn-opts=--timeout 120").And.Contain("--static-prefix=/mlflow")
            .And.Contain("--disable-security-middleware").And.NotContain("--serve-artifacts");
        server.Env("MLFLOW_DEFAULT_ARTIFACT_ROOT")!.Value.Should().Be("wasbs://mlflow@companymlflow.blob.core.windows.net/artifacts");
        server.Env("AZURE_STORAGE_CONNECTION_STRING")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-mlflow-migrated");
        server.Env("MY_API_TOKEN")!.ValueFrom.SecretKeyRef.Should().NotBeNull();
        server.Env("MLFLOW_SQLALCHEMYSTORE_POOL_SIZE")!.Value.Should().Be("10");
        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().StartWith("mssql+pymssql://mlflow:$(MLFLOW_DB_PASSWORD)@sql.example.com:1433/");
        server.Image.Should().Be("registry.example.com/mlflow:3.16.0");
    }

    [Theory, BothHelms]
    public async Task Bitnami_defaults_the_file_never_names_are_kept(HelmVersion helm)
    {
        var migration = Convert("bitnami/minimal.yaml");
        var render = await Rendered("bitnami/minimal.yaml", helm);
        var server = render.ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("postgresql://bn_mlflow:$(MLFLOW_DB_PASSWORD)@mlflow-postgresql:5432/bitnami_mlflow");
        server.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-postgresql", Key = "password" });
        server.Env("MLFLOW_S3_ENDPOINT_URL")!.Value.Should().Be("http://mlflow-minio:80");
        server.Env("AWS_ACCESS_KEY_ID")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-minio", Key = "root-user" });
        server.Args.Should().Contain("--app-name=basic-auth");
        migration.Notes.Should().Contain(n => n.Contains("bundled PostgreSQL")).And.Contain(n => n.Contains("port 80") && !n.Contains("LoadBalancer"))
            .And.Contain(n => n.Contains("admin password"));
        render.Single<V1Service>().Spec.Ports.Single().Port.Should().Be(80, "bitnami's Service listened on 80 and the file did not change it: clients keep their URL");
    }

    [Theory, BothHelms]
    public async Task Bitnami_external_database_and_s3_arrive(HelmVersion helm)
    {
        var render = await Rendered("bitnami/external-postgres-s3.yaml", helm);
        var server = render.ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("postgresql://mlflow:$(MLFLOW_DB_PASSWORD)@mlflow-db.abc123.eu-west-1.rds.amazonaws.com:5432/mlflow");
        server.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db", Key = "db-password" });
        server.Env("MLFLOW_S3_ENDPOINT_URL").Should().BeNull("AWS S3 needs no endpoint");
        server.Env("AWS_SECRET_ACCESS_KEY")!.ValueFrom.SecretKeyRef.Key.Should().Be("aws-secret-access-key");
        server.Args.Should().NotContain(a => a.StartsWith("--app-name"), "auth was off in the source");
        render.Server().Spec.Replicas.Should().Be(2);
    }

    [Theory, BothHelms]
    public async Task Bitnami_ingress_auth_and_arguments_arrive(HelmVersion helm)
    {
        var render = await Rendered("bitnami/auth-ingress.yaml", helm);
        var ingress = render.Single<V1Ingress>();

        ingress.Spec.Rules.Select(r => r.Host).Should().Equal("mlflow.company.example", "mlflow.internal.example");
        ingress.Spec.Tls.Single().SecretName.Should().Be("mlflow.company.example-tls");
        render.ServerContainer().Args.Should().Contain("--workers=2").And.Contain("--gunicorn-opts=--timeout 60");
        render.Single<Infrastructure.Crds.ServiceMonitor>().Metadata.Labels.Should().Contain("release", "prometheus");
        render.Single<V1Service>().Spec.Ports.Single().Port.Should().Be(5000);
    }

    [Theory, BothHelms]
    public async Task Bitnami_everything_keeps_gcs_tls_and_auth_secrets(HelmVersion helm)
    {
        var migration = Convert("bitnami/everything.yaml");
        var render = await Rendered("bitnami/everything.yaml", helm);
        var server = render.ServerContainer();

        server.Env("GOOGLE_APPLICATION_CREDENTIALS")!.Value.Should().Be("/etc/gcs/key.json");
        server.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("gs://company-mlflow");
        server.Env("MLFLOW_FLASK_SERVER_SECRET_KEY")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-auth", Key = "flask-key" });
        server.Args.Should().StartWith(["server", "--host", "::"]);
        render.Single<V1Service>().Spec.Type.Should().Be("LoadBalancer");
        render.Server().Spec.Template.Spec.ImagePullSecrets.Single().Name.Should().Be("registry-credentials");
        migration.Report.Where(r => r.SourceKey.StartsWith("run.")).Should().OnlyContain(r => r.Outcome == Outcome.NotCarried);
    }

    [Theory, BothHelms]
    public async Task Upstream_values_carry_over_and_a_password_uri_moves_into_a_secret(HelmVersion helm)
    {
        var migration = Convert("upstream/postgres-s3.yaml");
        var server = (await Rendered("upstream/postgres-s3.yaml", helm)).ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.ValueFrom.SecretKeyRef.Key.Should().Be("backend-store-uri");
        migration.SecretData["backend-store-uri"].Should().Contain("Upstream-Pg-pw");
        AllowedHosts.Admits(AllowedHosts.FromArgs(server.Args), "mlflow.company.example").Should().BeTrue();
        Convert("upstream/everything.yaml").Report.Single(r => r.SourceKey == "hostNetwork").Outcome.Should().Be(Outcome.NotCarried);
    }

    [Theory, BothHelms]
    public async Task Bitnami_probe_and_volume_defaults_give_way_to_what_this_chart_needs(HelmVersion helm)
    {
        var migration = Convert("bitnami/probes-and-strategy.yaml");
        var render = await Rendered("bitnami/probes-and-strategy.yaml", helm);
        var server = render.ServerContainer();

        server.StartupProbe.Should().NotBeNull("without it bitnami's liveness probe would restart a slow cold start");
        (server.StartupProbe.PeriodSeconds * server.StartupProbe.FailureThreshold).Should().BeGreaterThanOrEqualTo(60);
        server.LivenessProbe.PeriodSeconds.Should().Be(10, "the liveness timings themselves are carried");
        render.All<V1PersistentVolumeClaim>().Should().BeEmpty("runs and artifacts live elsewhere, so no volume");
        render.Server().Spec.Strategy.Type.Should().Be("RollingUpdate");
        server.Env("MLFLOW_S3_ENDPOINT_URL")!.Value.Should().Be("http://minio.storage.svc:9000");
        migration.Report.Single(r => r.SourceKey == "tracking.startupProbe.enabled").Note.Should().Contain("stays on");
        migration.Report.Single(r => r.SourceKey == "tracking.persistence.enabled").Outcome.Should().Be(Outcome.NotCarried);
    }

    /// <summary>Sources with a database server and no object store, each asking for a rolling update (file, the source's strategy key).</summary>
    public static TheoryData<string, string, HelmVersion> WithoutAnObjectStore
    {
        get
        {
            var data = new TheoryData<string, string, HelmVersion>();
            foreach (var (file, strategy) in new[]
            {
                ("bitnami/artifacts-on-volume.yaml", "tracking.updateStrategy"),
                ("community/postgres-no-artifact-store.yaml", "strategy"),
                ("upstream/database-no-artifacts.yaml", "deploymentStrategy"),
            })
            {
                data.Add(file, strategy, HelmVersion.Helm3);
                data.Add(file, strategy, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Theory, MemberData(nameof(WithoutAnObjectStore))]
    public async Task Artifacts_without_an_object_store_get_the_claim_and_a_rolling_update_gives_way(string file, string strategy, HelmVersion helm)
    {
        var migration = Convert(file);
        var render = await Rendered(file, helm);

        render.ServerContainer().Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("/mlflow/artifacts",
            "MLflow's default ./mlartifacts lies on the read-only root, and uploads must survive a restart");
        render.All<V1PersistentVolumeClaim>().Should().ContainSingle();
        render.Server().Spec.Strategy.Type.Should().Be("Recreate", "a ReadWriteOnce claim attaches to one node, so old and new pod cannot overlap");
        migration.Report.Where(r => r.SourceKey.StartsWith(strategy + ".", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.OnlyContain(r => r.Outcome == Outcome.NotCarried && r.Note.Contains("ReadWriteOnce"));
        migration.Notes.Should().Contain(n => n.Contains("storage.enabled=true"), "the report says where the artifacts now go");
    }

    [Theory, BothHelms]
    public async Task A_rolling_update_asked_for_over_sqlite_is_refused_with_a_reason(HelmVersion helm)
    {
        var migration = Convert("community/sqlite-rolling.yaml");
        var render = await Rendered("community/sqlite-rolling.yaml", helm);

        render.Server().Spec.Strategy.Type.Should().Be("Recreate", "two pods must never open one SQLite file");
        migration.Report.Where(r => r.SourceKey.StartsWith("strategy.", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Outcome == Outcome.NotCarried && r.Note.Contains("SQLite"));
    }

    [Theory, BothHelms]
    public async Task Upstream_storage_off_with_sqlite_inside_the_container_gets_a_volume_instead_of_losing_runs(HelmVersion helm)
    {
        var migration = Convert("upstream/storage-off.yaml");
        var render = await Rendered("upstream/storage-off.yaml", helm);

        render.All<V1PersistentVolumeClaim>().Should().ContainSingle("runs are kept on a claim, not inside the container");
        render.ServerContainer().Args.Should().Contain("--workers=2");
        migration.Report.Single(r => r.SourceKey == "storage.enabled").Note.Should().Contain("lost at every restart");
    }

    [Theory, BothHelms]
    public async Task Upstream_basic_auth_as_the_docs_write_it_carries_over_unchanged(HelmVersion helm)
    {
        var migration = Convert("upstream/auth-ingress.yaml");
        var server = (await Rendered("upstream/auth-ingress.yaml", helm)).ServerContainer();

        migration.Report.Should().OnlyContain(r => r.Outcome == Outcome.Carried);
        server.Args.Should().Contain("--app-name=basic-auth");
        server.Env("MLFLOW_AUTH_CONFIG_PATH")!.Value.Should().Be("/etc/mlflow/auth/basic_auth.ini");
        AllowedHosts.Admits(AllowedHosts.FromArgs(server.Args), "localhost:5000").Should().BeTrue("port-forward keeps working, unlike upstream");
    }

    [Theory]
    [InlineData("unknown-chart", "cannot tell which chart")]
    [InlineData("not-yaml", "not valid YAML")]
    [InlineData("missing-file", "no such file")]
    [InlineData("bad-from", "not a chart this tool knows")]
    [InlineData("older-upstream", "older mlflow/mlflow chart layout")]
    [InlineData("mixed-charts", "mix keys of community-charts/mlflow (backendStore) and the upstream mlflow/mlflow chart (mlflow)")]
    [InlineData("map-as-key", "a map is used as a key")]
    [InlineData("two-documents", "2 YAML documents")]
    [InlineData("list-document", "not a map of values")]
    public async Task Bad_sources_get_one_line_and_exit_code_2(string case_, string words)
    {
        var dir = Scratch.Folder("chart-migrate-");
        var file = Path.Combine(dir, "values.yaml");
        await File.WriteAllTextAsync(file, case_ switch
        {
            "unknown-chart" => "replicas: 2\nfoo: bar\n",
            "not-yaml" => "a: [unclosed\n",
            "older-upstream" => "trackingServer:\n  port: 5000\nbackendStore:\n  existingSecret: mlflow-db\n",
            "mixed-charts" => "backendStore:\n  postgres: {enabled: true, host: db}\nmlflow:\n  backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}\n",
            "map-as-key" => "mlflow:\n  ? {a: b}\n  : value\n",
            "two-documents" => "mlflow: {}\n---\nmlflow: {}\n",
            "list-document" => "- mlflow\n- server\n",
            _ => "backendStore: {}\n",
        }, TestContext.Current.CancellationToken);
        string[] args = case_ switch
        {
            "missing-file" => [Path.Combine(dir, "absent.yaml")],
            "bad-from" => ["--from", "helmfile", file],
            _ => [file],
        };

        var result = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "ChartMigrate.dll"), .. args], TimeSpan.FromSeconds(60), workingDirectory: dir);

        result.ExitCode.Should().Be(2);
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("chart-migrate: ").And.Contain(words);
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task The_command_writes_values_a_report_and_a_private_secrets_file()
    {
        var dir = Scratch.Folder("chart-migrate-");
        var output = Path.Combine(dir, "mlflow-values.yaml");

        var result = await ProcessRunner.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "ChartMigrate.dll"), Path.Combine(Sources, "community", "postgres-s3.yaml"), "-o", output],
            TimeSpan.FromSeconds(60), workingDirectory: dir);

        result.ExitCode.Should().Be(0, result.Stderr);
        File.ReadAllText(output).Should().Contain("backendStoreUri: postgresql://mlflow:$(MLFLOW_DB_PASSWORD)@");
        var secrets = Path.Combine(dir, "mlflow-values.secrets.yaml");
        File.ReadAllText(secrets).Should().Contain("kind: Secret").And.Contain("db-password:");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(secrets).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the file holds credentials");
        }

        result.Stderr.Should().Contain("| `backendStore.postgres.password` | changed |").And.Contain($"kubectl apply -n <namespace> -f {secrets}");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_what_each_option_does(string flag)
    {
        var result = await Migrate(Scratch.Folder("chart-migrate-help-"), flag);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().StartWith("usage: ChartMigrate").And.Contain("--no-verify").And.Contain("Exit: 0 converted");
    }

    [Fact]
    public async Task Bitnami_command_line_options_the_chart_owns_go_to_its_own_values()
    {
        var (dir, file) = await SourceAsync("""
            tracking:
              extraArgs: ["--static-prefix=/mlflow", "--host", "0.0.0.0", "--port", "5001", "--expose-prometheus", "/tmp/metrics", "--workers", "2"]
            """);
        var output = Path.Combine(dir, "new.yaml");

        var result = await Migrate(dir, "--from", "bitnami", file, "-o", output, "--helm", Helm.Binary(HelmVersion.Helm4));

        result.ExitCode.Should().Be(0, $"this chart accepts the converted values:\n{result.Stderr}");
        var values = await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken);
        var render = (await Helm.TemplateAsync(HelmVersion.Helm4, values)).ShouldSucceed();
        var args = render.ServerContainer().Args;
        args.Should().Contain("--static-prefix=/mlflow").And.Contain("--workers=2").And.Contain("--expose-prometheus=/var/run/mlflow/metrics");
        args.Should().NotContain(a => a.Contains("5001")).And.Contain("5000", "the chart keeps its port; clients keep service.port");
    }

    private static Task<ProcessResult> Migrate(string dir, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "ChartMigrate.dll"), .. args], TimeSpan.FromSeconds(90), workingDirectory: dir);

    private static async Task<(string Dir, string File)> SourceAsync(string yaml)
    {
        var dir = Scratch.Folder("chart-migrate-");
        var file = Path.Combine(dir, "old-values.yaml");
        await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);
        return (dir, file);
    }

    [Fact]
    public async Task Values_the_chart_refuses_exit_3_with_the_charts_sentence_and_the_rows_behind_it()
    {
        var (dir, file) = await SourceAsync("mlflow:\n  backendStoreUri: \"postgres://db.example.com:5432/mlflow\"\n  artifactsDestination: s3://bucket/mlflow\n");

        var result = await Migrate(dir, file, "-o", Path.Combine(dir, "new.yaml"));

        result.ExitCode.Should().Be(3, "converted, but this chart refuses the result");
        result.Stderr.Should().Contain("chart-migrate: converted, but the chart refuses the result: mlflow: mlflow.backendStoreUri starts with postgres://")
            .And.Contain("use postgresql://").And.Contain("from `mlflow.backendStoreUri` -> `mlflow.backendStoreUri`");
        File.Exists(Path.Combine(dir, "new.yaml")).Should().BeTrue("the files are still written for the user to finish");
    }

    [Fact]
    public async Task No_verify_skips_the_render_and_says_so()
    {
        var (dir, file) = await SourceAsync("mlflow:\n  backendStoreUri: \"postgres://db.example.com:5432/mlflow\"\n");

        var result = await Migrate(dir, file, "-o", Path.Combine(dir, "new.yaml"), "--no-verify");

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().Contain("not checked against the chart (--no-verify)");
    }

    [Fact]
    public async Task Accepted_values_say_which_helm_rendered_them()
    {
        var result = await Migrate(Scratch.Folder("chart-migrate-"), Path.Combine(Sources, "upstream", "minimal.yaml"), "-n", "tracking", "--release", "ml");

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().Contain("the converted values render with this chart").And.Contain("release ml, namespace tracking");
    }

    [Fact]
    public async Task Mixed_keys_convert_as_the_chart_named_with_from_and_report_the_others_as_unknown()
    {
        var migration = Converter.Run("backendStore:\n  postgres: {enabled: true, host: db, user: mlflow}\nmlflow:\n  artifactsDestination: s3://b/p\n",
            "community", "mlflow", Options.Schema());

        migration.Report.Single(r => r.SourceKey == "mlflow.artifactsDestination").Outcome.Should().Be(Outcome.NotCarried);
        migration.Report.Single(r => r.SourceKey == "mlflow.artifactsDestination").Note.Should().Contain("not a key this converter knows for community");
    }

    [Fact]
    public void Anchors_and_merge_keys_are_resolved_as_helm_resolves_them()
    {
        var migration = Converter.Run("""
            defaults: &probe
              initialDelaySeconds: 7
              periodSeconds: 11
            probes:
              liveness:
                <<: *probe
                timeoutSeconds: 9
            """, "upstream", "mlflow", Options.Schema());

        Values.At(migration.Target, "probes.liveness.initialDelaySeconds").Should().Be(7L);
        Values.At(migration.Target, "probes.liveness.periodSeconds").Should().Be(11L);
        Values.At(migration.Target, "probes.liveness.timeoutSeconds").Should().Be(9L);
        migration.Report.Should().NotContain(r => r.SourceKey.Contains("<<"));
    }

    [Fact]
    public async Task A_secrets_file_is_never_replaced_without_force()
    {
        var (dir, file) = await SourceAsync("mlflow:\n  backendStoreUri: \"postgresql://mlflow:first-password@db:5432/mlflow\"\n  artifactsDestination: s3://b/p\n");
        var first = await Migrate(dir, file, "--no-verify");
        first.ExitCode.Should().Be(0, first.Stderr);
        var secrets = Path.Combine(dir, "mlflow-migrated.secrets.yaml");
        var written = await File.ReadAllTextAsync(secrets, TestContext.Current.CancellationToken);

        var second = await Migrate(dir, file, "--no-verify");
        second.ExitCode.Should().Be(2);
        second.Stderr.Trim().Should().StartWith("chart-migrate: ").And.Contain("exists").And.Contain("--force");
        (await File.ReadAllTextAsync(secrets, TestContext.Current.CancellationToken)).Should().Be(written, "the first run's credentials are kept");

        var forced = await Migrate(dir, file, "--no-verify", "--force");
        forced.ExitCode.Should().Be(0);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(secrets).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Theory, BothHelms]
    public async Task Upstream_values_that_meant_other_things_here_are_changed_and_reported(HelmVersion helm)
    {
        const string source = """
            mlflow:
              backendStoreUri: "postgresql://mlflow:pa$$w0rd@db.example.com:5432/mlflow"
              artifactsDestination: s3://bucket/mlflow
            server:
              value_options:
                port: 8080
                app_name: basic-auth
            env:
              - name: AWS_SECRET_ACCESS_KEY
                value: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
              - name: MLFLOW_FLASK_SERVER_SECRET_KEY
                value: 4f1c0a9e2b7d4c3a8e6f5b0d1c2a3e4f
            garbageCollection:
              enabled: true
            externalSecrets:
              enabled: true
              provider:
                aws: {service: SecretsManager, region: eu-west-1}
              secretName: mlflow-backend-store
              data:
                - secretKey: uri
                  remoteRef: {key: prod/mlflow, property: uri}
            """;
        var migration = Converter.Run(source, null, "mlflow", Options.Schema());
        var values = Output.Values(migration);
        var render = (await Helm.TemplateAsync(helm, values)).ShouldSucceed();

        values.Should().NotContain("pa$$w0rd").And.NotContain("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY").And.NotContain("4f1c0a9e2b7d4c3a8e6f5b0d1c2a3e4f");
        migration.SecretData.Values.Should().Contain("postgresql://mlflow:pa$$w0rd@db.example.com:5432/mlflow", "a password with $ is a password, not a $(NAME) reference");
        render.ServerContainer().Env("AWS_SECRET_ACCESS_KEY")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-mlflow-migrated");
        render.Single<V1Service>().Spec.Ports.Single().Port.Should().Be(8080, "clients keep the port they used");
        migration.Report.Single(r => r.SourceKey == "server.value_options.port").Target.Should().Be("service.port");
        migration.Report.Where(r => r.SourceKey.StartsWith("garbageCollection")).Should().OnlyContain(r => r.Outcome == Outcome.NotCarried && r.Note.Contains("auth.admin.existingSecret"));
        migration.Report.Where(r => r.SourceKey.StartsWith("externalSecrets")).Should().OnlyContain(r => r.Outcome == Outcome.NotCarried && r.Note.Contains("SecretStore"));
        render.All<V1CronJob>().Should().BeEmpty();
    }

    [Theory, BothHelms]
    public async Task Community_command_lines_and_secret_held_user_names_reach_their_places(HelmVersion helm)
    {
        const string source = """
            backendStore:
              existingDatabaseSecret:
                name: mlflow-db
                usernameKey: username
                passwordKey: password
              postgres:
                enabled: true
                host: postgres.db.svc
                port: 5432
                database: mlflow
            artifactRoot:
              s3:
                enabled: true
                bucket: mlflow-artifacts
            extraArgs: [--workers, "3", --static-prefix, /tracking]
            """;
        var migration = Converter.Run(source, null, "mlflow", Options.Schema());
        var server = (await Helm.TemplateAsync(helm, Output.Values(migration))).ShouldSucceed().ServerContainer();

        server.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("postgresql://$(MLFLOW_DB_USER):$(MLFLOW_DB_PASSWORD)@postgres.db.svc:5432/mlflow");
        server.Env("MLFLOW_DB_USER")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db", Key = "username" });
        server.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-db", Key = "password" });
        server.Args.Should().Contain("--workers=3").And.Contain("--static-prefix=/tracking").And.NotContain(a => a.Contains("flag"));
    }

    [Fact]
    public void An_anti_affinity_on_the_old_charts_pod_labels_is_reported_as_a_changed_meaning()
    {
        var migration = Converter.Run("""
            backendStore:
              postgres: {enabled: true, host: db, user: mlflow}
            affinity:
              podAntiAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      topologyKey: kubernetes.io/hostname
                      labelSelector:
                        matchLabels: {app.kubernetes.io/name: mlflow, app.kubernetes.io/instance: tracker}
            """, "community", "mlflow", Options.Schema());

        migration.Report.Where(r => r.SourceKey.StartsWith("affinity")).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Outcome == Outcome.Changed && r.Note.Contains("app.kubernetes.io/component: server") && r.Note.Contains("matches nothing"));
    }

    /// <summary>Plain credentials in a source file: values of keys that name a password, secret, key or token.</summary>
    private static IEnumerable<string> Credentials(string yaml) =>
        CredentialLine().Matches(yaml).Select(m => m.Groups[2].Value.Trim('"', '\'')).Where(v => v.Length >= 8).Distinct();

    [GeneratedRegex(@"^\s*-?\s*(password|\w*Password|accessKeySecret|accessKey|awsSecretAccessKey|awsAccessKeyId|accessKeyID|connectionString|flaskServerSecretKey|\w*TOKEN)\s*:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CredentialLine();
    [Fact]
    public void The_report_says_how_to_switch_upgrade_in_place_from_upstream_and_reinstall_keeping_the_address_from_the_others()
    {
        var upstream = Output.Report(Convert("upstream/minimal.yaml"), null);
        upstream.Should().Contain("## Switching").And.Contain("Upgrade in place").And.Contain("helm upgrade mlflow ./charts -n <namespace> -f <these values>")
            .And.Contain("mlflow-mlflow, which gains helm.sh/resource-policy: keep");

        var community = Output.Report(Convert("community/postgres-s3.yaml"), "secrets.yaml");
        community.Should().Contain("Reinstall").And.Contain("helm uninstall mlflow -n <namespace>").And.Contain("helm install mlflow ./charts")
            .And.Contain("http://mlflow:80").And.Contain("fullnameOverride: mlflow").And.Contain("port: 80")
            .And.Contain("kubectl apply -n <namespace> -f <secrets file>", "the converted values read their credentials from the generated Secret");
        community.IndexOf("kubectl apply -n <namespace> -f <secrets file>", StringComparison.Ordinal).Should()
            .BeLessThan(community.IndexOf("helm install mlflow", StringComparison.Ordinal), "the Secret must exist before the pods start");
        community.Should().Contain("makes no claim of its own").And.NotContain("kubectl annotate pvc");

        var bitnami = Output.Report(Convert("bitnami/minimal.yaml"), null);
        bitnami.Should().Contain("http://mlflow-tracking:80").And.Contain("fullnameOverride: mlflow-tracking");
        bitnami.Should().Contain("do not uninstall").And.Contain("kubectl annotate pvc").And.Contain("--set storage.existingClaim=<claim>",
            "bitnami's claim is the release's own: helm uninstall would delete it despite a keep annotation on the live object");
    }
}
