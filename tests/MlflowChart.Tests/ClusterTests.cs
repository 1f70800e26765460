using System.Text.Json;

namespace MlflowChart.Tests;

/// <summary>
/// The docs' flow on a real cluster: install the quick start into a fresh namespace, wait for the
/// pod to be Ready, run `helm test` (the client flow against the Service), upgrade, uninstall and
/// check that the claim is kept. Runs only where KUBECONFIG points at a cluster with nodes; the
/// test API server of this suite has none, so in CI these tests are reported as skipped.
/// </summary>
public sealed class ClusterTests
{
    private static readonly Lazy<Task<string?>> Unavailable = new(WhyNoClusterAsync);

    [Theory, BothHelms]
    public async Task Quick_start_serves_the_client_flow_survives_an_upgrade_and_keeps_its_data(HelmVersion helm)
    {
        if (await Unavailable.Value is { } reason)
        {
            Assert.Skip(reason);
        }

        var ns = $"mlflow-it-{helm.ToString().ToLowerInvariant()}-{DateTime.UtcNow:HHmmss}";
        string[] target = ["--namespace", ns, "--kubeconfig", Kubeconfig];
        try
        {
            await Must(helm, ["install", Helm.Release, Repo.Chart, "--create-namespace", "--wait", "--timeout", "10m", .. target, .. QuickStartTests.DocsFlags]);
            await Must(helm, ["test", Helm.Release, "--timeout", "5m", "--logs", .. target]);
            await Must(helm, ["upgrade", Helm.Release, Repo.Chart, "--wait", "--timeout", "10m", .. target, .. QuickStartTests.DocsFlags, "--set", "server.workers=2"]);
            await Must(helm, ["test", Helm.Release, "--timeout", "5m", .. target]);
            await Must(helm, ["uninstall", Helm.Release, "--wait", .. target]);

            var claims = await Kubectl("get", "pvc", "--namespace", ns, "-o", "json");
            using var json = JsonDocument.Parse(claims.Stdout);
            json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString())
                .Should().Contain("mlflow-mlflow-data", "helm uninstall keeps the claim, as the docs promise");
        }
        finally
        {
            await Kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
        }
    }

    private static string Kubeconfig => Environment.GetEnvironmentVariable("KUBECONFIG")!;

    private static async Task Must(HelmVersion helm, string[] args)
    {
        var result = await Helm.RunAsync(helm, args);
        result.Succeeded.Should().BeTrue($"helm {string.Join(' ', args)}:\n{result.Stdout}\n{result.Stderr}");
    }

    private static Task<ProcessResult> Kubectl(params string[] args) =>
        ProcessRunner.RunAsync(KubectlBinary(), ["--kubeconfig", Kubeconfig, .. args], TimeSpan.FromMinutes(2));

    private static string KubectlBinary() =>
        Environment.GetEnvironmentVariable("KUBECTL_BIN") is { Length: > 0 } bin ? bin : "kubectl";

    private static async Task<string?> WhyNoClusterAsync()
    {
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (string.IsNullOrEmpty(kubeconfig) || !File.Exists(kubeconfig))
        {
            return "No real cluster: KUBECONFIG does not point at a kubeconfig file (set it to run the install, helm test, upgrade and uninstall flow)";
        }

        try
        {
            var nodes = await Kubectl("get", "nodes", "-o", "name", "--request-timeout=10s");
            if (!nodes.Succeeded)
            {
                return $"No real cluster: kubectl get nodes failed with KUBECONFIG={kubeconfig}: {nodes.Stderr.Trim()}";
            }

            return nodes.Stdout.Trim().Length == 0 ? $"No real cluster: the cluster of KUBECONFIG={kubeconfig} has no nodes to run pods" : null;
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return $"No real cluster: {e.Message}";
        }
    }
}
