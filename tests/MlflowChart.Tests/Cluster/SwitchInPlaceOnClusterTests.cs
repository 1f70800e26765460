using k8s;
using MlflowChart.Migrate;

namespace MlflowChart.Tests.Cluster;

/// <summary>
/// A release of the upstream chart, installed with its quick start and used, then `helm upgrade`d
/// to this chart with the same release name: with the very same values, and with the values
/// tools/ChartMigrate writes from them. The runs, the artifacts on the claim and the Service's
/// address survive, and the claim gains the keep policy.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class SwitchInPlaceOnClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HelmVersion.Helm3, false)]
    [InlineData(HelmVersion.Helm4, false)]
    [InlineData(HelmVersion.Helm3, true)]
    [InlineData(HelmVersion.Helm4, true)]
    public async Task The_upstream_quick_start_upgrades_in_place_with_its_runs_artifacts_and_address(HelmVersion helm, bool converted)
    {
        var cluster = await RealCluster.RequireAsync();
        var upstream = UpstreamChart.Require();
        await using var ns = await cluster.CreateNamespaceAsync(converted ? "upconv" : "upstream", helm);
        var release = new ClusterRelease(ns, helm, upstream);

        // The upstream chart's quick start, as its README writes it, and a run with an artifact.
        await release.InstallAsync(QuickStartTests.DocsFlags);
        (string RunId, string ArtifactUri) run;
        string experiment;
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            experiment = await api.CreateExperimentAsync("before-the-switch");
            run = await api.LogRunAsync(experiment, "logged with the upstream chart\n");
        }

        var claimBefore = await cluster.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow", ns.Name, cancellationToken: Ct);
        var serviceBefore = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: Ct);

        string[] values = QuickStartTests.DocsFlags;
        if (converted)
        {
            var source = """
                storage:
                  enabled: true
                mlflow:
                  backendStoreUri: "sqlite:////mlflow/mlflow.db"
                  artifactsDestination: "/mlflow/artifacts"
                """;
            var migration = Converter.Run(source, "upstream", "mlflow", Path.Combine(Repo.Chart, "values.schema.json"));
            values = ["-f", TestNamespace.Values(Output.Values(migration))];
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await release.UpgradeToChartAsync(Repo.Chart, values);
        Figures.Record(helm, converted ? "upstream -> converter values" : "upstream -> same values", "seconds of helm upgrade --wait", $"{clock.Elapsed.TotalSeconds:0.0}");
        await release.ShouldBeReadyWithoutRestartsAsync(1);

        var claim = await cluster.Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("mlflow-mlflow", ns.Name, cancellationToken: Ct);
        claim.Metadata.Uid.Should().Be(claimBefore.Metadata.Uid, "the upstream claim is used, not replaced");
        claim.Metadata.Annotations.Should().Contain("helm.sh/resource-policy", "keep", "from now on helm uninstall leaves the data");
        (await ns.RemainingObjectsAsync()).Where(o => o.StartsWith("PersistentVolumeClaim/", StringComparison.Ordinal))
            .Should().Equal(["PersistentVolumeClaim/mlflow-mlflow"], "no second, empty claim is made");
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(ClusterRelease.Service, ns.Name, cancellationToken: Ct);
        (service.Spec.ClusterIP, service.Spec.Ports.Single().Port).Should().Be((serviceBefore.Spec.ClusterIP, 5000), "clients keep the address");

        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.ExperimentNamesAsync()).Should().Contain("before-the-switch");
            var stored = await api.GetRunAsync(run.RunId);
            stored.Should().NotBeNull("the run logged with the upstream chart is kept");
            stored!["data"]!["metrics"]!.AsArray().Should().Contain(m => m!["key"]!.GetValue<string>() == "accuracy");
            (await api.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt")).Should().Be("logged with the upstream chart\n");
            var after = await api.LogRunAsync(experiment, "logged after the switch\n");
            (await api.GetRunAsync(after.RunId)).Should().NotBeNull();
        }

        // A later upgrade of this chart (a rollout) keeps working on the adopted objects.
        await release.UpgradeToChartAsync(Repo.Chart, [.. values, "--set-string", "podAnnotations.rollout=again"]);
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        (await release.TestAsync()).Should().MatchRegex(@"Phase:\s+Succeeded");
    }
    /// <summary>
    /// The upstream chart's basic auth as its users configure it: their INI in a Secret, mounted,
    /// and named by env MLFLOW_AUTH_CONFIG_PATH. This chart runs MLflow with that INI: /health
    /// answers without a user, the API answers 401 without one and 200 with the INI's admin.
    /// </summary>
    [Theory, BothHelms]
    public async Task The_upstream_charts_own_auth_ini_installs_and_guards_the_api(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("authini", helm);
        await ns.CreateSecretAsync("mlflow-auth-secret", new Dictionary<string, string> { ["secret-key"] = "a-flask-secret-key-for-the-test" });
        await ns.CreateSecretAsync("mlflow-basic-auth-ini", new Dictionary<string, string>
        {
            ["basic_auth.ini"] = """
                [mlflow]
                default_permission = READ
                database_uri = sqlite:////mlflow/basic_auth.db
                admin_username = ini-admin
                admin_password = Ini-admin-passw0rd
                authorization_function = mlflow.server.auth:authenticate_request_basic_auth
                """,
        });

        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync("-f", TestNamespace.Values(SwitchInPlaceTests.UpstreamAuthIni));
        await release.ShouldBeReadyWithoutRestartsAsync(1);
        (await ns.RemainingObjectsAsync()).Should().NotContain(o => o.StartsWith("Secret/mlflow-mlflow", StringComparison.Ordinal), "the chart writes no INI of its own");

        await using var forward = await release.ForwardAsync();
        using (var anonymous = new MlflowRest(forward.Url()))
        {
            (await anonymous.GetAsync("health")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "the probes' endpoint stays open");
            (await anonymous.GetAsync("api/2.0/mlflow/experiments/search?max_results=1")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        }

        using var admin = new MlflowRest(forward.Url(), ("ini-admin", "Ini-admin-passw0rd"));
        (await admin.GetAsync("api/2.0/mlflow/experiments/search?max_results=1")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "the INI's admin logs in");
        (await admin.GetRunAsync((await admin.LogRunAsync(await admin.CreateExperimentAsync("behind-the-ini"), "hello\n")).RunId)).Should().NotBeNull();
    }
}
