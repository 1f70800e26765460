using k8s;
namespace MlflowChart.Tests.Cluster;

/// <summary>
/// Memory under load, for each row of the README's sizing table (workers x job execution): the
/// quick start with a generous limit, 10 requests/s through the Service for a minute (searches
/// and metric logging), the container's working set (what the kubelet counts against the limit)
/// sampled every 2 s. The chart's default limit for the row must leave room above the peak, and
/// the chart's estimate of the peak (which NOTES compare a limit with) must not be below it.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class SizingUnderLoadOnClusterTests
{
    [Theory]
    [InlineData(4, true)]
    [InlineData(1, true)]
    [InlineData(4, false)]
    [InlineData(1, false)]
    public async Task The_default_limit_leaves_room_above_the_peak_under_load(int workers, bool jobs)
    {
        var cluster = await RealCluster.RequireAsync();
        const HelmVersion helm = HelmVersion.Helm3;
        var row = $"{workers} worker(s), job execution {(jobs ? "on" : "off")}";
        var flags = new[] { "--set", $"server.workers={workers}", "--set", $"server.jobExecution={(jobs ? "true" : "false")}" };

        await using var ns = await cluster.CreateNamespaceAsync("sizing", helm);
        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync([.. QuickStartTests.DocsFlags, .. flags,
            "--set", "resources.requests.cpu=250m", "--set", "resources.requests.memory=512Mi", "--set", "resources.limits.memory=4Gi"]);
        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        string runId;
        await using (var forward = await release.ForwardAsync())
        {
            runId = (await ClientFlow.RunAsync(forward.Url(), "sizing")).RunId;
        }

        var idle = await release.WorkingSetMiBAsync(pod);
        var peak = idle;
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        IReadOnlyList<LoadGenerator.Sample> samples;
        await using (var load = LoadGenerator.Start($"http://{service.Spec.ClusterIP}:5000", runId, 10, null))
        {
            for (var i = 0; i < 30; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
                peak = Math.Max(peak, await release.WorkingSetMiBAsync(pod));
            }

            samples = await load.StopAsync();
        }

        Figures.Record(helm, "sizing under load", $"{row}: working set MiB idle / peak under 10 req/s (failed requests)", $"{idle:0} / {peak:0} ({samples.Count(s => s.Failed)} of {samples.Count})");
        await release.ShouldBeReadyWithoutRestartsAsync(1);

        // What the chart itself gives this row: its limit, and the peak NOTES compare a limit with.
        var sized = (await Helm.TemplateAsync(helm, null, [.. QuickStartTests.DocsFlags, .. flags])).ServerContainer().Resources;
        var defaultLimit = sized.Limits["memory"].ToInt64() / (1024 * 1024);
        var notes = (await Helm.NotesAsync(helm, $"server: {{workers: {workers}, jobExecution: {(jobs ? "true" : "false")}}}\n")).Stdout;
        var match = System.Text.RegularExpressions.Regex.Match(notes, @"about (\d+) MiB under load");
        match.Success.Should().BeTrue($"NOTES give the peak under load:\n{notes}");
        var estimate = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        estimate.Should().BeGreaterThanOrEqualTo((int)peak, $"{row}: the chart's peak estimate, which NOTES compare a limit with, covers the measured peak");
        defaultLimit.Should().BeGreaterThanOrEqualTo((long)(peak * 1.15), $"{row}: the default limit ({defaultLimit} MiB) leaves 15% above the measured peak ({peak:0} MiB)");
    }
}
