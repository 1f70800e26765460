using k8s;
namespace MlflowChart.Tests;

/// <summary>
/// Real `helm install`, `helm upgrade` and `helm uninstall` against the test API server: objects
/// are stored, immutable fields are enforced and resource policies honoured, though no pod runs.
/// </summary>
public sealed class ReleaseLifecycleTests
{
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

        await Run(api, helm, ["install", Helm.Release, Repo.Chart, .. target, .. QuickStartTests.DocsFlags]);
        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, .. target, .. QuickStartTests.DocsFlags]);
        var deployment = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        deployment.Spec.Strategy.Type.Should().Be("Recreate");

        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, .. target, "--values", Helm.WriteValues(ProductionValues)]);
        deployment = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        deployment.Spec.Replicas.Should().Be(2);
        deployment.Spec.Strategy.Type.Should().Be("RollingUpdate");
        (await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow-data", ns, cancellationToken: Ct))
            .Should().NotBeNull("turning storage off must not delete the data of the quick start");

        await Run(api, helm, ["uninstall", Helm.Release, .. target]);
        (await api.Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Ct)).Items.Should().BeEmpty();
        (await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow-data", ns, cancellationToken: Ct))
            .Metadata.Annotations.Should().Contain("helm.sh/resource-policy", "keep");
    }

    [Theory, BothHelms]
    public async Task A_reinstall_adopts_the_claim_kept_by_uninstall(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync($"reinstall-{helm}".ToLowerInvariant());

        await Run(api, helm, ["install", Helm.Release, Repo.Chart, "--namespace", ns]);
        await Run(api, helm, ["uninstall", Helm.Release, "--namespace", ns]);
        await Run(api, helm, ["install", Helm.Release, Repo.Chart, "--namespace", ns]);

        var claim = await api.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow-data", ns, cancellationToken: Ct);
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
        await Run(api, helm, ["install", Helm.Release, previous.Dir, "--namespace", ns]);
        var before = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);

        await Run(api, helm, ["upgrade", Helm.Release, Repo.Chart, "--namespace", ns]);

        var after = await api.Client.AppsV1.ReadNamespacedDeploymentAsync("mlflow-mlflow", ns, cancellationToken: Ct);
        after.Spec.Selector.MatchLabels.Should().BeEquivalentTo(before.Spec.Selector.MatchLabels);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task Run(ApiServer api, HelmVersion helm, string[] args)
    {
        var result = await api.HelmAsync(helm, args);
        result.Succeeded.Should().BeTrue($"helm {string.Join(' ', args)} must succeed:\n{result.Stderr}");
    }
}
