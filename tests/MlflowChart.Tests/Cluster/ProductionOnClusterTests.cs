namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The docs' production setup on the real cluster: PostgreSQL 17 and an S3 server in the
/// namespace, the Secrets created as the docs create them, charts/example-mlflow-charts.yaml
/// (two replicas) with the docs' basic-auth section as written, and GC.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class ProductionOnClusterTests
{
    /// <summary>What the test adds to the docs' snippets: the admin Secret (GC and helm test log in with it) and GC with a short grace period.</summary>
    internal const string Extra = """
        auth:
          admin:
            existingSecret: mlflow-admin
        garbageCollection:
          enabled: true
          schedule: "0 2 * * 0"
          olderThan: "1s"
        """;

    [Theory, BothHelms]
    public async Task Production_values_with_basic_auth_start_two_replicas_on_a_fresh_database_and_serve_the_client(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("prod", helm);
        await Backends.StartAsync(ns);
        await CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, helm);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await release.InstallAsync("-f", Backends.ExampleFile, "-f", TestNamespace.Values(Backends.ProductionOverrides(Extra)));
        Figures.Record(helm, "production", "seconds of helm install --wait (migration Job, then both pods Ready)", $"{clock.Elapsed.TotalSeconds:0.0}");

        // The migration hook prepared the fresh database once, before either server started.
        (await MigrationRunsAsync(ns)).Should().Be(1, "helm install runs the migration Job once");
        (await Backends.SqlAsync(ns, "select count(*) from alembic_version")).Trim().Should().Be("1", "the tracking schema exists");
        (await Backends.SqlAsync(ns, "select count(*) from alembic_version_auth")).Trim().Should().Be("1",
            "the users schema lives in the same database, beside the tracking tables");
        var pods = await release.ShouldBeReadyWithoutRestartsAsync(2);
        foreach (var pod in pods)
        {
            Figures.Record(helm, "production", $"seconds from pod creation to Ready ({pod.Metadata.Name[^5..]})", $"{ClusterRelease.SecondsToReady(pod):0.0}");
        }

        string keptRun;
        string doomedPrefix;
        await using (var forward = await release.ForwardAsync())
        {
            using (var anonymous = new MlflowRest(forward.Url()))
            {
                (await anonymous.HealthAsync()).Should().Be("OK", "/health answers without credentials, so probes work under auth");
                using var refused = await anonymous.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
                ((int)refused.StatusCode).Should().Be(401, "the API asks for credentials");
            }

            var flow = await ClientFlow.RunAsync(forward.Url(), "production", ClusterRelease.Admin);
            keptRun = flow.RunId;
            (await Backends.ObjectsAsync(ns, $"mlflow/{flow.ExperimentId}/{flow.RunId}/")).Should().Contain(
                k => k.EndsWith("/artifacts/hello.txt"), "the server proxied the artifact into the bucket");

            using var api = new MlflowRest(forward.Url(), ClusterRelease.Admin);
            var doomed = await api.LogRunAsync(flow.ExperimentId, "to be collected\n");
            doomedPrefix = $"mlflow/{flow.ExperimentId}/{doomed.RunId}/";
            (await Backends.ObjectsAsync(ns, doomedPrefix)).Should().NotBeEmpty();
            await api.DeleteRunAsync(doomed.RunId);

            var gc = await ns.RunCronJobNowAsync("mlflow-mlflow-gc", TimeSpan.FromMinutes(4));
            gc.Succeeded.Should().BeTrue($"the GC job succeeds:\n{gc.Logs}");
            (await api.GetRunAsync(doomed.RunId)).Should().BeNull("GC removed the deleted run");
            (await Backends.ObjectsAsync(ns, doomedPrefix)).Should().BeEmpty("GC removed the run's artifacts from the bucket");
            (await api.GetRunAsync(keptRun)).Should().NotBeNull("GC leaves live runs alone");
        }

        foreach (var pod in await release.ServerPodsAsync())
        {
            Figures.Record(helm, "production", "idle working set MiB per pod (4 workers, job execution off)", $"{await release.WorkingSetMiBAsync(pod):0}");
        }

        (await release.TestAsync()).Should().MatchRegex(@"Phase:\s+Succeeded", "the helm test pod ran the client flow to its end");
        await release.ShouldBeReadyWithoutRestartsAsync(2);
        var doctor = await DoctorRun.RunAsync(ns, $"healthy-production-{helm}");
        doctor.ShouldBeAllOk();
        Figures.Record(helm, "production", "seconds doctor takes on the healthy release (every check, probes included)", $"{doctor.Seconds:0.0}");
        doctor.Seconds.Should().BeLessThan(10, "doctor answers within 10 seconds on a healthy release");

        await release.UninstallAsync();
        (await ns.RemainingObjectsAsync()).Where(o => !Backends.Objects.Contains(o)).Should().BeEquivalentTo(
            ["Secret/mlflow-db-secret", "Secret/s3-credentials", "Secret/mlflow-auth-secret", "Secret/mlflow-admin"],
            "helm uninstall leaves only the user's own Secrets (no claim: nothing is stored locally)");
    }

    /// <summary>
    /// This test's release for the tests that build on it: the backends, the admin Secret, the example
    /// plus the docs' auth section (and `install`'s extra arguments). Returns the release and the -f
    /// arguments an upgrade repeats.
    /// </summary>
    internal static Task<(ClusterRelease Release, string[] Files)> InstallWithAuthAsync(TestNamespace ns, HelmVersion helm, params string[] install) =>
        InstallWithAuthAsync(ns, helm, checkedKeys: false, install);

    /// <summary>The production release with basic auth, on PostgreSQL and S3 started here (with <paramref name="checkedKeys"/>, an S3 server that checks keys).</summary>
    internal static async Task<(ClusterRelease Release, string[] Files)> InstallWithAuthAsync(TestNamespace ns, HelmVersion helm, bool checkedKeys, params string[] install)
    {
        await Backends.StartAsync(ns, checkedKeys);
        await CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, helm);
        string[] files = ["-f", Backends.ExampleFile, "-f", TestNamespace.Values(Backends.ProductionOverrides(Extra))];
        await release.InstallAsync([.. files, .. install]);
        return (release, files);
    }

    internal static Task CreateAdminSecretAsync(TestNamespace ns, string? password = null) =>
        ns.KubectlAsync("create", "secret", "generic", "mlflow-admin", "--from-literal=username=admin",
            $"--from-literal=password={password ?? ClusterRelease.Admin.Password}");

    /// <summary>How many pods the release's migration Jobs created, from the namespace's events (the Jobs themselves are deleted once they succeed).</summary>
    internal static async Task<int> MigrationRunsAsync(TestNamespace ns) =>
        (await ns.EventsAsync())
            .Where(e => e.InvolvedObject.Kind == "Job" && e.InvolvedObject.Name == "mlflow-mlflow-migrate" && e.Reason == "SuccessfulCreate")
            .Sum(e => e.Count ?? 1);
}
