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
            var migration = Converter.Run(QuickStartTests.DocsValues, "upstream", "mlflow", Path.Combine(Repo.Chart, "values.schema.json"));
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
    /// <summary>
    /// A community-charts/mlflow release on PostgreSQL and S3 (the converter corpus' file, pointed at
    /// the namespace's backends), used, then switched as the converter's report says: its Secret
    /// applied, helm uninstall, helm install with the converted values plus the address values the
    /// report gives. The run and its artifact are read back through the old address, mlflow:80.
    /// </summary>
    [Theory, BothHelms]
    public async Task A_community_release_switches_by_the_converters_recipe_keeping_runs_and_address(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var community = Environment.GetEnvironmentVariable("MLFLOW_SOURCE_CHARTS") is { Length: > 0 } all && File.Exists(Path.Combine(all, "community", "Chart.yaml"))
            ? Path.Combine(all, "community")
            : null;
        if (community is null)
        {
            Assert.Skip("no community-charts/mlflow in MLFLOW_SOURCE_CHARTS/community (scripts/source-charts.sh fills it from a mirror)");
        }

        await using var ns = await cluster.CreateNamespaceAsync("fromcomm", helm);
        await Backends.StartAsync(ns);
        var source = ConvertedValuesOnClusterTests.CommunityProductionFile();

        // The old release, with what only this rig needs: its image, seccomp (restricted Pod
        // Security is enforced), a home for Python, and no init containers that pull other images.
        var rig = TestNamespace.Values($$"""
            podSecurityContext:
              fsGroup: 1001
              seccompProfile: {type: RuntimeDefault}
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
              runAsNonRoot: true
              runAsUser: 1001
            backendStore:
              databaseMigration: false
              databaseConnectionCheck: false
            extraEnvVars:
              HOME: /tmp
            """);
        var old = new ClusterRelease(ns, helm, community!);
        await old.InstallAsync("-f", TestNamespace.Values(source), "-f", rig);
        (string RunId, string ArtifactUri) run;
        await using (var forward = await PortForward.StartAsync(ns, "svc/mlflow", 80))
        {
            using var api = new MlflowRest(forward.Url());
            run = await api.LogRunAsync(await api.CreateExperimentAsync("with-community-charts"), "logged with community-charts\n");
        }

        // The recipe of the converter's report, step by step.
        var migration = Converter.Run(source, "community", "mlflow", Path.Combine(Repo.Chart, "values.schema.json"));
        var report = Output.Report(migration, "secrets.yaml");
        report.Should().Contain("Reinstall").And.Contain("fullnameOverride: mlflow").And.Contain("port: 80");
        await ns.KubectlAsync("apply", "-f", TestNamespace.Values(Common.SecretManifest(migration)));
        await old.UninstallAsync();
        var address = TestNamespace.Values("fullnameOverride: mlflow\nservice:\n  port: 80\n");
        var release = new ClusterRelease(ns, helm);
        await release.InstallAsync("-f", TestNamespace.Values(Output.Values(migration)), "-f", address);
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("mlflow", ns.Name, cancellationToken: Ct);
        service.Spec.Ports.Single().Port.Should().Be(80, "clients keep http://mlflow:80");
        await using (var forward = await PortForward.StartAsync(ns, "svc/mlflow", 80))
        {
            using var api = new MlflowRest(forward.Url());
            (await api.GetRunAsync(run.RunId)).Should().NotBeNull("the run is in PostgreSQL, which both charts use");
            (await api.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt")).Should().Be("logged with community-charts\n", "the artifact is in the bucket, proxied by both");
        }
    }
}
