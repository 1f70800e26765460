using System.Text.Json.Nodes;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The release `mlflow` of this chart in one test namespace of the real cluster: helm install,
/// upgrade, test and uninstall as the docs write them (from the repository root, `./charts`),
/// always with the cluster's MLflow image, and what a user then looks at: the server pods, their
/// restarts, the time they took to become Ready and the memory they use.
/// </summary>
public sealed class ClusterRelease(TestNamespace ns, HelmVersion helm, string chart)
{
    public const string Name = "mlflow";
    public const string Service = "mlflow-mlflow";

    public ClusterRelease(TestNamespace ns, HelmVersion helm)
        : this(ns, helm, Repo.Chart)
    {
    }

    public TestNamespace Namespace { get; } = ns;

    public HelmVersion Helm { get; } = helm;

    public Task<string> InstallAsync(params string[] args) =>
        Namespace.MustHelmAsync(Helm, ["install", Name, chart, "--create-namespace", "--wait", "--timeout", "10m", "-f", ImageValues, .. args]);

    public Task<string> UpgradeAsync(params string[] args) => UpgradeToChartAsync(chart, args);

    /// <summary>`helm upgrade` to another version of the chart (e.g. from the previous release to this one).</summary>
    public Task<string> UpgradeToChartAsync(string chartDir, params string[] args) =>
        Namespace.MustHelmAsync(Helm, ["upgrade", Name, chartDir, "--wait", "--timeout", "10m", "-f", ImageValues, .. args]);

    /// <summary>
    /// `helm test`; fails with the test pod's log. (Not `--logs`: the pod is deleted once it passes,
    /// and Helm 3 then fails to fetch the log of a passed test.)
    /// </summary>
    public async Task<string> TestAsync()
    {
        var result = await Namespace.HelmAsync(Helm, "test", Name, "--timeout", "5m");
        if (!result.Succeeded)
        {
            var log = await Namespace.LogsAsync($"{Service}-test");
            result.Succeeded.Should().BeTrue($"helm test failed:\n{result.Stdout}\n{result.Stderr}\ntest pod log:\n{log}");
        }

        return result.Stdout;
    }

    public Task<string> UninstallAsync() => Namespace.MustHelmAsync(Helm, "uninstall", Name, "--wait", "--timeout", "5m");

    public Task<PortForward> ForwardAsync() => PortForward.StartAsync(Namespace, $"svc/{Service}");

    public Task<IReadOnlyList<V1Pod>> ServerPodsAsync() => Namespace.PodsAsync("server");

    private string ImageValues => TestNamespace.Values(Namespace.Cluster.ImageValues);

    /// <summary>Every server pod Ready, none restarted; returns them.</summary>
    public async Task<IReadOnlyList<V1Pod>> ShouldBeReadyWithoutRestartsAsync(int replicas)
    {
        var pods = await ServerPodsAsync();
        pods.Should().HaveCount(replicas, "the Deployment runs that many server pods");
        foreach (var pod in pods)
        {
            var why = await DescribeAsync(pod);
            pod.Status.Conditions.Should().Contain(c => c.Type == "Ready" && c.Status == "True", $"{pod.Metadata.Name} is Ready\n{why}");
            pod.Status.ContainerStatuses.Sum(c => c.RestartCount).Should().Be(0, $"{pod.Metadata.Name} never restarted\n{why}");
        }

        return pods;
    }

    /// <summary>Waits until every server pod is Ready again (e.g. after an overload), at most the timeout.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline
            && (await ServerPodsAsync()).Any(p => !p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True")))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Restarts of the server containers so far.</summary>
    public async Task<int> RestartsAsync() =>
        (await ServerPodsAsync()).Sum(p => (p.Status.ContainerStatuses ?? []).Sum(c => c.RestartCount));

    /// <summary>Seconds from a pod's creation to its Ready condition.</summary>
    public static double SecondsToReady(V1Pod pod)
    {
        var ready = pod.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime!.Value;
        return (ready - pod.Metadata.CreationTimestamp!.Value).TotalSeconds;
    }

    /// <summary>
    /// The memory a server container uses now, in MiB, as the kubelet counts it against the limit:
    /// the cgroup's usage minus its inactive file cache (the working set).
    /// </summary>
    public async Task<double> WorkingSetMiBAsync(V1Pod pod)
    {
        var output = await Namespace.ExecAsync(pod.Metadata.Name, "python3", "-c", """
            import os
            v2 = os.path.exists("/sys/fs/cgroup/memory.current")
            base = "/sys/fs/cgroup" if v2 else "/sys/fs/cgroup/memory"
            usage = int(open(f"{base}/memory.current" if v2 else f"{base}/memory.usage_in_bytes").read())
            stat = dict(line.split() for line in open(f"{base}/memory.stat"))
            inactive = int(stat.get("inactive_file" if v2 else "total_inactive_file", 0))
            print((usage - inactive) / 1048576)
            """);
        return double.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A pod's status lines and the namespace's recent events, for assertion messages.</summary>
    public async Task<string> DescribeAsync(V1Pod pod)
    {
        var statuses = string.Join('\n', (pod.Status.ContainerStatuses ?? []).Select(c =>
            $"{c.Name}: restarts={c.RestartCount} state={Json(c.State)} last={Json(c.LastState)}"));
        var events = (await Namespace.EventsAsync()).TakeLast(25)
            .Select(e => $"{e.InvolvedObject.Kind}/{e.InvolvedObject.Name} {e.Reason}: {e.Message}");
        return $"{statuses}\nevents:\n{string.Join('\n', events)}";

        static string Json(object? o) => o is null ? "-" : k8s.KubernetesJson.Serialize(o);
    }

    /// <summary>The admin credentials of a Secret with the keys username and password.</summary>
    public static (string User, string Password) Admin => ("admin", "s3cret-Admin-passw0rd");

    /// <summary>Reads the JSON summary of a `helm test` pod's log, if it printed one.</summary>
    public static JsonNode? LastJsonLine(string logs) =>
        logs.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{')) is { } line ? JsonNode.Parse(line) : null;
}
