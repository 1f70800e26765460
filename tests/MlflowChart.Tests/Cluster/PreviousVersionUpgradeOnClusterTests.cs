using k8s;
namespace MlflowChart.Tests.Cluster;

/// <summary>
/// A production release installed with the previous version of the chart (from git) is upgraded
/// to this one, as users will do: its runs and artifacts stay, and the migration Job runs once.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class PreviousVersionUpgradeOnClusterTests
{
    /// <summary>
    /// The previous version refused basic auth on a database server without a users database of its
    /// own, so its users named one; here the same database, which is what this version defaults to.
    /// </summary>
    private const string UsersDatabase = """
        auth:
          admin:
            existingSecret: mlflow-admin
          databaseUriFrom:
            secretKeyRef:
              name: mlflow-db-secret
              key: uri
        """;

    [Theory, BothHelms]
    public async Task The_previous_chart_versions_production_release_upgrades_with_its_data_and_one_migration(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var previous = await PreviousChart.ReleasedAsync();
        if (previous.Dir is null)
        {
            Assert.Skip(previous.Reason!);
        }

        await using var ns = await cluster.CreateNamespaceAsync("prev", helm);
        await Backends.StartAsync(ns);
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns);
        var values = TestNamespace.Values(Backends.ProductionOverrides(UsersDatabase));
        var release = new ClusterRelease(ns, helm, previous.Dir);
        await release.InstallAsync("-f", Backends.ExampleFile, "-f", values);
        await release.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));

        string experiment;
        (string RunId, string ArtifactUri) run;
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            experiment = await api.CreateExperimentAsync("before-upgrade");
            run = await api.LogRunAsync(experiment, "logged with the previous chart\n");
        }

        var migrationsBefore = await ProductionOnClusterTests.MigrationRunsAsync(ns);
        await release.UpgradeToChartAsync(Repo.Chart, "-f", Backends.ExampleFile, "-f", values);
        (await ProductionOnClusterTests.MigrationRunsAsync(ns) - migrationsBefore).Should().Be(1, "helm upgrade runs the migration Job once");
        await release.ShouldBeReadyWithoutRestartsAsync(2);

        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            (await api.ExperimentNamesAsync()).Should().Contain("before-upgrade");
            var stored = await api.GetRunAsync(run.RunId);
            stored.Should().NotBeNull("the run logged before the upgrade is kept");
            stored!["data"]!["metrics"]!.AsArray().Should().Contain(m => m!["key"]!.GetValue<string>() == "accuracy");
            (await api.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt")).Should().Be("logged with the previous chart\n");
            var after = await api.LogRunAsync(experiment, "logged after the upgrade\n");
            (await api.GetRunAsync(after.RunId)).Should().NotBeNull();
        }
    }
    /// <summary>
    /// The previous version's quick start (claim `mlflow-mlflow-data`, a selector with the component)
    /// upgraded with the docs' flags: helm upgrade looks both up and keeps them, so the runs stay.
    /// </summary>
    [Theory, BothHelms]
    public async Task The_previous_chart_versions_quick_start_keeps_its_claim_and_selector(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        var previous = await PreviousChart.ReleasedAsync();
        if (previous.Dir is null)
        {
            Assert.Skip(previous.Reason!);
        }

        await using var ns = await cluster.CreateNamespaceAsync("prevqs", helm);
        var release = new ClusterRelease(ns, helm, previous.Dir);
        await release.InstallAsync(QuickStartTests.DocsFlags);
        (string RunId, string ArtifactUri) run;
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            run = await api.LogRunAsync(await api.CreateExperimentAsync("before-upgrade"), "logged with the previous chart\n");
        }

        var selectorBefore = (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Spec.Selector.MatchLabels;
        selectorBefore.Should().ContainKey("app.kubernetes.io/component", "0.2 put the component into the selector");
        await release.UpgradeToChartAsync(Repo.Chart, QuickStartTests.DocsFlags);
        await release.ShouldBeReadyWithoutRestartsAsync(1);

        (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(ClusterRelease.Service, ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Spec.Selector.MatchLabels
            .Should().BeEquivalentTo(selectorBefore, "a selector cannot change; the live one is kept");
        (await ns.RemainingObjectsAsync()).Where(o => o.StartsWith("PersistentVolumeClaim/", StringComparison.Ordinal))
            .Should().Equal(["PersistentVolumeClaim/mlflow-mlflow-data"], "the claim of the previous version is kept in use, and no empty one is made");
        await using (var forward = await release.ForwardAsync())
        {
            using var api = new MlflowRest(forward.Url());
            (await api.GetRunAsync(run.RunId)).Should().NotBeNull("the run logged with the previous chart is kept");
            (await api.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt")).Should().Be("logged with the previous chart\n");
        }
    }
}
