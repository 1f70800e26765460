using System.Text.Json;
using k8s;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// The real Kubernetes cluster KUBECONFIG points at (on this machine: ../shared/rig, started by
/// scripts/cluster-test.sh), with the MLflow image already on its node. Tests that need it call
/// <see cref="RequireAsync"/>, which skips them with the reason when there is no such cluster:
/// CI has none, so there they are reported as skipped.
/// </summary>
public sealed class RealCluster
{
    /// <summary>The MLflow image the rig builds; MLFLOW_TEST_IMAGE names another one.</summary>
    public const string DefaultImage = "localhost/mlflow:v3.11.2.dev0-full";

    private static readonly Lazy<Task<(RealCluster? Cluster, string? Reason)>> Instance = new(ConnectAsync);

    private RealCluster(string kubeconfig, IKubernetes client, string image)
    {
        Kubeconfig = kubeconfig;
        Client = client;
        Image = image;
    }

    public string Kubeconfig { get; }

    public IKubernetes Client { get; }

    /// <summary>The MLflow image every release of the cluster tests runs (repository:tag).</summary>
    public string Image { get; }

    /// <summary>Values that point a release at <see cref="Image"/>, which is on the node and never pulled.</summary>
    public string ImageValues
    {
        get
        {
            var colon = Image.LastIndexOf(':');
            return $"image:\n  repository: {Image[..colon]}\n  tag: {Image[(colon + 1)..]}\n  pullPolicy: Never\n";
        }
    }

    /// <summary>
    /// Gives <see cref="Image"/> a second tag on the node (the rig's containerd, CONTAINERD_ADDRESS
    /// or /tmp/k8s/run/containerd/containerd.sock), for a test that bumps the image; returns the tag.
    /// </summary>
    public async Task<string> TagImageAsync(string tag)
    {
        var address = Environment.GetEnvironmentVariable("CONTAINERD_ADDRESS") is { Length: > 0 } a ? a : "/tmp/k8s/run/containerd/containerd.sock";
        var repository = Image[..Image.LastIndexOf(':')];
        var result = await ProcessRunner.RunAsync("ctr", ["--address", address, "-n", "k8s.io", "images", "tag", "--force", Image, $"{repository}:{tag}"], TimeSpan.FromMinutes(1));
        if (!result.Succeeded)
        {
            Assert.Skip($"cannot tag the image on the node with ctr at {address}: {result.Stderr.Trim()}");
        }

        return tag;
    }

    /// <summary>The cluster; skips the calling test, with the reason, when there is none.</summary>
    public static async Task<RealCluster> RequireAsync()
    {
        var (cluster, reason) = await Instance.Value;
        if (cluster is null)
        {
            Assert.Skip($"No real cluster: {reason}. scripts/cluster-test.sh starts one (../shared/rig) and runs these tests.");
        }

        return cluster;
    }

    public static string KubectlBinary =>
        Environment.GetEnvironmentVariable("KUBECTL_BIN") is { Length: > 0 } bin ? bin : "kubectl";

    public Task<ProcessResult> KubectlAsync(params string[] args) => KubectlAsync(TimeSpan.FromMinutes(2), args);

    public Task<ProcessResult> KubectlAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync(KubectlBinary, ["--kubeconfig", Kubeconfig, .. args], timeout);

    /// <summary>kubectl that must succeed; its output on failure goes into the assertion message.</summary>
    public async Task<string> MustKubectlAsync(params string[] args)
    {
        var result = await KubectlAsync(args);
        result.Succeeded.Should().BeTrue($"kubectl {string.Join(' ', args)} failed:\n{result.Stdout}\n{result.Stderr}");
        return result.Stdout;
    }

    /// <summary>helm against the cluster, with a time limit long enough for --wait.</summary>
    public Task<ProcessResult> HelmAsync(HelmVersion helm, string ns, params string[] args) =>
        Helm.RunAsync(helm, [.. args, "--namespace", ns, "--kubeconfig", Kubeconfig], timeout: TimeSpan.FromMinutes(12));

    /// <summary>A fresh namespace (restricted Pod Security, the cluster's default) that is deleted when disposed.</summary>
    public async Task<TestNamespace> CreateNamespaceAsync(string purpose, HelmVersion helm)
    {
        var name = $"mlf-{purpose}-{(helm == HelmVersion.Helm3 ? "h3" : "h4")}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return new TestNamespace(this, name);
    }

    private static async Task<(RealCluster?, string?)> ConnectAsync()
    {
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (string.IsNullOrEmpty(kubeconfig) || !File.Exists(kubeconfig))
        {
            return (null, "KUBECONFIG does not point at a kubeconfig file");
        }

        var image = Environment.GetEnvironmentVariable("MLFLOW_TEST_IMAGE") is { Length: > 0 } named ? named : DefaultImage;
        try
        {
            var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: cts.Token);
            if (nodes.Items.Count == 0)
            {
                return (null, $"the cluster of KUBECONFIG={kubeconfig} has no nodes to run pods");
            }

            var onNode = nodes.Items.Any(n => (n.Status.Images ?? []).Any(i => (i.Names ?? []).Any(name => name.EndsWith(image, StringComparison.Ordinal))));
            return onNode
                ? (new RealCluster(kubeconfig, client, image), null)
                : (null, $"the image {image} is not on any node (scripts/cluster-test.sh builds and loads it)");
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException or k8s.Exceptions.KubeConfigException)
        {
            return (null, $"the cluster of KUBECONFIG={kubeconfig} did not answer: {e.Message}");
        }
    }
}

