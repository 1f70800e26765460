namespace MlflowChart.Tests;

/// <summary>
/// The schema-migration hook Job: MLflow never migrates by itself and refuses to start on an
/// outdated schema, so the chart upgrades it once per release change, before the server rolls.
/// </summary>
public sealed class MigrationTests
{
    private static V1Job? MigrationJob(Render render) =>
        render.All<V1Job>().SingleOrDefault(j => j.Metadata.Name == "mlflow-mlflow-migrate");

    [Theory, BothHelms]
    public async Task An_external_database_is_migrated_before_install_and_every_upgrade(HelmVersion helm)
    {
        var job = MigrationJob(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3))!;

        job.Metadata.Annotations["helm.sh/hook"].Should().Be("pre-install,pre-upgrade");
        job.Metadata.Annotations["helm.sh/hook-delete-policy"].Should().Be("before-hook-creation,hook-succeeded");
        job.Spec.BackoffLimit.Should().Be(1);
        job.Spec.ActiveDeadlineSeconds.Should().Be(900);
        job.Spec.Template.Spec.RestartPolicy.Should().Be("Never");
    }

    [Theory, BothHelms]
    public async Task The_uri_reaches_the_job_from_the_secret_and_never_its_command_line(HelmVersion helm)
    {
        var container = MigrationJob(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3))!.Spec.Template.Spec.Containers.Single();

        container.Env("MLFLOW_BACKEND_STORE_URI")!.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-db-secret");
        container.Command.Should().Equal("python", "-c");
        var script = container.Args.Should().ContainSingle().Subject;
        script.Should().Contain("os.environ[\"MLFLOW_BACKEND_STORE_URI\"]")
            .And.Contain("\"db\", \"upgrade\"")
            .And.NotContain("postgresql://");
        container.Resources.Limits["memory"].Should().NotBeNull();
    }

    [Theory, BothHelms]
    public async Task A_brand_new_database_gets_its_schema_from_the_job_not_from_every_server_pod(HelmVersion helm)
    {
        var script = MigrationJob(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3))!.Spec.Template.Spec.Containers.Single().Args.Single();

        // mlflow db upgrade fails on an empty database ("no such table"), so it runs only where tables exist;
        // then every store is initialized as mlflow server does at start, which creates a missing schema.
        script.Should().Contain("if has_tables(uri):");
        script.IndexOf("has_tables(uri)", StringComparison.Ordinal).Should().BeLessThan(script.IndexOf("\"db\", \"upgrade\"", StringComparison.Ordinal));
        script.Should().Contain("initialize_backend_stores(backend, registry, root)",
            "two server pods creating one schema at once collide on unique constraints; the job creates it first");
    }

    [Theory, BothHelms]
    public async Task A_postgres_scheme_in_the_secret_stops_the_job_with_the_fix(HelmVersion helm)
    {
        var script = MigrationJob(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3))!.Spec.Template.Spec.Containers.Single().Args.Single();

        script.Should().Contain("uri.split(\":\", 1)[0] == \"postgres\"").And.Contain("write it as postgresql in the Secret");
    }

    [Theory, BothHelms]
    public async Task With_an_admin_secret_the_job_gives_the_admin_its_password(HelmVersion helm)
    {
        var container = MigrationJob(await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/basic-auth-values.yaml")))!
            .Spec.Template.Spec.Containers.Single();

        container.Env("MLFLOW_AUTH_ADMIN_USERNAME")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-admin", Key = "username" });
        container.Env("MLFLOW_AUTH_ADMIN_PASSWORD")!.ValueFrom.SecretKeyRef.Should().BeEquivalentTo(new { Name = "mlflow-admin", Key = "password" });
        container.Args.Single().Should().Contain("users.update_user(admin, password=password, is_admin=True)",
            "MLflow reads the admin credentials only when it creates the user, so a changed Secret would otherwise be ignored");
    }

    [Theory, BothHelms]
    public async Task Under_basic_auth_the_users_database_is_migrated_too(HelmVersion helm)
    {
        var container = MigrationJob(await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/basic-auth-values.yaml")))!
            .Spec.Template.Spec.Containers.Single();

        container.Env("MLFLOW_AUTH_DATABASE_URI")!.ValueFrom.SecretKeyRef.Key.Should().Be("auth-uri");
        container.Args.Single().Should().Contain("mlflow.server.auth");
    }

    [Theory, BothHelms]
    public async Task SQLite_on_the_charts_own_claim_migrates_in_the_server_pod_before_it_starts(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm);
        var pod = render.Server().Spec.Template.Spec;

        MigrationJob(render).Should().BeNull(
            "a hook Job would wait for a claim that helm install, an upgrade from the upstream chart or an Argo CD first sync creates only after the hooks");
        var migrate = pod.InitContainers.Should().ContainSingle(c => c.Name == "migrate").Subject;
        migrate.Args.Single().Should().Contain("db\", \"upgrade", "an existing database is upgraded before the server starts on it");
        migrate.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("sqlite:////mlflow/mlflow.db");
        migrate.VolumeMounts.Should().Contain(m => m.Name == "data" && m.MountPath == "/mlflow");
        render.Server().Spec.Strategy.Type.Should().Be("Recreate", "one pod at a time owns the SQLite file, so two migrations never race");
    }

    [Theory, BothHelms]
    public async Task SQLite_on_an_existing_claim_migrates_in_a_hook_job_next_to_the_server(HelmVersion helm)
    {
        var job = MigrationJob(await Helm.TemplateAsync(helm, "storage: {existingClaim: mlflow-db}"))!;
        var pod = job.Spec.Template.Spec;

        job.Metadata.Annotations["helm.sh/hook"].Should().Be("pre-install,pre-upgrade", "a claim made before the release exists for the first hook");
        pod.Volumes.Should().Contain(v => v.PersistentVolumeClaim != null && v.PersistentVolumeClaim.ClaimName == "mlflow-db");
        var term = pod.Affinity.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution.Should().ContainSingle().Subject.PodAffinityTerm;
        term.TopologyKey.Should().Be("kubernetes.io/hostname", "a ReadWriteOnce claim is shared only on one node");
        term.LabelSelector.MatchLabels.Should().Contain("app.kubernetes.io/component", "server");
    }

    [Theory, BothHelms]
    public async Task A_database_backend_migrates_without_the_claim_that_holds_only_artifacts(HelmVersion helm)
    {
        var job = MigrationJob(await Helm.TemplateAsync(helm, """
            mlflow: {backendStoreUri: "postgresql://db:5432/mlflow"}
            storage: {enabled: true}
            """))!;

        job.Metadata.Annotations["helm.sh/hook"].Should().Be("pre-install,pre-upgrade");
        job.Spec.Template.Spec.Volumes.Should().NotContain(v => v.PersistentVolumeClaim != null,
            "the claim is created after the pre-install hooks; a Job mounting it would wait forever");
    }

    [Theory, BothHelms]
    public async Task ReadWriteOncePod_works_with_the_charts_own_claim(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "storage: {accessMode: ReadWriteOncePod}");

        render.Server().Spec.Template.Spec.InitContainers.Should().Contain(c => c.Name == "migrate", "the init container shares the pod's claim");
    }

    [Theory, BothHelms]
    public async Task No_job_for_a_file_store_or_when_switched_off(HelmVersion helm)
    {
        MigrationJob(await Helm.TemplateAsync(helm, "mlflow: {backendStoreUri: /mlflow/store}")).Should().BeNull();
        MigrationJob(await Helm.TemplateAsync(helm, "migrations: {enabled: false}")).Should().BeNull();
    }

    [Theory, BothHelms]
    public async Task The_job_runs_without_the_charts_service_account(HelmVersion helm)
    {
        var pod = MigrationJob(await Helm.TemplateAsync(helm, Fragments.PostgresAndS3))!.Spec.Template.Spec;

        pod.ServiceAccountName.Should().Be("default", "a pre-install hook runs before the chart's ServiceAccount exists");
        pod.AutomountServiceAccountToken.Should().BeFalse();
    }
}
