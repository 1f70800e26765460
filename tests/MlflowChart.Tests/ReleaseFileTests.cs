using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.Tests;

/// <summary>
/// What a release ships, checked without a registry: the package holds the chart and nothing
/// else, and every place that names a version tells the same one.
/// </summary>
public sealed partial class ReleaseFileTests
{
    /// <summary>What the chart needs at install time: its metadata, values, schema, templates and the files templates read.</summary>
    private static readonly Regex Needed = NeededPattern();

    [Theory, BothHelms]
    public async Task The_package_holds_the_chart_and_nothing_else(HelmVersion helm)
    {
        var files = await PackageFilesAsync(helm, Repo.Chart);

        files.Should().OnlyContain(f => Needed.IsMatch(f), "editor, CI and test leftovers stay out of the package");
        var templates = Directory.GetFiles(Path.Combine(Repo.Chart, "templates"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Repo.Chart, "files"), "*", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(Repo.Chart, "dashboards")))
            .Select(f => Path.GetRelativePath(Repo.Chart, f).Replace('\\', '/'));
        files.Should().Contain(templates).And.Contain(["Chart.yaml", "values.yaml", "values.schema.json"]);
        files.Should().NotContain(f => f.StartsWith("ci/") || f == "example-mlflow-charts.yaml");
    }

    [Theory, BothHelms]
    public async Task Leftovers_next_to_the_chart_stay_out_of_the_package(HelmVersion helm)
    {
        var copy = Scratch.Folder("chart-leftovers-");
        CopyDirectory(Repo.Chart, copy);
        File.WriteAllText(Path.Combine(copy, "values.yaml.swp"), "x");
        File.WriteAllText(Path.Combine(copy, "templates", "deployment.yaml.orig"), "x");
        Directory.CreateDirectory(Path.Combine(copy, ".vscode"));
        File.WriteAllText(Path.Combine(copy, ".vscode", "settings.json"), "{}");
        File.WriteAllText(Path.Combine(copy, "mlflow-0.0.1.tgz"), "x");
        Directory.CreateDirectory(Path.Combine(copy, "TestResults"));
        File.WriteAllText(Path.Combine(copy, "TestResults", "tests.xml"), "x");

        var files = await PackageFilesAsync(helm, copy);

        files.Should().OnlyContain(f => Needed.IsMatch(f));
    }

    [Fact]
    public void Versions_tell_the_same_story()
    {
        var version = Repo.ChartField("version");
        var appVersion = Repo.ChartField("appVersion");

        version.Should().MatchRegex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$", "the chart is SemVer");
        appVersion.Should().MatchRegex(@"^[0-9]+\.[0-9]+\.[0-9]+$", "appVersion is the MLflow release");
        var images = Annotations()["artifacthub.io/images"];
        images.Should().Contain($"image: {Repo.DefaultImage}");
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        readme.Should().Contain($"`{Repo.DefaultImage}`", "the README names the image the chart installs");
        TagMention().Matches(readme).Select(m => m.Value).Distinct().Should().Equal([Repo.DefaultImage],
            "no other ghcr.io/mlflow/mlflow tag may be named as the default");
        ChangelogVersions().First().Should().Be(version, "the newest CHANGELOG section is the chart's version");
    }

    [Theory, BothHelms]
    public async Task The_default_image_is_the_one_the_annotation_names(HelmVersion helm)
    {
        var render = await Helm.TemplateAsync(helm);

        render.ServerContainer().Image.Should().Be(Repo.DefaultImage);
        Annotations()["artifacthub.io/images"].Should().Contain(render.ServerContainer().Image);
    }

    [Fact]
    public async Task Artifact_hub_changes_come_from_the_newest_changelog_section()
    {
        Annotations().Should().NotContainKey("artifacthub.io/changes", "they are generated at release, not written twice");

        var changes = await ProcessRunner.RunAsync("bash", [Path.Combine(Repo.Root, "scripts", "changes.sh")], TimeSpan.FromSeconds(30));

        changes.Succeeded.Should().BeTrue(changes.Stderr);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(changes.Stdout.Replace("\n    ", "\n")[4..]));
        var entries = ((YamlSequenceNode)yaml.Documents[0].RootNode).Children.Cast<YamlMappingNode>().ToList();
        entries.Should().HaveCount(NewestBullets().Count);
        entries.Select(e => ((YamlScalarNode)e.Children[new YamlScalarNode("kind")]).Value)
            .Should().OnlyContain(k => k == "added" || k == "changed" || k == "deprecated" || k == "removed" || k == "fixed" || k == "security");
        entries.Select(e => ((YamlScalarNode)e.Children[new YamlScalarNode("description")]).Value)
            .Should().OnlyContain(d => d!.Length > 10 && !d.Contains('`'));
    }

    [Fact]
    public void The_repository_metadata_for_artifact_hub_is_there()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repo.Root, "artifacthub-repo.yml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        ((YamlScalarNode)root.Children[new YamlScalarNode("repositoryID")]).Value.Should().MatchRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        ((YamlSequenceNode)root.Children[new YamlScalarNode("owners")]).Children.Should().NotBeEmpty();
    }

    [Fact]
    public async Task One_command_moves_the_chart_to_a_new_mlflow_version()
    {
        var copy = Scratch.Folder("bump-");
        foreach (var dir in new[] { "charts", "scripts", "examples" })
        {
            CopyDirectory(Path.Combine(Repo.Root, dir), Path.Combine(copy, dir));
        }

        File.Copy(Path.Combine(Repo.Root, "README.md"), Path.Combine(copy, "README.md"));
        File.Copy(Path.Combine(Repo.Root, "CHANGELOG.md"), Path.Combine(copy, "CHANGELOG.md"));
        var old = Repo.ChartField("appVersion");

        var bump = await ProcessRunner.RunAsync("bash", [Path.Combine(copy, "scripts", "bump-mlflow.sh"), "9.8.7"], TimeSpan.FromSeconds(30));

        bump.Succeeded.Should().BeTrue(bump.Stderr);
        var chart = File.ReadAllText(Path.Combine(copy, "charts", "Chart.yaml"));
        chart.Should().Contain("appVersion: \"9.8.7\"").And.Contain("image: ghcr.io/mlflow/mlflow:v9.8.7-full").And.NotContain(old);
        var next = Regex.Match(chart, @"(?m)^version: (\S+)$").Groups[1].Value;
        next.Should().NotBe(Repo.ChartField("version"));
        File.ReadAllText(Path.Combine(copy, "README.md")).Should().Contain("`ghcr.io/mlflow/mlflow:v9.8.7-full`").And.NotContain($"v{old}-full");
        File.ReadAllText(Path.Combine(copy, "CHANGELOG.md")).Should().Contain($"## {next}\n\n- Changed: MLflow 9.8.7 by default");
        var render = await Helm.TemplateChartAsync(HelmVersion.Helm4, Path.Combine(copy, "charts"), ScenarioFiles.Read("charts/ci/everything-values.yaml").Replace($"v{old}-full", "v9.8.7-full"), []);
        render.ShouldSucceed().Server().Spec.Template.Spec.Containers[0].Image.Should().Be("ghcr.io/mlflow/mlflow:v9.8.7-full");
    }

    internal static async Task<List<string>> PackageFilesAsync(HelmVersion helm, string chartDir)
    {
        var output = Scratch.Folder("package-");
        var package = await Helm.RunAsync(helm, ["package", chartDir, "-d", output]);
        package.Succeeded.Should().BeTrue(package.Stderr);
        return TarEntries(Directory.GetFiles(output, "*.tgz").Single());
    }

    internal static List<string> TarEntries(string tgz)
    {
        using var file = File.OpenRead(tgz);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                names.Add(entry.Name[(entry.Name.IndexOf('/') + 1)..]);
            }
        }

        return names;
    }

    internal static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    private static Dictionary<string, string> Annotations()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repo.Chart, "Chart.yaml"))));
        var annotations = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("annotations")];
        return annotations.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
    }

    private static IEnumerable<string> ChangelogVersions() =>
        File.ReadLines(Path.Combine(Repo.Root, "CHANGELOG.md")).Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Split(' ')[0]);

    private static List<string> NewestBullets() =>
        File.ReadLines(Path.Combine(Repo.Root, "CHANGELOG.md"))
            .SkipWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();

    [GeneratedRegex(@"^(Chart\.yaml|values\.yaml|values\.schema\.json|\.helmignore|templates/.+|files/.+|dashboards/.+\.json)$")]
    private static partial Regex NeededPattern();

    [GeneratedRegex(@"ghcr\.io/mlflow/mlflow:v[0-9][^\s`""')]*")]
    private static partial Regex TagMention();
}
