using k8s;
using MlflowChart.Tests.Infrastructure.Crds;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.Tests;

/// <summary>
/// OpenShift: pods that leave their UID, GID and fsGroup to the namespace when the cluster serves
/// security.openshift.io/v1 (as Helm and Argo CD tell templates), checked against the
/// restricted-v2 SCC read from OpenShift's own file; and the Route.
/// </summary>
public sealed class OpenShiftTests
{
    private const string OpenShiftApi = "security.openshift.io/v1";

    [Theory, EveryScenario]
    public async Task On_OpenShift_no_pod_names_a_uid_gid_or_fs_group_and_each_meets_restricted_v2(string scenario, HelmVersion helm)
    {
        var scc = await RestrictedV2Async();
        var render = (await Helm.TemplateAsync(helm, ScenarioFiles.Read(scenario), "--api-versions", OpenShiftApi)).ShouldSucceed();

        foreach (var pod in render.PodTemplates())
        {
            var spec = pod.Spec;
            (spec.SecurityContext?.RunAsUser, spec.SecurityContext?.RunAsGroup, spec.SecurityContext?.FsGroup).Should().Be((null, null, null), pod.Owner);
            foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers))
            {
                (container.SecurityContext?.RunAsUser, container.SecurityContext?.RunAsGroup).Should().Be((null, null), $"{pod.Owner}/{container.Name}");
            }

