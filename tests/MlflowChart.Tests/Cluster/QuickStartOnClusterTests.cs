namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The docs' quick start on the real cluster, step by step as a new user takes it: the install
/// command, the pod becoming 1/1 Running, `kubectl port-forward svc/mlflow-mlflow 5000:5000`, the
/// MLflow client, then garbage collection, an upgrade, uninstall and a reinstall that finds the runs.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class QuickStartOnClusterTests
{
    [Theory, BothHelms]
    public async Task Quick_start_serves_the_client_collects_garbage_and_keeps_its_runs_across_uninstall(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("quick", helm);
        var release = new ClusterRelease(ns, helm);

        // 1. Install, as the docs write it.
        await release.InstallAsync(QuickStartTests.DocsFlags);
        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        Figures.Record(helm, "quick start", "seconds from pod creation to Ready", $"{ClusterRelease.SecondsToReady(pod):0.0}");

        // 2. Port-forward and the MLflow client, as the docs write them.
        string keptRun;
        string doomedRun;
        string doomedArtifacts;
        await using (var forward = await release.ForwardAsync())
        {
            var flow = await ClientFlow.RunAsync(forward.Url(), "quick-start");
            keptRun = flow.RunId;
            flow.ArtifactUri.Should().StartWith("mlflow-artifacts:", "the server proxies artifacts to its volume");

            using var api = new MlflowRest(forward.Url());
            var doomed = await api.LogRunAsync(flow.ExperimentId, "to be collected\n");
            doomedRun = doomed.RunId;
            doomedArtifacts = $"/mlflow/artifacts/{flow.ExperimentId}/{doomedRun}";
            await api.DeleteRunAsync(doomedRun);
        }

        (await FilesAsync(ns, pod, doomedArtifacts)).Should().ContainSingle(f => f.EndsWith("/notes/hello.txt"), "the deleted run's artifact is still on the volume before GC");
        Figures.Record(helm, "quick start", "idle working set MiB (4 workers, job execution on)", $"{await release.WorkingSetMiBAsync(pod):0}");

        // 3. Upgrade with the docs' garbage-collection section (olderThan shortened so the run just deleted qualifies).
        await release.UpgradeAsync([.. QuickStartTests.DocsFlags, "--set", "garbageCollection.enabled=true", "--set", "garbageCollection.olderThan=1s"]);
        var afterUpgrade = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        afterUpgrade.Metadata.Name.Should().Be(pod.Metadata.Name, "turning GC on changes nothing in the server pod, so the upgrade keeps it");

        var gc = await ns.RunCronJobNowAsync("mlflow-mlflow-gc", TimeSpan.FromMinutes(4));
        gc.Succeeded.Should().BeTrue($"the GC job succeeds:\n{gc.Logs}");
        (await FilesAsync(ns, pod, doomedArtifacts)).Should().BeEmpty("GC removed the deleted run's artifacts from the volume");

        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.GetRunAsync(doomedRun)).Should().BeNull("GC removed the deleted run for good");
            (await api.GetRunAsync(keptRun)).Should().NotBeNull("GC leaves live runs alone");
        }

        // 4. helm test runs the client flow in the cluster, against the Service; doctor finds nothing wrong.
        (await release.TestAsync()).Should().MatchRegex(@"Phase:\s+Succeeded", "the helm test pod ran the client flow to its end");
        (await DoctorRun.RunAsync(ns, $"healthy-quick-start-{helm}")).ShouldBeAllOk();

        // 5. Uninstall keeps the claim; a reinstall of the same release picks it up with the runs.
        await release.UninstallAsync();
        (await ns.RemainingObjectsAsync()).Should().BeEquivalentTo(["PersistentVolumeClaim/mlflow-mlflow-data"],
            "helm uninstall removes everything but the claim, which the docs say to delete by hand");

        await release.InstallAsync(QuickStartTests.DocsFlags);
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.ExperimentNamesAsync()).Should().Contain("quick-start", "the reinstalled server reads the kept database");
            var run = await api.GetRunAsync(keptRun);
            run.Should().NotBeNull("the run logged before uninstall is still there");
            run!["data"]!["params"]!.AsArray().Should().Contain(p => p!["key"]!.GetValue<string>() == "learning_rate");
        }
    }

    /// <summary>The files under a directory of the server pod (none when it is gone).</summary>
    private static async Task<IReadOnlyList<string>> FilesAsync(TestNamespace ns, V1Pod pod, string dir) =>
        (await ns.ExecAsync(pod.Metadata.Name, "sh", "-c", $"find {dir} -type f 2>/dev/null || true"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
