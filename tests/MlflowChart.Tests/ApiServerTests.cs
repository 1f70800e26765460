using System.Net;
using k8s;
using System.Text.Json;
using k8s.Autorest;

namespace MlflowChart.Tests;

/// <summary>
/// What only a real API server knows: every scenario is applied with server-side dry-run and
/// strict field validation, and every pod template is dry-run as a Pod in a namespace that
/// enforces the restricted Pod Security Standard, so the admission plugin itself decides.
/// </summary>
public sealed class ApiServerTests
{
    [Theory, EveryScenario]
    public async Task Scenario_is_accepted_by_the_API_server_with_strict_field_validation(string scenario, HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var render = (await Helm.TemplateAsync(helm, ScenarioFiles.Read(scenario))).ShouldSucceed();
        await api.NamespaceAsync(Helm.Namespace);

        var apply = await ServerDryRunAsync(api, render.Manifest);

        apply.Succeeded.Should().BeTrue($"the API server must accept {scenario}:\n{apply.Stderr}");
        apply.Stderr.Should().BeEmpty("any warning from the API server counts as a failure");
        apply.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(render.Objects.Count,
            "every rendered object must have been validated");
    }

    [Theory, EveryScenario]
    public async Task Every_pod_template_is_admitted_as_a_pod_under_restricted(string scenario, HelmVersion helm)
    {
        var api = await ApiServer.RequireAsync();
        var render = (await Helm.TemplateAsync(helm, ScenarioFiles.Read(scenario))).ShouldSucceed();
        var ns = await api.NamespaceAsync("restricted");

        foreach (var template in render.PodTemplates())
        {
            var error = await DryRunPodAsync(api, ns, template.Spec, template.Metadata);
            error.Should().BeNull($"{template.Owner} must be admitted under restricted Pod Security");
        }
    }

    [Fact]
    public async Task The_shared_API_server_is_ready_with_its_CRDs_within_its_share_of_the_suite_budget()
    {
        var api = await ApiServer.RequireAsync();

        TestContext.Current.TestOutputHelper?.WriteLine($"etcd + kube-apiserver + CRDs ready in {api.Startup.TotalSeconds:F1} s");
        api.Startup.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromSeconds(45),
            "the server starts once per run and the whole suite must stay under two minutes on two cores");
    }

    [Fact]
    public async Task The_API_server_refuses_a_container_name_with_an_underscore()
    {
        var api = await ApiServer.RequireAsync();
        await api.NamespaceAsync(Helm.Namespace);
        var render = (await Helm.TemplateAsync(HelmVersion.Helm4)).ShouldSucceed();
        var broken = render.Manifest.Replace("- name: mlflow\n", "- name: mlflow_server\n");

        var apply = await ServerDryRunAsync(api, broken);

        apply.Succeeded.Should().BeFalse();
        apply.Stderr.Should().Contain("mlflow_server").And.Contain("Invalid value");
    }

    [Fact]
    public async Task Restricted_admission_refuses_a_pod_without_a_seccomp_profile()
    {
        var api = await ApiServer.RequireAsync();
        var ns = await api.NamespaceAsync("restricted");
        var spec = (await Helm.TemplateAsync(HelmVersion.Helm4)).Server().Spec.Template.Spec;
        spec.SecurityContext.SeccompProfile = null;

        var error = await DryRunPodAsync(api, ns, spec, new V1ObjectMeta());

        error.Should().Contain("violates PodSecurity \"restricted:latest\"").And.Contain("seccompProfile");
    }

    [Fact]
    public async Task Strict_validation_refuses_a_misspelt_field()
    {
        var api = await ApiServer.RequireAsync();
        await api.NamespaceAsync(Helm.Namespace);
        var render = (await Helm.TemplateAsync(HelmVersion.Helm4)).ShouldSucceed();
        var broken = render.Manifest.Replace("revisionHistoryLimit:", "revisionHistoryLimitt:");

        var apply = await ServerDryRunAsync(api, broken);

        apply.Succeeded.Should().BeFalse();
        apply.Stderr.Should().Contain("revisionHistoryLimitt").And.Contain("field not declared in schema");
    }

    /// <summary>
    /// The manifest must pass a server-side dry run with strict validation. Where no API server
    /// can run here this asserts nothing: the caller's render checks stand alone.
    /// </summary>
    internal static async Task ShouldBeAcceptedIfServerAsync(string manifest, string because)
    {
        if (ApiServer.MissingReason is not null)
        {
            return;
        }

        var api = await ApiServer.RequireAsync();
        await api.NamespaceAsync(Helm.Namespace);
        var apply = await ServerDryRunAsync(api, manifest);
        apply.Succeeded.Should().BeTrue($"{because}:\n{apply.Stderr}");
    }

    internal static async Task<ProcessResult> ServerDryRunAsync(ApiServer api, string manifest)
    {
        var file = Path.Combine(api.Dir, $"manifest-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, manifest);
        try
        {
            return await api.KubectlAsync(
                "apply", "--server-side", "--dry-run=server", "--validate=strict", "--field-manager=mlflow-chart-tests",
                "--namespace", Helm.Namespace, "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Creates the pod with dryRun=All; returns the API server's refusal, or null when admitted.</summary>
    internal static async Task<string?> DryRunPodAsync(ApiServer api, string ns, V1PodSpec spec, V1ObjectMeta template)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = $"dry-run-{Guid.NewGuid():N}"[..20], Labels = template.Labels, Annotations = template.Annotations },
            Spec = spec,
        };
        try
        {
            await api.Client.CoreV1.CreateNamespacedPodAsync(pod, ns, dryRun: "All", fieldValidation: "Strict");
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            using var status = JsonDocument.Parse(e.Response.Content);
            return status.RootElement.TryGetProperty("message", out var message) ? message.GetString() : e.Response.Content;
        }
    }
}
