namespace MlflowChart.Tests;

/// <summary>Where runs and artifacts are kept: the claim, its options, and when there is none.</summary>
public sealed class StorageTests
{
    [Theory, BothHelms]
    public async Task External_database_and_object_store_need_no_volume(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, Fragments.PostgresAndS3);

        render.All<V1PersistentVolumeClaim>().Should().BeEmpty();
        render.Server().Spec.Template.Spec.Volumes.Should().NotContain(v => v.PersistentVolumeClaim != null);
        var uri = render.ServerContainer().Env("MLFLOW_BACKEND_STORE_URI")!;
        uri.Value.Should().BeNull();
        uri.ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-db-secret");
        uri.ValueFrom.SecretKeyRef.Key.Should().Be("uri");
        render.ServerContainer().Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("s3://my-bucket/mlflow");
    }

    [Theory, BothHelms]
    public async Task Registry_store_from_a_secret_becomes_its_own_env_var(HelmVersion helm)
    {
        var container = (await Helm.TemplateAsync(helm, Fragments.PostgresAndS3 + """

              registryStoreUriFrom: {secretKeyRef: {name: registry-db, key: uri}}
              defaultArtifactRoot: s3://my-bucket/direct
            """)).ServerContainer();

        container.Env("MLFLOW_REGISTRY_STORE_URI")!.ValueFrom.SecretKeyRef.Name.Should().Be("registry-db");
        container.Env("MLFLOW_DEFAULT_ARTIFACT_ROOT")!.Value.Should().Be("s3://my-bucket/direct");
    }

    [Theory, BothHelms]
    public async Task A_secret_reference_set_to_null_on_the_command_line_counts_as_unset(HelmVersion helm)
    {
        // --set key=null is how Helm users drop a map a values file gave; it must read as "no reference".
        var render = (await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/example-mlflow-charts.yaml"),
            "--set", "mlflow.backendStoreUriFrom=null", "--set", "mlflow.backendStoreUri=postgresql://db.internal:5432/mlflow",
            "--set", "mlflow.registryStoreUriFrom=null", "--set", "auth.databaseUriFrom=null", "--set", "resources=null",
            "--set", "networkPolicy.enabled=true")).ShouldSucceed();

        var container = render.ServerContainer();
        container.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("postgresql://db.internal:5432/mlflow");
        container.Env("MLFLOW_REGISTRY_STORE_URI").Should().BeNull();
    }

    [Theory, BothHelms]
    public async Task A_local_store_path_turns_the_volume_on_by_itself(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, """
            mlflow:
              backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}
              artifactsDestination: /mlflow/artifacts
            """);

        render.Single<V1PersistentVolumeClaim>().Metadata.Name.Should().Be("mlflow-mlflow");
    }

    [Theory, BothHelms]
    public async Task Size_access_mode_and_class_reach_the_claim(HelmVersion helm)
    {
        var claim = (await Helm.TemplateAsync(helm, """
            storage: {enabled: true, size: 50Gi, accessMode: ReadWriteOncePod, storageClassName: gp2}
            mlflow: {backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}}
            """)).Single<V1PersistentVolumeClaim>();

        claim.Spec.Resources.Requests["storage"].ToString().Should().Be("50Gi");
        claim.Spec.AccessModes.Should().Equal("ReadWriteOncePod");
        claim.Spec.StorageClassName.Should().Be("gp2");
    }

    [Theory, BothHelms]
    public async Task Storage_class_dash_asks_for_no_class_and_empty_for_the_default(HelmVersion helm)
    {
        (await Helm.TemplateAsync(helm, "storage: {storageClassName: \"-\"}")).Single<V1PersistentVolumeClaim>()
            .Spec.StorageClassName.Should().Be("");
        (await Helm.TemplateAsync(helm)).Single<V1PersistentVolumeClaim>()
            .Spec.StorageClassName.Should().BeNull();
    }

    [Theory, BothHelms]
    public async Task An_existing_claim_is_mounted_and_no_claim_is_created(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "storage: {existingClaim: restored-data}");

        render.All<V1PersistentVolumeClaim>().Should().BeEmpty();
        render.Server().Spec.Template.Spec.Volumes.Should().ContainSingle(v => v.PersistentVolumeClaim != null)
            .Which.PersistentVolumeClaim.ClaimName.Should().Be("restored-data");
    }

    [Theory, BothHelms]
    public async Task The_mount_path_moves_the_default_database_and_artifacts(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "storage: {mountPath: /data}");
        var container = render.ServerContainer();

        container.VolumeMounts.Should().Contain(m => m.MountPath == "/data");
        container.Env("MLFLOW_BACKEND_STORE_URI")!.Value.Should().Be("sqlite:////data/mlflow.db");
        container.Env("MLFLOW_ARTIFACTS_DESTINATION")!.Value.Should().Be("/data/artifacts");
    }

    [Theory, BothHelms]
    public async Task A_store_on_an_extra_volume_counts_as_writable(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, """
            storage: {enabled: false}
            mlflow:
              backendStoreUri: sqlite:////scratch/mlflow.db
              artifactsDestination: /scratch/artifacts
            extraVolumes: [{name: scratch, emptyDir: {}}]
            extraVolumeMounts: [{name: scratch, mountPath: /scratch}]
            """);

        render.All<V1PersistentVolumeClaim>().Should().BeEmpty();
        render.ServerContainer().VolumeMounts.Should().Contain(m => m.Name == "scratch" && m.MountPath == "/scratch");
    }

    [Theory, BothHelms]
    public async Task The_root_filesystem_is_read_only_with_a_writable_tmp_as_home(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm);
        var container = render.ServerContainer();

        container.SecurityContext.ReadOnlyRootFilesystem.Should().BeTrue();
        container.Env("HOME")!.Value.Should().Be("/tmp");
        var tmp = container.VolumeMounts.Single(m => m.MountPath == "/tmp");
        render.Server().Spec.Template.Spec.Volumes.Single(v => v.Name == tmp.Name).EmptyDir.Should().NotBeNull();
        render.Server().Spec.Template.Spec.SecurityContext.FsGroup.Should().Be(1000, "the claim must be writable by the server's UID");
    }

    [Theory, BothHelms]
    public async Task A_password_from_a_secret_is_filled_into_the_uri_by_kubernetes(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, """
            mlflow:
              backendStoreUri: "postgresql://mlflow:$(MLFLOW_DB_PASSWORD)@db.example.com:5432/mlflow"
              artifactsDestination: s3://bucket/mlflow
              uriVariables:
                - name: MLFLOW_DB_PASSWORD
                  valueFrom: {secretKeyRef: {name: db-password, key: password}}
            garbageCollection: {enabled: true}
            """);

        foreach (var container in new[] { render.ServerContainer(), render.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Spec.Containers.Single() })
        {
            var names = container.Env.Select(e => e.Name).ToList();
            names.IndexOf("MLFLOW_DB_PASSWORD").Should().BeLessThan(names.IndexOf("MLFLOW_BACKEND_STORE_URI"),
                "Kubernetes expands $(NAME) only from variables defined earlier");
            container.Env("MLFLOW_DB_PASSWORD")!.ValueFrom.SecretKeyRef.Name.Should().Be("db-password");
        }
    }

    [Theory, BothHelms]
    public async Task Notes_and_helm_test_name_the_storage_class_a_pending_claim_waits_for(HelmVersion helm)
    {
        var values = "storage: {storageClassName: fast-ssd}";
        var notes = (await Helm.NotesAsync(helm, values)).Stdout;
        var test = (await Helm.TemplateAsync(helm, values)).All<V1Pod>().Single(p => p.Metadata.Name == "mlflow-mlflow-test").Spec.Containers.Single();

        notes.Should().Contain("storage class \"fast-ssd\"").And.Contain("kubectl get storageclass");
        test.Env("MLFLOW_TEST_NOT_SERVING_HINT")!.Value.Should().Contain("mlflow-mlflow").And.Contain("storage class \"fast-ssd\", which must exist");
        (await Helm.NotesAsync(helm)).Stdout.Should().Contain("the cluster's default storage class");
    }
}
