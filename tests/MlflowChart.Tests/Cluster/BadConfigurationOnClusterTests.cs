namespace MlflowChart.Tests.Cluster;

/// <summary>
/// Mistakes that a render cannot see or that must stop an install before anything is created,
/// made on the real cluster: what does the user get told?
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class BadConfigurationOnClusterTests
{
    [Theory, BothHelms]
    public async Task A_secret_without_the_named_key_is_named_in_the_pods_events(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("nokey", helm);
        // The URI stored under "url" while the values (the docs') name the key "uri".
        await ns.KubectlAsync("create", "secret", "generic", "mlflow-db-secret", "--from-literal=url=postgresql://user:password@postgres:5432/mlflow");
        await ns.KubectlAsync("create", "secret", "generic", "s3-credentials", "--from-literal=access-key-id=a", "--from-literal=secret-access-key=b");

        var result = await ns.HelmAsync(helm, "install", ClusterRelease.Name, Repo.Chart, "-f", Backends.ExampleFile,
            "-f", TestNamespace.Values(cluster.ImageValues), "--wait", "--timeout", "60s");

        result.Succeeded.Should().BeFalse("the migration hook cannot start without the key");
        var events = await ns.EventsAsync();
        events.Should().Contain(e => e.Message != null && e.Message.Contains("couldn't find key uri in Secret " + ns.Name + "/mlflow-db-secret"),
            "Kubernetes names the Secret and the missing key in the pod's events:\n" + string.Join('\n', events.Select(e => $"{e.Reason}: {e.Message}")));
    }

    [Theory, BothHelms]
    public async Task A_memory_limit_below_idle_use_is_refused_before_anything_is_created(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("oom", helm);

        var result = await ns.HelmAsync(helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues),
            .. QuickStartTests.DocsFlags, "--set", "resources.limits.memory=512Mi", "--wait", "--timeout", "60s"]);

        result.Succeeded.Should().BeFalse();
        result.Stderr.Should().Contain("resources.limits.memory=512Mi").And.Contain("OOM-killed");
        (await ns.RemainingObjectsAsync()).Should().BeEmpty("a refused render creates nothing");
    }

    [Theory, BothHelms]
    public async Task A_storage_class_that_does_not_exist_is_named_by_notes_and_helm_test(HelmVersion helm)
    {
        var cluster = await RealCluster.RequireAsync();
        await using var ns = await cluster.CreateNamespaceAsync("nosc", helm);

        var install = await ns.HelmAsync(helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues),
            .. QuickStartTests.DocsFlags, "--set", "storage.storageClassName=fast-ssd"]);
        install.Succeeded.Should().BeTrue(install.Stderr);
        install.Stdout.Should().Contain("storage class \"fast-ssd\"", "NOTES say which storage class the claim waits for");

        var test = await ns.HelmAsync(helm, "test", ClusterRelease.Name, "--timeout", "3m");
        test.Succeeded.Should().BeFalse("no server can start while its claim is unbound");
        var log = await ns.LogsAsync($"{ClusterRelease.Service}-test");
        log.Should().Contain("no server answers").And.Contain("storage class \"fast-ssd\", which must exist");
        var pod = (await ns.PodsAsync()).Single();
        pod.Status.Phase.Should().Be("Pending");
    }
}
