using System.Text.RegularExpressions;

namespace MlflowChart.Tests;

/// <summary>
/// The checks of a feature (charts/files/checks) and the templates of optional objects
/// (charts/files/objects) are kept out of templates/, which Helm parses on every render, and run
/// through tpl only when wanted. These tests hold both halves of that: a release without the
/// features never reads them, and every part is reachable from the chart.
/// </summary>
public sealed partial class OptionalPartsTests
{
    public static TheoryData<string, HelmVersion> PlainReleases()
    {
        var data = new TheoryData<string, HelmVersion>();
        foreach (var scenario in new[] { "examples/quick-start.yaml", "charts/ci/quickstart-values.yaml", "charts/ci/defaults-values.yaml" })
        {
            data.Add(scenario, HelmVersion.Helm3);
            data.Add(scenario, HelmVersion.Helm4);
        }

        return data;
    }

    [Theory, MemberData(nameof(PlainReleases))]
    public async Task A_release_without_optional_features_reads_none_of_their_parts(string scenario, HelmVersion helm)
    {
        // Every part is replaced by a template that fails naming itself: the render only passes,
        // and prints the same objects, if no part was read.
        var copy = ChartWithFailing(Parts(Repo.Chart).Select(p => Path.GetRelativePath(Repo.Chart, p)));

        var values = ScenarioFiles.Read(scenario);
        var poisoned = await Helm.TemplateChartAsync(helm, copy, values, []);
        var normal = await Helm.TemplateAsync(helm, values);

        poisoned.Succeeded.Should().BeTrue($"{scenario} needs no optional part, but: {poisoned.Error}");
        poisoned.Manifest.Should().Be(normal.ShouldSucceed().Manifest);
    }

    [Theory, BothHelms]
    public async Task A_feature_that_is_on_reads_its_part(HelmVersion helm)
    {
        // The other half: poisoning the Ingress template or the TLS checks breaks a release that uses them.
        var copy = ChartWithFailing([Path.Combine("files", "objects", "ingress.yaml"), Path.Combine("files", "checks", "tls.tpl")]);

        (await Helm.TemplateChartAsync(helm, copy, ScenarioFiles.Read("charts/ci/ingress-values.yaml"), [])).Error
            .Should().Contain("ingress.yaml was read");
        (await Helm.TemplateChartAsync(helm, copy, ScenarioFiles.Read("charts/ci/tls-values.yaml"), [])).Error
            .Should().Contain("tls.tpl was read");
    }

    [Fact]
    public void Every_optional_object_has_its_stub_in_templates_and_every_stub_its_object()
    {
        var objects = Directory.GetFiles(Path.Combine(Repo.Chart, "files", "objects"), "*.yaml").Select(Path.GetFileNameWithoutExtension).ToList();
        var stubs = Directory.GetFiles(Path.Combine(Repo.Chart, "templates"), "*.yaml")
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Text: File.ReadAllText(f)))
            .Where(t => t.Text.Contains("\"mlflow.object\"", StringComparison.Ordinal))
            .ToList();

        objects.Should().NotBeEmpty();
        stubs.Select(s => s.Name).Should().BeEquivalentTo(objects, "templates/<name>.yaml runs files/objects/<name>.yaml, so the # Source line keeps its name");
        stubs.Should().OnlyContain(s => s.Text.Contains($"\"name\" \"{s.Name}\"", StringComparison.Ordinal), "each stub runs its own object");
    }

    [Fact]
    public void Every_check_file_is_run_by_the_validation()
    {
        var validate = File.ReadAllText(Path.Combine(Repo.Chart, "templates", "_validate.tpl"));
        var named = CheckName().Matches(validate).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToHashSet();
        var files = Directory.GetFiles(Path.Combine(Repo.Chart, "files", "checks"), "*.tpl").Select(Path.GetFileNameWithoutExtension).ToList();

        files.Should().NotBeEmpty().And.OnlyContain(f => named.Contains(f!), "a check file nothing runs would never refuse anything");
        named.Should().BeSubsetOf(files!, "every check _validate.tpl runs must exist");
    }

    /// <summary>A copy of the chart in which each given file (relative to the chart) is a template that fails naming itself.</summary>
    private static string ChartWithFailing(IEnumerable<string> files)
    {
        var copy = Scratch.Folder("chart-poisoned-parts-");
        ReleaseFileTests.CopyDirectory(Repo.Chart, copy);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(copy, file), $"{{{{ fail \"{Path.GetFileName(file)} was read\" }}}}\n");
        }

        return copy;
    }

    private static IEnumerable<string> Parts(string chart) =>
        Directory.GetFiles(Path.Combine(chart, "files", "objects")).Concat(Directory.GetFiles(Path.Combine(chart, "files", "checks")));

    [GeneratedRegex(@"""names"" \(list ""([a-z-]+)""\)|append \$checks ""([a-z-]+)""")]
    private static partial Regex CheckName();
}
