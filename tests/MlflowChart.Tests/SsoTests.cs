namespace MlflowChart.Tests;

/// <summary>
/// Single sign-on as `helm template` renders it: the server runs the plugin's app with every
/// setting the plugin reads, the client secret and the session key only as Secret references,
/// the users database migrated once in the right place, and the chart's own clients logging in as
/// the service account. The refusals are rows of BadInputTests; the login itself is proved on
/// the rig (SsoOnClusterTests).
/// </summary>
public sealed class SsoTests
{
    private const string Provider = "https://keycloak.example.com/realms/mlflow/.well-known/openid-configuration";

    private static string Sso(string extra = "", string oidc = "") => $$"""
        auth:
          secretKey: {existingSecret: mlflow-auth-secret}
          oidc:
            enabled: true
            discoveryUrl: {{Provider}}
            clientId: mlflow
            clientSecret: {existingSecret: mlflow-oidc}
            serviceAccount: {existingSecret: mlflow-bot}
        {{oidc}}
        {{extra}}
        """;

    private static string SecretOf(V1EnvVar? env) => env?.ValueFrom?.SecretKeyRef is { } r ? $"{r.Name}/{r.Key}" : $"(not a Secret reference: {env?.Value})";

    [Theory, BothHelms]
    public async Task The_server_runs_the_plugins_app_with_every_setting_it_reads(HelmVersion helm)
    {
        var server = (await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/sso-values.yaml"))).ServerContainer();

        server.Args.Should().Contain("--app-name=oidc-auth").And.NotContain(a => a.Contains("basic-auth", StringComparison.Ordinal));
        server.Env("OIDC_DISCOVERY_URL")!.Value.Should().Be(Provider);
        server.Env("OIDC_CLIENT_ID")!.Value.Should().Be("mlflow");
        SecretOf(server.Env("OIDC_CLIENT_SECRET")).Should().Be("mlflow-oidc/client-secret");
        SecretOf(server.Env("SECRET_KEY")).Should().Be("mlflow-auth-secret/secret-key", "the session key is the same in every worker and pod");
        server.Env("OIDC_SCOPE")!.Value.Should().Be("openid email profile", "scopes are space-separated, as OAuth writes them");
        server.Env("OIDC_GROUPS_ATTRIBUTE")!.Value.Should().Be("groups");
        server.Env("OIDC_GROUP_NAME")!.Value.Should().Be("mlflow-users");
        server.Env("OIDC_ADMIN_GROUP_NAME")!.Value.Should().Be("mlflow-admins");
        server.Env("DEFAULT_MLFLOW_PERMISSION")!.Value.Should().Be("READ");
        server.Env("OIDC_REDIRECT_URI")!.Value.Should().Be("https://mlflow.example.com/callback", "derived from the Ingress host, which has TLS");
        server.Env("SESSION_COOKIE_SECURE")!.Value.Should().Be("true");
        server.Env("OIDC_USERS_DB_URI")!.Value.Should().Be("sqlite:////mlflow/oidc_auth.db");
    }

    [Theory, BothHelms]
    public async Task No_credential_of_single_sign_on_is_written_into_any_object(HelmVersion helm)
    {
        foreach (var scenario in new[] { "charts/ci/sso-values.yaml", "charts/ci/sso-production-values.yaml" })
        {
            var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read(scenario));
            var containers = render.All<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers.Concat(d.Spec.Template.Spec.InitContainers ?? []))
                .Concat(render.All<V1Job>().SelectMany(j => j.Spec.Template.Spec.Containers))
                .Concat(render.All<V1CronJob>().SelectMany(c => c.Spec.JobTemplate.Spec.Template.Spec.Containers))
                .Concat(render.All<V1Pod>().SelectMany(p => p.Spec.Containers));
            var secrets = new[] { "OIDC_CLIENT_SECRET", "SECRET_KEY", "CACHE_REDIS_URL", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_OIDC_SERVICE_ACCOUNT_PASSWORD" };
            containers.SelectMany(c => c.Env ?? []).Where(e => secrets.Contains(e.Name))
                .Should().OnlyContain(e => e.Value == null && e.ValueFrom.SecretKeyRef != null, $"{scenario}: credentials travel as Secret references");
            render.All<V1Secret>().Should().BeEmpty($"{scenario}: the chart writes no Secret of its own for SSO");
            render.All<V1ConfigMap>().SelectMany(c => c.Data?.Values ?? []).Should().NotContain(v => v.Contains("OIDC", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("ingress: {enabled: true, hosts: [{host: mlflow.example.com, paths: [{path: /, pathType: Prefix}]}]}", "http://mlflow.example.com/callback")]
    [InlineData("ingress: {enabled: true, hosts: [{host: mlflow.example.com, paths: [{path: /, pathType: Prefix}]}], tls: [{secretName: t, hosts: [mlflow.example.com]}]}", "https://mlflow.example.com/callback")]
    [InlineData("ingress: {enabled: true, hosts: [{host: mlflow.example.com, paths: [{path: /mlflow, pathType: Prefix}]}], tls: [{secretName: t}]}\nserver: {staticPrefix: /mlflow}", "https://mlflow.example.com/mlflow/callback")]
    [InlineData("httpRoute: {enabled: true, parentRefs: [{name: gw}], hostnames: [ml.example.com]}", "https://ml.example.com/callback")]
    [InlineData("route: {enabled: true, host: mlflow.apps.example.com}", "https://mlflow.apps.example.com/callback")]
    [InlineData("route: {enabled: true, host: mlflow.apps.example.com, tls: {termination: none}}", "http://mlflow.apps.example.com/callback")]
    [InlineData("ingress: {enabled: true, hosts: [{host: mlflow.example.com, paths: [{path: /, pathType: Prefix}]}]}\nauth: {oidc: {redirectUri: \"https://sso.example.com/callback\"}}", "https://sso.example.com/callback")]
    [InlineData("", null)]
    public async Task The_redirect_uri_is_derived_from_the_way_users_come_in(string exposure, string? redirect)
    {
        var values = exposure.Contains("auth:", StringComparison.Ordinal)
            ? Sso(exposure.Split("\nauth:")[0], "    redirectUri: \"https://sso.example.com/callback\"")
            : Sso(exposure);
        var render = await Helm.TemplateAsync(HelmVersion.Helm4, values);

        var env = render.ServerContainer().Env("OIDC_REDIRECT_URI");
        if (redirect is null)
        {
            env.Should().BeNull("without a host the plugin derives it from each request");
            render.ServerContainer().Env("SESSION_COOKIE_SECURE").Should().BeNull();
        }
        else
        {
            env!.Value.Should().Be(redirect);
            render.ServerContainer().Env("SESSION_COOKIE_SECURE")!.Value.Should().Be(redirect.StartsWith("https", StringComparison.Ordinal) ? "true" : "false");
            (await Helm.NotesAsync(HelmVersion.Helm4, values)).Stdout.Should().Contain($"Register this redirect URI for client mlflow at the provider: {redirect}");
        }
    }

    [Theory, BothHelms]
    public async Task On_sqlite_the_plugins_database_is_migrated_by_the_server_pods_init_container_only(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/sso-values.yaml"));

        render.All<V1Job>().Should().BeEmpty("a hook Job could not mount the claim before it exists");
        var migrate = render.Server().Spec.Template.Spec.InitContainers.Should().ContainSingle(c => c.Name == "migrate").Subject;
        migrate.Env("OIDC_USERS_DB_URI")!.Value.Should().Be("sqlite:////mlflow/oidc_auth.db");
        SecretOf(migrate.Env("MLFLOW_OIDC_SERVICE_ACCOUNT_USERNAME")).Should().Be("mlflow-bot/username");
        SecretOf(migrate.Env("MLFLOW_OIDC_SERVICE_ACCOUNT_PASSWORD")).Should().Be("mlflow-bot/token");
        migrate.Env("MLFLOW_MIGRATE_TRACKING").Should().BeNull("the tracking SQLite database is migrated in the same step");
        string.Join("\n", migrate.Args).Should().Contain("sso.init_db(oidc)", "the plugin's migrations run here, before any worker starts");
    }

    [Theory, BothHelms]
    public async Task On_postgresql_with_sqlite_users_on_the_claim_the_pod_migrates_only_the_users(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, Sso("mlflow: {backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}, artifactsDestination: s3://b/m}\nstorage: {enabled: true}",
            "    databaseUri: \"sqlite:////mlflow/oidc_auth.db\""));

        var migrate = render.Server().Spec.Template.Spec.InitContainers.Should().ContainSingle(c => c.Name == "migrate").Subject;
        migrate.Env("MLFLOW_MIGRATE_TRACKING")!.Value.Should().Be("false", "the tracking database is the hook Job's");
        migrate.Env("OIDC_USERS_DB_URI")!.Value.Should().Be("sqlite:////mlflow/oidc_auth.db");
        var job = render.Single<V1Job>().Spec.Template.Spec.Containers.Single();
        job.Env("OIDC_USERS_DB_URI").Should().BeNull("the Job cannot reach the claim; the pod migrates the users");
    }

    [Theory, BothHelms]
    public async Task On_postgresql_the_users_go_into_their_own_database_or_beside_the_tracking_tables_migrated_by_the_job(HelmVersion helm)
    {
        var own = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/sso-production-values.yaml"));
        var job = own.Single<V1Job>().Spec.Template.Spec.Containers.Single();
        SecretOf(job.Env("OIDC_USERS_DB_URI")).Should().Be("mlflow-oidc-db/uri");
        job.Env("OIDC_ALEMBIC_VERSION_TABLE").Should().BeNull("a database of its own keeps the plugin's default version table");
        SecretOf(own.ServerContainer().Env("OIDC_USERS_DB_URI")).Should().Be("mlflow-oidc-db/uri");
        own.Server().Spec.Template.Spec.InitContainers.Should().BeNullOrEmpty("nothing is migrated at start");
        own.ServerContainer().Env("CACHE_BACKEND")!.Value.Should().Be("redis");
        SecretOf(own.ServerContainer().Env("CACHE_REDIS_URL")).Should().Be("mlflow-redis/url");
        own.ServerContainer().Env("TRUSTED_PROXIES")!.Value.Should().Be("10.0.0.0/8");
        own.ServerContainer().Env("OIDC_AUDIENCE")!.Value.Should().Be("11111111-1111-1111-1111-111111111111");

        var shared = await Helm.TemplateAsync(helm, Sso("mlflow: {backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}, artifactsDestination: s3://b/m}\nreplicaCount: 2"));
        var sharedJob = shared.Single<V1Job>().Spec.Template.Spec.Containers.Single();
        SecretOf(sharedJob.Env("OIDC_USERS_DB_URI")).Should().Be("db/uri", "without a database of its own the plugin uses the tracking database");
        sharedJob.Env("OIDC_ALEMBIC_VERSION_TABLE")!.Value.Should().Be("alembic_version_oidc_auth", "beside MLflow's alembic_version");
        shared.ServerContainer().Env("OIDC_ALEMBIC_VERSION_TABLE")!.Value.Should().Be("alembic_version_oidc_auth");
    }

    [Theory, BothHelms]
    public async Task The_charts_own_clients_log_in_as_the_service_account_and_scraping_needs_no_user(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/sso-production-values.yaml") + "\ngarbageCollection: {enabled: true}\n");

        var gc = render.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Spec.Containers.Single();
        SecretOf(gc.Env("MLFLOW_TRACKING_USERNAME")).Should().Be("mlflow-bot/username");
        SecretOf(gc.Env("MLFLOW_TRACKING_PASSWORD")).Should().Be("mlflow-bot/token");
        var test = render.All<V1Pod>().Single().Spec.Containers.Single();
        SecretOf(test.Env("MLFLOW_TRACKING_PASSWORD")).Should().Be("mlflow-bot/token");
        test.Env("MLFLOW_TEST_AUTH_WITHOUT_USER").Should().BeNull("with a service account helm test runs the whole client flow");
        render.Manifest.Should().NotContain("basicAuth", "the plugin leaves /metrics open, so the ServiceMonitor needs no user");
    }

    [Theory, BothHelms]
    public async Task The_value_options_spelling_of_the_app_turns_single_sign_on_on_too(HelmVersion helm)
    {
        var values = Sso("server: {value_options: {app_name: oidc-auth}}").Replace("    enabled: true\n", "", StringComparison.Ordinal);

        var server = (await Helm.TemplateAsync(helm, values)).ServerContainer();

        server.Args.Should().ContainSingle(a => a.StartsWith("--app-name", StringComparison.Ordinal)).Which.Should().Be("--app-name=oidc-auth");
        server.Env("OIDC_DISCOVERY_URL").Should().NotBeNull();
    }
}
