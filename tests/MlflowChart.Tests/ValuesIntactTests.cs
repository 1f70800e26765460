using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using MlflowChart.ValuesDoc;

namespace MlflowChart.Tests;

/// <summary>
/// Values written in ways the docs never show: a section left with nothing under it, release
/// names at Helm's limit, release names Kubernetes cannot use for a Service, and extra objects
/// whose text carries template syntax of its own.
/// </summary>
public sealed partial class ValuesIntactTests
{
    /// <summary>Every section of values.yaml whose default is a map, at any depth, read from values.yaml itself.</summary>
    public static TheoryData<string, HelmVersion> Sections
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var path in ValuesDocument.Sections(ValuesFile.Defaults(Path.Combine(Repo.Chart, "values.yaml"))))
            {
                data.Add(path, HelmVersion.Helm3);
                data.Add(path, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Theory, MemberData(nameof(Sections))]
    public async Task A_section_written_with_nothing_under_it_renders_its_defaults(string section, HelmVersion helm)
    {
        // `ingress:` with every line below commented out reaches Helm as ingress: null.
        var values = new JsonObject();
        var current = values;
        var parts = section.Split('.');
        foreach (var part in parts[..^1])
        {
            var next = new JsonObject();
            current[part] = next;
            current = next;
        }

        current[parts[^1]] = null;

        var emptied = await Helm.TemplateAsync(helm, values.ToJsonString());
        var defaults = await Helm.TemplateAsync(helm);

        emptied.ShouldSucceed();
        ManifestTree.Canonical(ManifestTree.Parse(emptied.Manifest))
            .Should().Equal(ManifestTree.Canonical(ManifestTree.Parse(defaults.Manifest)), $"{section}: null must mean its defaults");
    }

    [Fact]
    public void The_sections_come_from_values_yaml()
    {
        var sections = ValuesDocument.Sections(ValuesFile.Defaults(Path.Combine(Repo.Chart, "values.yaml"))).ToList();

        sections.Should().Contain(["mlflow", "ingress", "auth.admin", "probes.liveness", "storage", "server.allowedHosts", "podSecurityContext"]);
    }

    [Theory, BothHelms]
    public async Task A_53_character_release_name_fits_every_name_with_every_feature_on(HelmVersion helm)
    {
        var release = "team-" + new string('m', 48);
        release.Length.Should().Be(53, "Helm's own limit on release names");

        var render = await TemplateAsync(helm, release, ScenarioFiles.Read("charts/ci/everything-values.yaml"));

        NamesFitTheirKinds(render);
        await ApiServerTests.ShouldBeAcceptedIfServerAsync(render.Manifest, "the API server accepts every object with those names");
    }

    [Theory, BothHelms]
    public async Task A_53_character_fullname_override_fits_every_name_with_every_feature_on(HelmVersion helm)
    {
        var values = ScenarioFiles.Read("charts/ci/everything-values.yaml") + $"\nfullnameOverride: {new string('f', 53)}\n";

        var render = await TemplateAsync(helm, Helm.Release, values);

        render.Server().Metadata.Name.Should().Be(new string('f', 53), "a name that fits is kept as given");
        NamesFitTheirKinds(render);
        await ApiServerTests.ShouldBeAcceptedIfServerAsync(render.Manifest, "the API server accepts every object with those names");
    }

    [Theory, BothHelms]
    public async Task Shortened_names_of_two_long_releases_stay_apart(HelmVersion helm)
    {
        var values = "garbageCollection: {enabled: true}\nmlflow: {backendStoreUri: \"postgresql://db:5432/mlflow\"}\nstorage: {enabled: true}\n";
        var first = await TemplateAsync(helm, new string('a', 52) + "1", values);
        var second = await TemplateAsync(helm, new string('a', 52) + "2", values);

        var gcFirst = first.Single<V1CronJob>().Metadata.Name;
        var gcSecond = second.Single<V1CronJob>().Metadata.Name;

        gcFirst.Length.Should().BeLessThanOrEqualTo(52);
        gcFirst.Should().EndWith("-gc").And.NotBe(gcSecond, "the hash of the whole name keeps cut names apart");
        first.Single<V1Job>().Metadata.Name.Should().NotBe(second.Single<V1Job>().Metadata.Name);
    }

    [Theory, BothHelms]
    public async Task Names_that_fit_are_not_changed(HelmVersion helm)
    {
        var render = await TemplateAsync(helm, Helm.Release,
            "garbageCollection: {enabled: true}\nmlflow: {backendStoreUri: \"postgresql://db:5432/mlflow\"}\nstorage: {enabled: true}\n");

        render.Single<V1Job>().Metadata.Name.Should().Be("mlflow-mlflow-migrate");
        render.Single<V1CronJob>().Metadata.Name.Should().Be("mlflow-mlflow-gc");
        render.Single<V1Pod>().Metadata.Name.Should().Be("mlflow-mlflow-test");
        render.Single<V1PersistentVolumeClaim>().Metadata.Name.Should().Be("mlflow-mlflow", "the claim is named like the upstream chart's");
    }

    [Theory]
    [InlineData("team.mlflow", HelmVersion.Helm3)]
    [InlineData("team.mlflow", HelmVersion.Helm4)]
    [InlineData("1mlflow", HelmVersion.Helm3)]
    [InlineData("1mlflow", HelmVersion.Helm4)]
    public async Task A_release_name_that_cannot_name_a_service_is_refused_with_the_fix(string release, HelmVersion helm)
    {
        var render = await TemplateAsync(helm, release, "{}");

        render.Succeeded.Should().BeFalse();
        render.Error.Should().Contain($"the release name \"{release}\"").And.Contain("DNS-1035").And.Contain("fullnameOverride");

        var fixedRender = await TemplateAsync(helm, release, "fullnameOverride: mlflow\n");
        fixedRender.ShouldSucceed().Single<V1Service>().Metadata.Name.Should().Be("mlflow");
    }

    [Theory, BothHelms]
    public async Task An_extra_object_given_as_a_map_keeps_its_own_template_text(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/everything-values.yaml"));

        render.Named<V1ConfigMap>("mlflow-team-notes").Data["alert"].Should().Be("{{ $labels.instance }} is down",
            "a map is placed as written; only strings go through tpl");
    }

    [Theory, BothHelms]
    public async Task An_extra_object_given_as_text_is_templated(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm, ScenarioFiles.Read("charts/ci/availability-values.yaml"));

        render.Named<V1ConfigMap>("mlflow-notes").Metadata.Labels["app.kubernetes.io/instance"].Should().Be("mlflow");
    }

    private static void NamesFitTheirKinds(Render render)
    {
        var limits = new Dictionary<string, int> { ["Job"] = 63, ["CronJob"] = 52, ["Pod"] = 63, ["Service"] = 63, ["Deployment"] = 253 };
        foreach (var obj in render.Objects)
        {
            var name = obj.Meta().Name;
            var limit = limits.GetValueOrDefault(obj.Kind, 253);
            name.Length.Should().BeLessThanOrEqualTo(limit, $"{obj.Kind} {name}");
            name.Should().MatchRegex(obj.Kind == "Service" ? Dns1035().ToString() : DnsSubdomain().ToString(), $"{obj.Kind} {name}");
            foreach (var (key, value) in obj.Meta().Labels ?? new Dictionary<string, string>())
            {
                value.Length.Should().BeLessThanOrEqualTo(63, $"label {key} of {obj.Kind} {name}");
            }
        }

        render.Objects.GroupBy(o => (o.Kind, o.Meta().Name)).Should().OnlyContain(g => g.Count() == 1, "names stay unique");
    }

    private static async Task<Render> TemplateAsync(HelmVersion helm, string release, string values)
    {
        var args = new List<string>
        {
            "template", release, Repo.Chart, "--namespace", Helm.Namespace, "--kube-version", Helm.KubeVersion, "--values", Helm.WriteValues(values),
        };
        return new Render(helm, args, await Helm.RunAsync(helm, args));
    }

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
