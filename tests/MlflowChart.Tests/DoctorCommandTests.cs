using System.Text.Json;
using k8s;
using MlflowChart.Doctor;

namespace MlflowChart.Tests;

/// <summary>
/// The doctor command itself: its exit codes, its one-line refusals, its JSON document, and that it
/// only reads. Run against the suite's API server (no pod ever runs there), so CI covers them.
/// </summary>
public sealed class DoctorCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, string Out, string Err)> Doctor(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await DoctorCommand.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task A_command_line_it_cannot_read_gets_the_usage_and_exit_code_2()
    {
        var (exit, _, err) = await Doctor("--json");

        exit.Should().Be(2);
        err.Trim().Should().StartWith("usage: doctor RELEASE");
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_gets_one_line_and_exit_code_2()
    {
        var dir = Scratch.Folder("doctor-unreachable-");
        var kubeconfig = Loopback.WriteKubeconfig(dir, $"https://127.0.0.1:{Loopback.FreePort()}", "token");

        var (exit, stdout, err) = await Doctor("mlflow", "-n", "mlflow", "--kubeconfig", kubeconfig);

        exit.Should().Be(2);
        stdout.Should().BeEmpty();
        err.Trim().Should().StartWith("doctor: cannot reach the cluster").And.NotContain("\n", "one line, no stack trace");
    }

    [Fact]
    public async Task A_release_that_is_not_there_gets_one_line_and_exit_code_2()
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync("doctor-empty");

        var (exit, _, err) = await Doctor("nope", "-n", ns, "--kubeconfig", api.Kubeconfig);

        exit.Should().Be(2);
        err.Trim().Should().Be($"doctor: release nope not found: nothing labelled app.kubernetes.io/instance=nope in namespace {ns}: is the release name right (helm list -n {ns})?");
    }

    [Theory, BothHelms]
    public async Task On_a_release_whose_pods_never_run_it_fails_reads_only_and_writes_json(HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync($"doctor-{helm}".ToLowerInvariant());
        var install = await api.HelmAsync(helm, "install", Helm.Release, Repo.Chart, "--namespace", ns, "--no-hooks", "--values", Helm.WriteValues(ScenarioFiles.Read("charts/example-mlflow-charts.yaml")));
        install.Succeeded.Should().BeTrue(install.Stderr);
        var before = await VersionsAsync(api, ns);

        var (exit, json, err) = await Doctor(Helm.Release, "-n", ns, "--kubeconfig", api.Kubeconfig, "--json");

        exit.Should().Be(1, err);
        var report = JsonSerializer.Deserialize<DoctorCommand.Report>(json, DoctorCommand.JsonOptions)!;
        report.Chart.Should().Be($"mlflow-{Repo.ChartField("version")}");
        report.Findings.Should().Contain(f => f.Area == "pods" && f.Verdict == Verdict.Fail && f.Evidence.Contains("has no pods"),
            "this API server has no controller, so the Deployment never gets its pods");
        report.Findings.Should().Contain(f => f.Area == "secrets" && f.Verdict == Verdict.Fail && f.Evidence.Contains("mlflow-db-secret, which does not exist"));
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("findings")[0].GetProperty("verdict").GetString().Should().BeOneOf("ok", "warn", "fail");
        (await VersionsAsync(api, ns)).Should().BeEquivalentTo(before, "doctor never changes the cluster");
    }

    /// <summary>Every object of the namespace with its resourceVersion, which any write would change.</summary>
    private static async Task<IReadOnlyList<string>> VersionsAsync(ApiServer api, string ns)
    {
        var deployments = await api.Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Ct);
        var services = await api.Client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: Ct);
        var secrets = await api.Client.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: Ct);
        var claims = await api.Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: Ct);
        var events = await api.Client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: Ct);
        return deployments.Items.Select(o => $"Deployment/{o.Metadata.Name}@{o.Metadata.ResourceVersion}")
            .Concat(services.Items.Select(o => $"Service/{o.Metadata.Name}@{o.Metadata.ResourceVersion}"))
            .Concat(secrets.Items.Select(o => $"Secret/{o.Metadata.Name}@{o.Metadata.ResourceVersion}"))
            .Concat(claims.Items.Select(o => $"PVC/{o.Metadata.Name}@{o.Metadata.ResourceVersion}"))
            .Concat(events.Items.Select(o => $"Event/{o.Metadata.Name}@{o.Metadata.ResourceVersion}"))
            .ToList();
    }
}
