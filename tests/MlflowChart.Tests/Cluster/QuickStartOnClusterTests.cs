using k8s;
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
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await release.InstallAsync(QuickStartTests.DocsFlags);
        Figures.Record(helm, "quick start", "seconds of helm install --wait (until Ready)", $"{clock.Elapsed.TotalSeconds:0.0}");
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
            foreach (var host in new[] { "localhost:5000", "127.0.0.1:5000", "[::1]:5000" })
            {
                (await api.StatusWithHostAsync("api/2.0/mlflow/experiments/search?max_results=1", host)).Should().Be(200,
                    $"a client of the port-forward at {host} (IPv4 or IPv6 loopback) gets no 403");
            }

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

        // 4. Under 10 requests/s through the Service: memory, and an upgrade that replaces the pod. One
        //    pod on SQLite is replaced with Recreate, so the server is away until the new pod is Ready.
        var service = await ns.Cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        IReadOnlyList<LoadGenerator.Sample> samples;
        double upgraded;
        await using (var load = LoadGenerator.Start($"http://{service.Spec.ClusterIP}:5000", keptRun, 10, null))
        {
            await Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Figures.Record(helm, "quick start", "working set MiB under 10 req/s", $"{await release.WorkingSetMiBAsync(afterUpgrade):0}");
            await release.UpgradeAsync([.. QuickStartTests.DocsFlags, "--set", "garbageCollection.enabled=true", "--set", "garbageCollection.olderThan=1s",
                "--set-string", $"podAnnotations.rollout={DateTime.UtcNow:HHmmss}"]);
            upgraded = load.Now;
            await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            samples = await load.StopAsync();
        }

        var failed = samples.Where(x => x.Failed).ToList();
        var away = failed.Count == 0 ? 0 : failed.Max(x => x.SentAt) - failed.Min(x => x.SentAt);
        Figures.Record(helm, "quick start", "upgrade replacing the pod (Recreate) under 10 req/s: failed / requests, seconds away", $"{failed.Count} / {samples.Count}, {away:0}");
        Figures.Record(helm, "quick start", "latency p50 / p99 s of the requests that succeeded",
            $"{LoadGenerator.Percentile(samples.Where(x => !x.Failed).ToList(), 50):0.000} / {LoadGenerator.Percentile(samples.Where(x => !x.Failed).ToList(), 99):0.000}");
        samples.Where(x => x.SentAt > upgraded).Should().OnlyContain(x => !x.Failed, "once helm upgrade --wait returns, the new pod serves every request");
        away.Should().BeLessThan(90, "Recreate leaves the server away only while the new pod starts");
        await release.ShouldBeReadyWithoutRestartsAsync(1);

        // 5. helm test runs the client flow in the cluster, against the Service; doctor finds nothing wrong.
        (await release.TestAsync()).Should().MatchRegex(@"Phase:\s+Succeeded", "the helm test pod ran the client flow to its end");
        var doctor = await DoctorRun.RunAsync(ns, $"healthy-quick-start-{helm}");
        doctor.ShouldBeAllOk();
        Figures.Record(helm, "quick-start", "seconds doctor takes on the healthy release (every check, probes included)", $"{doctor.Seconds:0.0}");
        doctor.Seconds.Should().BeLessThan(10, "doctor answers within 10 seconds on a healthy release");

        // 6. Uninstall keeps the claim; a reinstall of the same release picks it up with the runs.
        await release.UninstallAsync();
        (await ns.RemainingObjectsAsync()).Should().BeEquivalentTo(["PersistentVolumeClaim/mlflow-mlflow"],
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