/// <summary>A namespace of one cluster test; disposing it deletes it and everything in it.</summary>
public sealed class TestNamespace(RealCluster cluster, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public RealCluster Cluster { get; } = cluster;

    public Task<ProcessResult> HelmAsync(HelmVersion helm, params string[] args) => Cluster.HelmAsync(helm, Name, args);

    /// <summary>helm that must succeed; its output on failure goes into the assertion message, with the namespace's events.</summary>
    public async Task<string> MustHelmAsync(HelmVersion helm, params string[] args)
    {
        var result = await HelmAsync(helm, args);
        if (!result.Succeeded)
        {
            var events = await Cluster.KubectlAsync("get", "events", "-n", Name, "--sort-by=.lastTimestamp");
            result.Succeeded.Should().BeTrue($"helm {string.Join(' ', args)} failed:\n{result.Stdout}\n{result.Stderr}\nEvents:\n{events.Stdout}");
        }

        return result.Stdout;
    }

    public Task<string> KubectlAsync(params string[] args) => Cluster.MustKubectlAsync(["-n", Name, .. args]);

    /// <summary>Writes a values file and returns its path.</summary>
    public static string Values(string yaml) => Helm.WriteValues(yaml);

    public async Task CreateSecretAsync(string name, IReadOnlyDictionary<string, string> data, string type = "Opaque")
    {
        await Cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = name }, Type = type, StringData = data.ToDictionary() }, Name);
    }

    /// <summary>The pods of one component of the release.</summary>
    public async Task<IReadOnlyList<V1Pod>> PodsAsync(string component = "server")
    {
        var pods = await Cluster.Client.CoreV1.ListNamespacedPodAsync(Name, labelSelector: $"app.kubernetes.io/component={component}");
        return pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
    }

    /// <summary>Every event of the namespace, oldest first, as "Kind/name reason: message" lines.</summary>
    public async Task<IReadOnlyList<Corev1Event>> EventsAsync()
    {
        var events = await Cluster.Client.CoreV1.ListNamespacedEventAsync(Name);
        return events.Items.OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp).ToList();
    }

    public async Task<string> LogsAsync(string pod, string? container = null)
    {
        string[] args = container is null ? ["logs", "-n", Name, pod] : ["logs", "-n", Name, pod, "-c", container];
        var result = await Cluster.KubectlAsync(args);
        return result.Stdout + result.Stderr;
    }

    /// <summary>Runs a command in a pod's container and returns what it printed; fails the test when it fails.</summary>
    public Task<string> ExecAsync(string pod, params string[] command) => KubectlAsync(["exec", pod, "--", .. command]);

    /// <summary>Starts a Job from the release's CronJob now and waits for it; returns the Job's name and whether it succeeded.</summary>
    public async Task<(string Job, bool Succeeded, string Logs)> RunCronJobNowAsync(string cronJob, TimeSpan timeout)
    {
        var job = $"{cronJob}-now-{Guid.NewGuid():N}"[..(cronJob.Length + 9)];
        await KubectlAsync("create", "job", job, $"--from=cronjob/{cronJob}");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var status = (await Cluster.Client.BatchV1.ReadNamespacedJobAsync(job, Name)).Status;
            if ((status.Succeeded ?? 0) > 0 || (status.Failed ?? 0) > 0)
            {
                var logs = await Cluster.KubectlAsync("logs", "-n", Name, $"job/{job}", "--tail=40");
                return (job, (status.Succeeded ?? 0) > 0, logs.Stdout + logs.Stderr);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        var last = await Cluster.KubectlAsync("logs", "-n", Name, $"job/{job}", "--tail=40");
        return (job, false, $"did not finish within {timeout.TotalSeconds:0} s\n{last.Stdout}{last.Stderr}");
    }

    /// <summary>Names of what is left in the namespace, as kind/name, for the "uninstall leaves only ..." checks.</summary>
    public async Task<IReadOnlyList<string>> RemainingObjectsAsync()
    {
        // Pods of a deleted ReplicaSet or Job may still be shutting down: give them a minute.
        for (var i = 0; i < 30 && (await Cluster.Client.CoreV1.ListNamespacedPodAsync(Name)).Items.Any(p => p.Metadata.DeletionTimestamp is not null); i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        var output = await Cluster.MustKubectlAsync(
            "get", "deployments,statefulsets,jobs,cronjobs,pods,services,configmaps,secrets,persistentvolumeclaims,serviceaccounts,roles,rolebindings,ingresses,networkpolicies,poddisruptionbudgets",
            "-n", Name, "-o", "json");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("kind").GetString()}/{i.GetProperty("metadata").GetProperty("name").GetString()}")
            .Where(n => n is not "ConfigMap/kube-root-ca.crt" and not "ConfigMap/openshift-service-ca.crt" and not "ServiceAccount/default")
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("MLFLOW_KEEP_NAMESPACES") == "1")
        {
            return;
        }

        await Cluster.KubectlAsync("delete", "namespace", Name, "--wait=false", "--ignore-not-found");
    }
}