            PodSecurity.RestrictedViolations(spec).Should().BeEmpty($"{pod.Owner} stays restricted-PSS clean");
            RestrictedV2Violations(scc, spec).Should().BeEmpty($"{pod.Owner} must be admitted by restricted-v2");
        }
    }

    [Theory, BothHelms]
    public async Task Elsewhere_nothing_changes(HelmVersion helm)
    {
        var plain = await Helm.TemplateAsync(helm);
        var otherApi = await Helm.TemplateAsync(helm, null, "--api-versions", "example.com/v1");

        otherApi.Manifest.Should().Be(plain.Manifest);
        plain.Server().Spec.Template.Spec.SecurityContext.RunAsUser.Should().Be(1000);
    }

    [Theory, BothHelms]
    public async Task The_adaptation_can_be_forced_or_turned_off(HelmVersion helm)
    {
        var forced = await Helm.TemplateAsync(helm, "openshift: {adaptSecurityContext: force}");
        var disabled = await Helm.TemplateAsync(helm, "openshift: {adaptSecurityContext: disabled}", "--api-versions", OpenShiftApi);

        forced.PodTemplates().Should().OnlyContain(p => p.Spec.SecurityContext.RunAsUser == null && p.Spec.SecurityContext.FsGroup == null);
        disabled.PodTemplates().Should().OnlyContain(p => p.Spec.SecurityContext.RunAsUser == 1000 && p.Spec.SecurityContext.FsGroup == 1000);
    }

    [Theory, BothHelms]
    public async Task A_route_reaches_the_server_with_edge_tls_and_its_host_is_allowed(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, "route: {enabled: true, host: mlflow.apps.example.com, annotations: {haproxy.router.openshift.io/timeout: 5m}}");

        var route = render.Single<Route>();
        route.Spec.Host.Should().Be("mlflow.apps.example.com");
        (route.Spec.To.Kind, route.Spec.To.Name, route.Spec.Port!.TargetPort).Should().Be(("Service", "mlflow-mlflow", "http"));
        (route.Spec.Tls!.Termination, route.Spec.Tls.InsecureEdgeTerminationPolicy).Should().Be(("edge", "Redirect"));
        route.Metadata.Annotations.Should().Contain("haproxy.router.openshift.io/timeout", "5m");
        AllowedHosts.Admits(AllowedHosts.FromArgs(render.ServerContainer().Args), "mlflow.apps.example.com").Should().BeTrue();
    }

    [Theory, BothHelms]
    public async Task Under_server_tls_the_route_reencrypts_or_passes_through(HelmVersion helm)
    {
        const string tls = "tls: {enabled: true, secretName: mlflow-tls}\n";
        var reencrypt = (await Helm.TemplateAsync(helm, tls + "route: {enabled: true, host: m.apps.example.com, tls: {destinationCACertificate: \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\"}}")).Single<Route>();
        var passthrough = (await Helm.TemplateAsync(helm, tls + "route: {enabled: true, host: m.apps.example.com, tls: {termination: passthrough}}")).Single<Route>();
        var prefixed = (await Helm.TemplateAsync(helm, "server: {staticPrefix: /mlflow}\nroute: {enabled: true, host: m.apps.example.com, tls: {termination: none}}")).Single<Route>();

        (reencrypt.Spec.Tls!.Termination, reencrypt.Spec.Port!.TargetPort).Should().Be(("reencrypt", "https"));
        reencrypt.Spec.Tls.DestinationCACertificate.Should().StartWith("-----BEGIN CERTIFICATE-----\nMIIB");
        passthrough.Spec.Tls!.Termination.Should().Be("passthrough");
        passthrough.Spec.Path.Should().BeNull();
        prefixed.Spec.Tls.Should().BeNull("termination none serves plain HTTP");
        prefixed.Spec.Path.Should().Be("/mlflow");
    }

    [Theory, BothHelms]
    public async Task The_route_is_accepted_by_the_api_server_with_the_route_crd(HelmVersion helm)
    {
        var crd = await RouteCrdAsync();
        var api = await ApiServer.RequireAsync();
        await api.NamespaceAsync(Helm.Namespace);
        await InstallCrdOnceAsync(api, crd);
        var render = (await Helm.TemplateAsync(helm, "tls: {enabled: true, secretName: mlflow-tls}\nroute: {enabled: true, host: mlflow.apps.example.com}", "--api-versions", OpenShiftApi)).ShouldSucceed();

        var apply = await ApiServerTests.ServerDryRunAsync(api, render.Manifest);

        apply.Succeeded.Should().BeTrue(apply.Stderr);
        apply.Stdout.Should().Contain("route.route.openshift.io/mlflow-mlflow");
    }

    /// <summary>What restricted-v2 (read from OpenShift's own SCC file) refuses in a pod spec.</summary>
    private static List<string> RestrictedV2Violations(YamlMappingNode scc, V1PodSpec spec)
    {
        var problems = new List<string>();
        var volumes = ((YamlSequenceNode)scc.Children[new YamlScalarNode("volumes")]).Children.Select(v => ((YamlScalarNode)v).Value!).ToHashSet();
        var drop = ((YamlSequenceNode)scc.Children[new YamlScalarNode("requiredDropCapabilities")]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();
        var allowedAdd = ((YamlSequenceNode)scc.Children[new YamlScalarNode("allowedCapabilities")]).Children.Select(v => ((YamlScalarNode)v).Value!).ToHashSet();
        var seccomp = ((YamlSequenceNode)scc.Children[new YamlScalarNode("seccompProfiles")]).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();
        bool Allowed(string key) => ((YamlScalarNode)scc.Children[new YamlScalarNode(key)]).Value == "true";
        string Strategy(string key) => ((YamlScalarNode)((YamlMappingNode)scc.Children[new YamlScalarNode(key)]).Children[new YamlScalarNode("type")]).Value!;

        foreach (var volume in spec.Volumes ?? [])
        {
            var type = volume.PersistentVolumeClaim is not null ? "persistentVolumeClaim" : volume.EmptyDir is not null ? "emptyDir"
                : volume.Secret is not null ? "secret" : volume.ConfigMap is not null ? "configMap" : volume.Projected is not null ? "projected"
                : volume.DownwardAPI is not null ? "downwardAPI" : volume.Csi is not null ? "csi" : volume.Ephemeral is not null ? "ephemeral" : "other";
            if (!volumes.Contains(type)) problems.Add($"volume {volume.Name} of type {type}");
        }

        if (spec.HostNetwork == true && !Allowed("allowHostNetwork")) problems.Add("hostNetwork");
        if (spec.HostPID == true && !Allowed("allowHostPID")) problems.Add("hostPID");
        if (spec.HostIPC == true && !Allowed("allowHostIPC")) problems.Add("hostIPC");
        if (Strategy("runAsUser") == "MustRunAsRange" && spec.SecurityContext?.RunAsUser is { } uid) problems.Add($"runAsUser {uid} (the namespace's range decides)");
        if (Strategy("fsGroup") == "MustRunAs" && spec.SecurityContext?.FsGroup is { } fs) problems.Add($"fsGroup {fs} (the namespace's decides)");
        var podProfile = spec.SecurityContext?.SeccompProfile?.Type;
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers))
        {
            var context = container.SecurityContext;
            if (context?.Privileged == true && !Allowed("allowPrivilegedContainer")) problems.Add($"{container.Name}: privileged");
            if (!Allowed("allowPrivilegeEscalation") && context?.AllowPrivilegeEscalation != false) problems.Add($"{container.Name}: privilege escalation not off");
            if (!drop.All(d => context?.Capabilities?.Drop?.Contains(d) == true)) problems.Add($"{container.Name}: does not drop {string.Join(",", drop)}");
            foreach (var add in context?.Capabilities?.Add ?? []) if (!allowedAdd.Contains(add)) problems.Add($"{container.Name}: adds {add}");
            if (Strategy("runAsUser") == "MustRunAsRange" && context?.RunAsUser is { } cuid) problems.Add($"{container.Name}: runAsUser {cuid}");
            var profile = context?.SeccompProfile?.Type ?? podProfile;
            if (profile is not null && profile != "RuntimeDefault" && !seccomp.Contains(profile)) problems.Add($"{container.Name}: seccomp {profile}");
        }

        return problems;
    }

    private static string MirrorGit => Environment.GetEnvironmentVariable("MICROSHIFT_MIRROR")
        ?? Path.Combine(Repo.Root, "..", ".mirror", "openshift+microshift", "repo");

    private static async Task<YamlMappingNode> RestrictedV2Async()
    {
        var text = await GitShowAsync("assets/controllers/openshift-default-scc-manager/0000_20_kube-apiserver-operator_00_scc-restricted-v2.yaml");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static async Task<string> GitShowAsync(string path)
    {
        if (!Directory.Exists(MirrorGit))
        {
            Assert.Skip($"No openshift/microshift mirror at {MirrorGit} (MICROSHIFT_MIRROR): OpenShift's SCC and Route CRD files are read from it, not copied into this repository");
        }

        var show = await ProcessRunner.RunAsync("git", ["--git-dir", MirrorGit, "show", $"HEAD:{path}"], TimeSpan.FromSeconds(30));
        return show.Succeeded ? show.Stdout : throw new InvalidOperationException($"git show {path}: {show.Stderr}");
    }

    private static Task<string> RouteCrdAsync() => GitShowAsync("assets/crd/route.crd.yaml");

    private static readonly SemaphoreSlim CrdGate = new(1, 1);
    private static bool crdInstalled;

    private static async Task InstallCrdOnceAsync(ApiServer api, string crd)
    {
        await CrdGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (crdInstalled)
            {
                return;
            }

            var file = Path.Combine(api.Dir, "route.crd.yaml");
            await File.WriteAllTextAsync(file, crd, TestContext.Current.CancellationToken);
            var apply = await api.KubectlAsync("apply", "--server-side", "-f", file);
            apply.Succeeded.Should().BeTrue(apply.Stderr);
            await api.KubectlAsync("wait", "--for=condition=Established", "crd/routes.route.openshift.io", "--timeout=60s");
            crdInstalled = true;
        }
        finally
        {
            CrdGate.Release();
        }
    }
}
