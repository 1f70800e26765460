namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The docs' quick start synced the way Argo CD syncs a Helm chart (see <see cref="ArgoSync"/>):
/// the first sync, a change of values and an image bump each reach Ready and serve the client,
/// with the runs of the first sync still there at the end. Flux runs Helm itself, so the Helm
/// tests cover it.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class ArgoCdOrderOnClusterTests
{
    [Theory, BothHelms]
    public async Task The_quick_start_syncs_first_then_takes_a_values_change_and_an_image_bump(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("argo", helm);
        var argo = new ArgoSync(ns, helm, Repo.Chart);
        var release = new ClusterRelease(ns, helm);
        var quickStart = TestNamespace.Values(QuickStartTests.DocsValues);

        // 1. The first sync: every PreSync hook runs before anything else exists.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await argo.SyncAsync(TimeSpan.FromMinutes(6), quickStart);
        Figures.Record(helm, "argo cd order", "seconds of the first sync (until healthy)", $"{clock.Elapsed.TotalSeconds:0.0}");
        argo.Steps.Should().NotContain(s => s.StartsWith("PreSync", StringComparison.Ordinal),
            "nothing of the quick start may wait, before the sync, for the claim the sync creates");
        argo.Steps.Should().NotContain(s => s.Contains("Pod/mlflow-mlflow-test", StringComparison.Ordinal), "Argo CD never runs helm test hooks");
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        string runId;
        await using (var forward = await release.ForwardAsync())
        {
            runId = (await ClientFlow.RunAsync(forward.Url(), "argo")).RunId;
        }

        // 2. A change of values: GC and metrics on.
        var changed = TestNamespace.Values("""
            garbageCollection:
              enabled: true
            metrics:
              enabled: true
            """);
        await argo.SyncAsync(TimeSpan.FromMinutes(6), quickStart, changed);
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        (await ns.KubectlAsync("get", "cronjob", "mlflow-mlflow-gc", "-o", "name")).Should().Contain("mlflow-mlflow-gc");

        // 3. An image bump: the same image under a new tag, so the pod is replaced and migrates first.
        var bumped = await cluster.TagImageAsync("argo-bump");
        var bump = TestNamespace.Values($"image:\n  tag: {bumped}\n");
        await argo.SyncAsync(TimeSpan.FromMinutes(6), quickStart, changed, bump);
        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        pod.Spec.Containers.Single(c => c.Name == "mlflow").Image.Should().EndWith(":" + bumped);
        pod.Spec.InitContainers.Should().Contain(c => c.Name == "migrate" && c.Image.EndsWith(":" + bumped, StringComparison.Ordinal),
            "the new image migrates the database before its server starts");

        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.GetRunAsync(runId)).Should().NotBeNull("the run of the first sync survives the values change and the image bump");
            (await ClientFlow.RunAsync(forward.Url(), "argo-after")).RunId.Should().NotBeNullOrEmpty();
        }
    }
    /// <summary>
    /// An Argo CD user of this chart's previous version: nothing can look up the old selector or
    /// claim, so the README's two steps are taken: the Deployment deleted with --cascade=orphan
    /// (its pods keep serving), and storage.existingClaim naming the old claim. The sync then
    /// reaches Ready on the old claim with the old runs.
    /// </summary>
    [Theory, BothHelms]
    public async Task The_previous_versions_release_syncs_to_this_one_with_the_readmes_two_steps(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var previous = await PreviousChart.ReleasedAsync();
        if (previous.Dir is null)
        {
            Assert.Skip(previous.Reason!);
        }

        await using var ns = await cluster.CreateNamespaceAsync("argoprev", helm);
        var quickStart = TestNamespace.Values(QuickStartTests.DocsValues);
        var release = new ClusterRelease(ns, helm);

        // The previous version, synced by Argo CD. Its pre-upgrade migration hook becomes a PreSync
        // that waits for the claim the sync creates, so its Argo CD users had turned migrations off.
        var old = new ArgoSync(ns, helm, previous.Dir!);
        await old.SyncAsync(TimeSpan.FromMinutes(6), quickStart, TestNamespace.Values("migrations:\n  enabled: false\n"));
        string runId;
        await using (var forward = await release.ForwardAsync())
        {
            runId = (await ClientFlow.RunAsync(forward.Url(), "argo-previous")).RunId;
        }

        // The README's steps, then a sync of this version.
        await ns.KubectlAsync("delete", "deployment", "mlflow-mlflow", "--cascade=orphan");
        var argo = new ArgoSync(ns, helm, Repo.Chart);
        await argo.SyncAsync(TimeSpan.FromMinutes(6), quickStart, TestNamespace.Values("storage:\n  existingClaim: mlflow-mlflow-data\n"));
        await release.ShouldBeReadyWithoutRestartsAsync(1);

        (await ns.KubectlAsync("get", "pvc", "-o", "name")).Trim().Should().Be("persistentvolumeclaim/mlflow-mlflow-data", "the old claim is used and no new one is made");
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.GetRunAsync(runId)).Should().NotBeNull("the run of the previous version is kept");
        }
    }
}
