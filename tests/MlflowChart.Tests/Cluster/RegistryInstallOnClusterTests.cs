namespace MlflowChart.Tests.Cluster;

/// <summary>
/// A platform team's first install: the quick start from a released, signed version in an OCI
/// registry (scripts/release.sh against the suite's registry), pinned and verified with
/// `helm install --version --verify`, then the MLflow client flow through the Service.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class RegistryInstallOnClusterTests
{
    [Theory, BothHelms]
    public async Task The_quick_start_installs_from_the_registry_with_verify_and_serves_the_client(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var rig = await ReleaseRig.RequireAsync();
        var tree = await ReleaseRig.CommittedCopyAsync();
        var registry = $"oci://{rig.Registry}/cluster-{helm.ToString().ToLowerInvariant()}/charts";
        var published = await rig.ReleaseAsync(tree, helm, "--registry", registry, "--out", Path.Combine(tree, "dist"), "--plain-http", "--skip-suite");
        published.Succeeded.Should().BeTrue(published.Stderr);
        await using var ns = await cluster.CreateNamespaceAsync("registry", helm);
        var release = new ClusterRelease(ns, helm, $"{registry}/mlflow");

        await release.InstallAsync(["--version", Repo.ChartField("version"), "--verify", "--keyring", rig.Key.PublicRing, "--plain-http", .. QuickStartTests.DocsFlags]);

        (await release.ShouldBeReadyWithoutRestartsAsync(1)).Should().ContainSingle();
        await using var forward = await release.ForwardAsync();
        var flow = await ClientFlow.RunAsync(forward.Url(), "from-registry");
        flow.RunId.Should().NotBeNullOrEmpty();
        flow.ArtifactUri.Should().StartWith("mlflow-artifacts:");
    }
}
