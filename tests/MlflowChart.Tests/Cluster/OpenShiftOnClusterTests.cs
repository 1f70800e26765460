namespace MlflowChart.Tests.Cluster;

/// <summary>
/// The chart under OpenShift's own SecurityContextConstraints admission plugin: the rig's API
/// server (built from openshift/kubernetes) started by ../shared/rig/k8s/openshift-up, with the
/// restricted-v2 SCC and per-namespace UID ranges. With no OpenShift values at all the quick start
/// and the production example with basic auth install and serve; with the adaptation turned off,
/// the SCC refuses the pods, which shows the admission is really on.
/// </summary>
[Collection(RealClusterCollection.Name)]
public sealed class OpenShiftOnClusterTests
{
    [Theory, BothHelms]
    public async Task The_quick_start_runs_under_restricted_v2_with_no_settings(HelmVersion helm)
    {
        var cluster = await RequireOpenShiftAsync();
        await using var ns = await cluster.CreateNamespaceAsync("ocp-quick", helm);
        var release = new ClusterRelease(ns, helm);

        await release.InstallAsync(QuickStartTests.DocsFlags);

        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        await ShouldRunUnderRestrictedV2Async(ns, pod);
        await using var forward = await release.ForwardAsync();
        var flow = await ClientFlow.RunAsync(forward.Url(), "openshift-quick-start");
        flow.ArtifactUri.Should().StartWith("mlflow-artifacts:", "SQLite and the artifacts live on the claim, written under the namespace's UID and fsGroup");
    }

    [Theory, BothHelms]
    public async Task The_production_example_with_basic_auth_runs_under_restricted_v2(HelmVersion helm)
    {
        var cluster = await RequireOpenShiftAsync();
        await using var ns = await cluster.CreateNamespaceAsync("ocp-prod", helm);
        await Backends.StartAsync(ns);
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, helm);

        await release.InstallAsync("-f", Backends.ExampleFile, "-f", TestNamespace.Values(Backends.ProductionOverrides(ProductionOnClusterTests.Extra)));

        foreach (var pod in await release.ShouldBeReadyWithoutRestartsAsync(2))
        {
            await ShouldRunUnderRestrictedV2Async(ns, pod);
        }

        await using var forward = await release.ForwardAsync();
        using (var anonymous = new MlflowRest(forward.Url()))
        {
            using var refused = await anonymous.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
            ((int)refused.StatusCode).Should().Be(401, "basic auth is on");
        }

        var flow = await ClientFlow.RunAsync(forward.Url(), "openshift-production", ClusterRelease.Admin);
        (await Backends.ObjectsAsync(ns, $"mlflow/{flow.ExperimentId}/{flow.RunId}/")).Should().Contain(k => k.EndsWith("/artifacts/hello.txt"));
    }

    [Theory, BothHelms]
    public async Task The_docs_basic_auth_keeps_its_users_on_the_claim_under_restricted_v2(HelmVersion helm)
    {
        var cluster = await RequireOpenShiftAsync();
        await using var ns = await cluster.CreateNamespaceAsync("ocp-auth", helm);
        await ns.CreateSecretAsync("mlflow-auth-secret", new Dictionary<string, string> { ["secret-key"] = Convert.ToHexString(Guid.NewGuid().ToByteArray()) });
        await ProductionOnClusterTests.CreateAdminSecretAsync(ns);
        var release = new ClusterRelease(ns, helm);

        await release.InstallAsync([.. QuickStartTests.DocsFlags, "-f", Path.Combine(Repo.ScenarioDir, "basic-auth-docs-values.yaml"), "--set", "auth.admin.existingSecret=mlflow-admin"]);

        var pod = (await release.ShouldBeReadyWithoutRestartsAsync(1)).Single();
        await ShouldRunUnderRestrictedV2Async(ns, pod);
        await using var forward = await release.ForwardAsync();
        using (var anonymous = new MlflowRest(forward.Url()))
        {
            using var refused = await anonymous.GetAsync("api/2.0/mlflow/experiments/search?max_results=1");
            ((int)refused.StatusCode).Should().Be(401);
        }

        await ClientFlow.RunAsync(forward.Url(), "openshift-basic-auth", ClusterRelease.Admin);
        (await ns.ExecAsync(pod.Metadata.Name, "ls", "/mlflow")).Should().Contain("basic_auth.db", "the users database lives on the claim, written under the namespace's UID");
    }

    [Theory, BothHelms]
    public async Task With_the_adaptation_off_the_scc_refuses_the_pods(HelmVersion helm)
    {
        var cluster = await RequireOpenShiftAsync();
        await using var ns = await cluster.CreateNamespaceAsync("ocp-off", helm);

        await ns.MustHelmAsync(helm, ["install", ClusterRelease.Name, Repo.Chart, "-f", TestNamespace.Values(cluster.ImageValues), "--set", "openshift.adaptSecurityContext=disabled", "--no-hooks", .. QuickStartTests.DocsFlags]);

        var refusal = "";
        for (var i = 0; i < 60 && refusal.Length == 0; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            refusal = (await ns.EventsAsync()).Select(e => e.Message ?? "").FirstOrDefault(m => m.Contains("unable to validate against any security context constraint")) ?? "";
        }

        refusal.Should().Contain("1000", "the pod names UID 1000, outside the namespace's range");
        (await ns.PodsAsync()).Should().BeEmpty("no server pod is admitted");
    }

    private static async Task<RealCluster> RequireOpenShiftAsync()
    {
        var cluster = await RealCluster.RequireAsync();
        var versions = await cluster.KubectlAsync("api-versions");
        if (!versions.Stdout.Split('\n').Contains("security.openshift.io/v1"))
        {
            Assert.Skip("The cluster does not serve security.openshift.io/v1: start the rig with ../shared/rig/k8s/openshift-up to run these tests under OpenShift's SCC admission");
        }

        return cluster;
    }

    /// <summary>The SCC that admitted the pod, and the UID and fsGroup it assigned from the namespace's range.</summary>
    private static async Task ShouldRunUnderRestrictedV2Async(TestNamespace ns, V1Pod pod)
    {
        pod.Metadata.Annotations.Should().Contain("openshift.io/scc", "restricted-v2");
        var range = (await ns.Cluster.MustKubectlAsync("get", "namespace", ns.Name, "-o", "jsonpath={.metadata.annotations.openshift\\.io/sa\\.scc\\.uid-range}")).Trim();
        var first = long.Parse(range.Split('/')[0]);
        var size = long.Parse(range.Split('/')[1]);
        var uid = pod.Spec.Containers[0].SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser;
        uid.Should().NotBeNull("restricted-v2 assigns a UID").And.BeInRange(first, first + size - 1, $"the namespace's range is {range}");
        pod.Spec.SecurityContext?.FsGroup.Should().Be(first, "restricted-v2 gives the first UID of the range as fsGroup");
    }
}
