using k8s;
using System.Globalization;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// `helm upgrade` replaces both pods of the production release while clients keep working:
/// authenticated requests at a steady rate through the Service, none of which may fail.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class RollingUpgradeUnderLoadTests
{
    /// <summary>Requests per second; MLFLOW_LOAD_RATE raises it for a heavier run.</summary>
    private static double Rate =>
        double.TryParse(Environment.GetEnvironmentVariable("MLFLOW_LOAD_RATE"), CultureInfo.InvariantCulture, out var rate) ? rate : 10;

    [Theory, BothHelms]
    public async Task A_rolling_upgrade_under_authenticated_load_drops_no_request(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("roll", helm);
        var (release, files) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm);
        var before = await release.ShouldBeReadyWithoutRestartsAsync(2);

        // Through the Service's ClusterIP, as an in-cluster client reaches it.
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        var url = $"http://{service.Spec.ClusterIP}:5000";
        string runId;
        using (var api = new MlflowRest(url, ClusterRelease.Admin))
        {
            var experiment = await api.CreateExperimentAsync("load");
            runId = (await api.CallAsync("runs/create", new { experiment_id = experiment }))["run"]!["info"]!["run_id"]!.GetValue<string>();
        }

        await using var load = LoadGenerator.Start(url, runId, Rate, ClusterRelease.Admin);
        await Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var rolloutStart = load.Now;
        await release.UpgradeAsync([.. files, "--set-string", $"podAnnotations.rollout={DateTime.UtcNow:HHmmss}"]);
        var rolloutEnd = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var samples = await load.StopAsync();

        var after = await release.ShouldBeReadyWithoutRestartsAsync(2);
        after.Select(p => p.Metadata.Name).Should().NotIntersectWith(before.Select(p => p.Metadata.Name), "the upgrade replaced both pods");

        var baseline = samples.Where(s => s.SentAt < rolloutStart).ToList();
        var rollout = samples.Where(s => s.SentAt >= rolloutStart && s.SentAt <= rolloutEnd).ToList();
        var failed = samples.Where(s => s.Failed).ToList();
        var scenario = $"rolling upgrade, {Rate:0} authenticated req/s";
        Figures.Record(helm, scenario, "requests (baseline / during rollout / all)", $"{baseline.Count} / {rollout.Count} / {samples.Count}");
        Figures.Record(helm, scenario, "failed requests", $"{failed.Count}");
        Figures.Record(helm, scenario, "rollout seconds (helm upgrade --wait)", $"{rolloutEnd - rolloutStart:0.0}");
        Figures.Record(helm, scenario, "latency baseline p50 / p99 s", $"{LoadGenerator.Percentile(baseline, 50):0.000} / {LoadGenerator.Percentile(baseline, 99):0.000}");
        Figures.Record(helm, scenario, "latency during rollout p50 / p95 / p99 / max s",
            $"{LoadGenerator.Percentile(rollout, 50):0.000} / {LoadGenerator.Percentile(rollout, 95):0.000} / {LoadGenerator.Percentile(rollout, 99):0.000} / {LoadGenerator.Percentile(rollout, 100):0.000}");
        foreach (var pod in after)
        {
            Figures.Record(helm, scenario, "working set MiB per pod after the load", $"{await release.WorkingSetMiBAsync(pod):0}");
        }

        rollout.Should().NotBeEmpty("the load ran while the pods were replaced");
        failed.Should().BeEmpty("no request may fail while the pods are replaced; failures:\n" +
            string.Join('\n', failed.Take(20).Select(f => $"{f.SentAt:0.0}s: {f.Status} {f.Error}")));
    }
}
