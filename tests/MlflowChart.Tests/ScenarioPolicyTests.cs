using System.Text.RegularExpressions;
using k8s;

namespace MlflowChart.Tests;

/// <summary>
/// Policies that hold for every scenario file under both Helm versions: the render loads
/// strictly, every pod is admitted under the restricted Pod Security Standard, selectors are
/// stable and match, names are valid, images are pinned, output is deterministic and lint is clean.
/// </summary>
public sealed partial class ScenarioPolicyTests
{
    private static async Task<Render> RenderScenario(string scenario, HelmVersion helm) =>
        (await Helm.TemplateAsync(helm, ScenarioFiles.Read(scenario))).ShouldSucceed();

    [Theory, EveryScenario]
    public async Task Scenario_renders_a_server_and_its_service(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        var portName = render.ServerContainer().Ports.Should().ContainSingle().Subject.Name;
        portName.Should().BeOneOf("http", "https");
        render.All<V1Service>().Should().Contain(s => s.Spec.Ports.Any(p => p.TargetPort.Value == portName),
            "a Service must reach the server's named port");
    }

    [Theory, EveryScenario]
    public async Task Every_pod_passes_the_restricted_pod_security_standard(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var pod in render.PodTemplates())
        {
            PodSecurity.RestrictedViolations(pod.Spec).Should().BeEmpty($"{pod.Owner} must be admitted under restricted");
        }
    }

    [Theory, EveryScenario]
    public async Task Selectors_are_the_upstream_charts_name_and_instance_and_match_the_pods(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        var deployment = render.Server();
        deployment.Spec.Selector.MatchLabels.Should().BeEquivalentTo(
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "mlflow", ["app.kubernetes.io/instance"] = Helm.Release },
            "selectors are immutable: the upstream chart's selector lets its releases upgrade in place, and no version or user label may enter it");
        deployment.Spec.Template.Metadata.Labels.Should().Contain(deployment.Spec.Selector.MatchLabels);

        foreach (var service in render.All<V1Service>())
        {
            service.Spec.Selector.Should().BeEquivalentTo(deployment.Spec.Selector.MatchLabels, $"Service {service.Metadata.Name} selects the server pods as upstream's did");
            var target = service.Spec.Ports.Single().TargetPort.Value;
            foreach (var other in render.PodTemplates().Where(p => p.Metadata.Labels["app.kubernetes.io/component"] != "server"))
            {
                other.Spec.Containers.Should().NotContain(c => c.Ports != null && c.Ports.Any(port => port.Name == target),
                    $"{other.Owner} carries the Service's selector labels, so it must not declare the port {target} the Service sends to");
            }
        }
    }

    [Theory, EveryScenario]
    public async Task Every_object_carries_the_recommended_labels_and_a_valid_name(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var obj in render.Objects)
        {
            var meta = obj.Meta();
            meta.Name.Should().MatchRegex(DnsSubdomain(), $"{obj.Kind} names must be valid");
            meta.Name.Length.Should().BeLessThanOrEqualTo(63, $"{obj.Kind}/{meta.Name} must fit a DNS label");
            meta.Labels.Keys.Should().Contain(
                ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                 "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart"],
                $"{obj.Kind}/{meta.Name} follows the app.kubernetes.io conventions");
            meta.Labels["app.kubernetes.io/instance"].Should().Be(Helm.Release);
        }
    }

    [Theory, EveryScenario]
    public async Task Containers_that_serve_have_named_ports_and_probes(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var pod in render.PodTemplates())
        {
            foreach (var container in pod.Spec.Containers.Where(c => c.Ports is { Count: > 0 }))
            {
                container.Ports.Should().OnlyContain(p => !string.IsNullOrEmpty(p.Name), $"{pod.Owner}/{container.Name} ports are named");
                container.ReadinessProbe.Should().NotBeNull($"{pod.Owner}/{container.Name} serves, so it has a readiness probe");
                container.LivenessProbe.Should().NotBeNull($"{pod.Owner}/{container.Name} serves, so it has a liveness probe");
            }
        }
    }

    [Theory, EveryScenario]
    public async Task Images_are_pinned_to_a_version_or_digest(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var pod in render.PodTemplates())
        {
            foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers))
            {
                container.Image.Should().MatchRegex(PinnedImage(), $"{pod.Owner} container {container.Name} must not float");
                container.Image.Should().NotEndWith(":latest");
            }
        }
    }

    [Theory, EveryScenario]
    public async Task No_store_uri_or_credential_reaches_a_command_line(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var pod in render.PodTemplates())
        {
            foreach (var container in pod.Spec.Containers.Where(c => c.Image.Contains("mlflow")))
            {
                var argv = (container.Command ?? []).Concat(container.Args ?? []).ToList();
                argv.Should().NotContain(a => StoreUri().IsMatch(a),
                    $"{pod.Owner}: store URIs travel as environment variables, never in argv");
                for (var i = 0; i < argv.Count; i++)
                {
                    if (StoreOption().IsMatch(argv[i]))
                    {
                        argv.ElementAtOrDefault(i + 1).Should().MatchRegex(@"^\$\([A-Z_]+\)$",
                            $"{pod.Owner}: {argv[i]} may only name a variable the kubelet fills in from a Secret-fed env entry");
                    }
                }
            }
        }
    }

    [Theory, EveryScenario]
    public async Task Credentials_travel_only_as_secret_references(string scenario, HelmVersion helm)
    {
        var render = await RenderScenario(scenario, helm);

        foreach (var pod in render.PodTemplates())
        {
            foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers))
            {
                foreach (var env in (container.Env ?? []).Where(e => CredentialName().IsMatch(e.Name)))
                {
                    env.Value.Should().BeNull($"{pod.Owner}/{container.Name}: {env.Name} carries a credential and must come from a Secret");
                    env.ValueFrom?.SecretKeyRef.Should().NotBeNull($"{pod.Owner}/{container.Name}: {env.Name} must be a Secret reference");
                }
            }
        }

        foreach (var document in Render.Documents(render.Manifest).Where(d => !d.Contains("\nkind: Secret\n")))
        {
            // A $(NAME) in the password's place is filled in by the kubelet from a Secret.
            document.Should().NotMatchRegex(@"://[^/\s:@]+:(?!\$\()[^/\s@]+@", "a URI with a password belongs in a Secret");
            document.Should().NotContain("password1234", "MLflow's default admin password may only sit in the auth Secret");
        }
    }

    [Theory, EveryScenario]
    public async Task Two_renders_are_byte_identical(string scenario, HelmVersion helm)
    {
        var values = ScenarioFiles.Read(scenario);
        var first = await Helm.TemplateUncachedAsync(helm, values);
        var second = await Helm.TemplateUncachedAsync(helm, values);

        first.Succeeded.Should().BeTrue(first.Stderr);
        second.Stdout.Should().Be(first.Stdout, "nothing random may change between renders (GitOps tools diff them)");
    }

    [Theory, EveryScenario]
    public async Task Helm_lint_strict_is_clean(string scenario, HelmVersion helm)
    {
        var lint = await Helm.LintAsync(helm, ScenarioFiles.Read(scenario));

        lint.Succeeded.Should().BeTrue($"helm lint --strict must pass:\n{lint.Stdout}\n{lint.Stderr}");
        lint.Stdout.Should().NotContain("[WARNING]").And.NotContain("[ERROR]");
    }

    [GeneratedRegex(@"PASSWORD|SECRET|TOKEN|_KEY$|_KEY_ID$|CONNECTION_STRING")]
    private static partial Regex CredentialName();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[a-f0-9]{64})$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex(@"(sqlite|postgres(ql)?|mysql|mssql)[+a-z0-9]*://|^--(backend|registry)-store-uri=")]
    private static partial Regex StoreUri();

    [GeneratedRegex(@"^--(backend|registry)-store-uri$")]
    private static partial Regex StoreOption();
}
