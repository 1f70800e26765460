using System.Net;
using k8s;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// Basic auth on the production release under load and across a password change: MLflow checks
/// every request's password with PBKDF2 (about 0.3 s of CPU), so without the credential cache a
/// two-core node falls behind; the liveness probe must not kill a server that is merely busy; and
/// a new password in auth.admin.existingSecret must replace the old one at the next upgrade.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class BasicAuthOnClusterTests
{
    private const double Rate = 10;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(40);

    [Theory, BothHelms]
    public async Task Busy_servers_are_not_restarted_the_cache_carries_the_load_and_a_new_admin_password_takes_effect(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("auth", helm);
        var (release, files) = await ProductionOnClusterTests.InstallWithAuthAsync(ns, helm, "--set", "auth.cacheTtlSeconds=0");
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        var url = $"http://{service.Spec.ClusterIP}:5000";
        var runId = await CreateRunAsync(url, ClusterRelease.Admin);

        // 1. Without the cache (MLflow's default), the documented load overwhelms two cores: slow, but no server is killed for it.
        var uncached = await LoadAsync(url, runId, Rate, ClusterRelease.Admin);
        Record(helm, $"no credential cache, {Rate:0} req/s", uncached);
        (await release.RestartsAsync()).Should().Be(0, "liveness is a TCP check, which a busy server still passes");
        var recovery = DateTime.UtcNow;
        await release.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));
        Figures.Record(helm, $"basic auth, no credential cache, {Rate:0} req/s", "seconds until both pods were Ready again",
            $"{(DateTime.UtcNow - recovery).TotalSeconds:0}");
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        // 2. A new admin password in the Secret, and the chart's default cache: one upgrade applies both.
        const string newPassword = "an0ther-Admin-passw0rd";
        await ns.KubectlAsync("delete", "secret", "mlflow-admin");
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns, newPassword);
        await release.UpgradeAsync(files);
        await release.ShouldBeReadyWithoutRestartsAsync(2);
        using (var old = new MlflowRest(url, ClusterRelease.Admin))
        using (var answer = await old.GetAsync("api/2.0/mlflow/experiments/search?max_results=1"))
        {
            answer.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the old admin password no longer works");
        }

        using (var renewed = new MlflowRest(url, ("admin", newPassword)))
        {
            (await renewed.ExperimentNamesAsync()).Should().NotBeEmpty("the admin logs in with the password now in the Secret");
        }

        var gc = await ns.RunCronJobNowAsync("mlflow-mlflow-gc", TimeSpan.FromMinutes(4));
        gc.Succeeded.Should().BeTrue($"GC logs in with the Secret's credentials, which the server now accepts:\n{gc.Logs}");

        // 3. With the cache, the documented load is served without a failure.
        var cached = await LoadAsync(url, runId, Rate, ("admin", newPassword));
        Record(helm, $"credential cache 30 s (default), {Rate:0} req/s", cached);
        await release.ShouldBeReadyWithoutRestartsAsync(2);
        cached.Where(s => s.Failed).Should().BeEmpty("with the credential cache the server keeps up with the documented load");
    }

    private static async Task<string> CreateRunAsync(string url, (string User, string Password) admin)
    {
        using var api = new MlflowRest(url, admin);
        var experiment = await api.CreateExperimentAsync("auth-load");
        return (await api.CallAsync("runs/create", new { experiment_id = experiment }))["run"]!["info"]!["run_id"]!.GetValue<string>();
    }

    private static async Task<IReadOnlyList<LoadGenerator.Sample>> LoadAsync(string url, string runId, double rate, (string User, string Password) credentials)
    {
        await using var load = LoadGenerator.Start(url, runId, rate, credentials);
        await Task.Delay(Phase, TestContext.Current.CancellationToken);
        return await load.StopAsync();
    }

    private static void Record(HelmVersion helm, string scenario, IReadOnlyList<LoadGenerator.Sample> samples)
    {
        Figures.Record(helm, $"basic auth, {scenario}", "failed / requests",
            $"{samples.Count(s => s.Failed)} / {samples.Count}");
        Figures.Record(helm, $"basic auth, {scenario}", "latency p50 / p99 / max s",
            $"{LoadGenerator.Percentile(samples, 50):0.000} / {LoadGenerator.Percentile(samples, 99):0.000} / {LoadGenerator.Percentile(samples, 100):0.000}");
    }
}
