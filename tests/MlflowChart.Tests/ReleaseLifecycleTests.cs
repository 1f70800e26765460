using k8s;
namespace MlflowChart.Tests;

/// <summary>
/// Real `helm install`, `helm upgrade` and `helm uninstall` against the test API server: objects
/// are stored, immutable fields are enforced and resource policies honoured, though no pod runs.
/// Hooks are skipped (--no-hooks) except where a test is about them: no kubelet ever finishes a
/// hook Job here.
/// </summary>
public sealed class ReleaseLifecycleTests
{
    private static readonly string[] NoHooks = ["--no-hooks"];

    private const string ProductionValues = """
        replicaCount: 2
        mlflow:
          backendStoreUriFrom: {secretKeyRef: {name: mlflow-db-secret, key: uri}}
          artifactsDestination: s3://my-bucket/mlflow
        storage: {enabled: false}
        """;

    [Theory, BothHelms]
    public async Task Quick_start_installs_upgrades_to_production_and_uninstall_keeps_the_claim(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync($"lifecycle-{helm}".ToLowerInvariant());
        string[] target = ["--namespace", ns];

        await Run(api, helm, ["install", Helm.Release, Repo.Chart, .. target, .. NoHooks, .. QuickStartTests.DocsFlags]);
        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, .. target, .. NoHooks, .. QuickStartTests.DocsFlags]);
        var deployment = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        deployment.Spec.Strategy.Type.Should().Be("Recreate");

        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, .. target, .. NoHooks, "--values", Helm.WriteValues(ProductionValues)]);
        deployment = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        deployment.Spec.Replicas.Should().Be(2);
        deployment.Spec.Strategy.Type.Should().Be("RollingUpdate");
        (await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow", ns, cancellationToken: Ct))
            .Should().NotBeNull("turning storage off must not delete the data of the quick start");

        await Run(api, helm, ["uninstall", Helm.Release, .. target]);
        (await api.Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Ct)).Items.Should().BeEmpty();
        (await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow", ns, cancellationToken: Ct))
            .Metadata.Annotations.Should().Contain("helm.sh/resource-policy", "keep");
    }

    [Theory, BothHelms]
    public async Task A_reinstall_adopts_the_claim_kept_by_uninstall(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync($"reinstall-{helm}".ToLowerInvariant());

        await Run(api, helm, ["install", Helm.Release, Repo.Chart, "--namespace", ns, .. NoHooks]);
        await Run(api, helm, ["uninstall", Helm.Release, "--namespace", ns]);
        await Run(api, helm, ["install", Helm.Release, Repo.Chart, "--namespace", ns, .. NoHooks]);

        var claim = await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        claim.Metadata.Annotations.Should().Contain("meta.helm.sh/release-name", Helm.Release);
    }

    [Theory, BothHelms]
    public async Task Upgrade_from_the_previous_chart_version_changes_no_immutable_field(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var previous = await PreviousChart.GetAsync();
        if (previous.Dir is null)
        {
            Assert.Skip(previous.Reason!);
        }

        var ns = await api.NamespaceAsync($"from-previous-{helm}".ToLowerInvariant());
        await Run(api, helm, ["install", Helm.Release, previous.Dir, "--namespace", ns, .. NoHooks]);
        var before = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);

        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, "--namespace", ns, .. NoHooks]);

        var after = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        after.Spec.Selector.MatchLabels.Should().BeEquivalentTo(before.Spec.Selector.MatchLabels);
    }

    [Theory, BothHelms]
    public async Task The_migration_hook_runs_before_the_server_is_changed(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync($"migrate-hook-{helm}".ToLowerInvariant());
        var before = Helm.WriteValues(ProductionValues);
        var after = Helm.WriteValues(ProductionValues + "\nserver: {workers: 2}");
        await Run(api, helm, ["install", Helm.Release, Repo.Chart, "--namespace", ns, .. NoHooks, "--values", before]);

        var upgrade = await api.HelmAsync(helm, ["upgrade", Helm.Release, Repo.Chart, "--namespace", ns, "--values", after, "--timeout", "4s"]);

        upgrade.Succeeded.Should().BeFalse("no kubelet runs the migration here, so the pre-upgrade hook never completes");
        upgrade.Stderr.Should().Contain("pre-upgrade");
        var job = await api.Client.BatchV1.ReadNamespacedJobAsync("mlflow-mlflow-migrate", ns, cancellationToken: Ct);
        job.Metadata.Annotations["helm.sh/hook"].Should().Contain("pre-upgrade");
        job.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "MLFLOW_BACKEND_STORE_URI")
            .ValueFrom.SecretKeyRef.Name.Should().Be("mlflow-db-secret");
        var deployment = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        deployment.Spec.Template.Spec.Containers[0].Args.Should().Contain("--workers=4",
            "the server must not be changed before its database is migrated");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task Run(ApiServer api, HelmVersion helm, string[] args)
    {
        var result = await api.HelmAsync(helm, args);
        result.Succeeded.Should().BeTrue($"helm {string.Join(' ', args)} must succeed:\n{result.Stderr}");
    }
}
