using System.Text.Json;
using System.Text.Json.Nodes;
using MlflowChart.ValuesDoc;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.Tests;

/// <summary>
/// Every free-text value of the schema (read from values.schema.json, not from a list kept here)
/// is set, on top of a release with every feature on (charts/ci/everything-values.yaml), to
/// strings that YAML could misread. Each must either be refused with a message that names the
/// value, or render to exactly the objects and key paths of a control render, with the string
/// arriving byte for byte wherever the control's marker arrived. Every render that passes is then
/// sent to the API server (server-side dry run, strict field validation).
/// </summary>
public sealed class HostileValuesTests
{
    /// <summary>The hostile strings: each is tried alone and after a value the leaf accepts.</summary>
    public static readonly (string Name, string Text)[] Fragments =
    [
        ("a newline and an indented key", "\n  hostNetwork: true"),
        ("a colon and a space", ": injected"),
        ("a space and a hash", " #legacy"),
        ("a leading asterisk", "*nginx"),
        ("a leading ampersand", "&claim"),
        ("a leading exclamation mark", "!!null"),
        ("a leading percent sign", "%TAG ! tag:"),
        ("a leading at sign", "@scope"),
        ("a document marker", "---"),
        ("quotes", "\"double\" 'single'"),
        ("backslashes", "back\\slash\\n"),
        ("template braces", "{{ .Release.Name }}"),
        ("U+0085 (next line)", "\u0085after"),
        ("300 characters", new string('x', 300)),
        ("non-ASCII text", "naïve-Ünïcødé-日本"),
    ];

    /// <summary>Markers for the control render, tried in order; the first the leaf's schema admits and the chart renders is used.</summary>
    private static readonly string[] Markers =
    [
        "zqmark", "/zqmark", "zqmark.example.com", "postgresql://zqmark:5432/mlflow", "s3://zqmark/prefix", "zqmark/zqimage",
    ];

    private const string Base = "charts/ci/everything-values.yaml";

    public static TheoryData<string, HelmVersion> Leaves
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var leaf in SchemaLeaves.All.Where(l => !IsYamlText(l)))
            {
                data.Add(leaf.Path, HelmVersion.Helm3);
                data.Add(leaf.Path, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Fact]
    public void The_leaves_come_from_the_schema_and_cover_every_free_text_value()
    {
        var paths = SchemaLeaves.All.Select(l => l.Path).ToList();

        paths.Should().OnlyHaveUniqueItems();
        // The values the issue found wrong, among others: each is a leaf read from the schema.
        paths.Should().Contain(["priorityClassName", "ingress.className", "ingress.hosts[0].paths[0].path", "metrics.path", "tls.secretName",
            "externalSecrets.secretName", "grafanaDashboard.namespace", "auth.admin.existingSecret", "storage.existingClaim",
            "serviceAccount.name", "podDisruptionBudget.maxUnavailable", "podLabels.zqkey", "env[0].value", "server.value_options.zqkey",
            "mlflow.backendStoreUri", "ingress.tls[0].hosts[0]"]);
        paths.Count.Should().BeGreaterThan(90, "the schema has that many free-text values today");
        var tried = SchemaLeaves.All.Count(l => !IsYamlText(l));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{paths.Count} string leaves, {tried} tried (extraObjects text is YAML by design), each with {Fragments.Length} hostile strings alone and {Fragments.Length} after a value it takes: up to {tried * Fragments.Length * 2} cases per Helm");
    }

    [Theory, MemberData(nameof(Leaves))]
    public async Task A_hostile_string_is_refused_by_name_or_arrives_intact(string path, HelmVersion helm)
    {
        var leaf = SchemaLeaves.All.Single(l => l.Path == path);
        var values = BaseValues();
        var (marker, control) = await ControlAsync(helm, values, leaf);

        var cases = new List<(string Name, string Value)>();
        foreach (var (name, text) in Fragments)
        {
            cases.Add(($"{name}, alone", text));
            if (marker is not null)
            {
                cases.Add(($"{name}, after {marker}", marker + text));
            }
        }

        var renders = await Task.WhenAll(cases.Select(c => Helm.TemplateAsync(helm, Json(SchemaLeaves.With(values, leaf, c.Value)))));
        var failures = new List<string>();
        var passed = new List<Render>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (name, value) = cases[i];
            var render = renders[i];
            if (!render.Succeeded)
            {
                if (!leaf.Spellings.Any(s => render.Error.Contains(s, StringComparison.Ordinal)))
                {
                    failures.Add($"{name}: refused without naming {leaf.Path}:\n{render.Error.Trim()}");
                }

                continue;
            }

            if (control is null)
            {
                failures.Add($"{name}: rendered, although no plain value of {leaf.Path} renders (no control to compare with)");
                continue;
            }

            var expected = ManifestTree.Canonical(marker is null ? control : control.Select(d => ManifestTree.Substitute(d, marker, value)));
            var actual = ManifestTree.Canonical(ManifestTree.Parse(render.Manifest));
            if (!expected.SequenceEqual(actual))
            {
                var first = actual.Except(expected).FirstOrDefault() ?? "(an object is missing)";
                failures.Add($"{name}: rendered, but not as the control with the value in place; first differing object:\n{first[..Math.Min(first.Length, 1500)]}");
                continue;
            }

            _ = render.Objects; // every object still loads strictly into the Kubernetes models
            passed.Add(render);
        }

        failures.Should().BeEmpty($"{leaf.Path} under {helm}");
        if (passed.Count > 0)
        {
            await ApiServerTests.ShouldBeAcceptedIfServerAsync(string.Join("\n---\n", passed.Select(r => r.Manifest)),
                $"the API server must accept every render of {leaf.Path} that the chart accepted");
        }
    }

    /// <summary>
    /// extraObjects strings are YAML documents by design (they go through tpl and are placed as
    /// written), so a string there is the user's own YAML, not a value to keep intact.
    /// </summary>
    private static bool IsYamlText(SchemaLeaf leaf) => leaf.Segments[0] is "extraObjects";

    /// <summary>The marker that renders for this leaf and that render's objects; (null, null) when no plain value renders.</summary>
    private static async Task<(string? Marker, IReadOnlyList<JsonNode>? Control)> ControlAsync(HelmVersion helm, JsonObject values, SchemaLeaf leaf)
    {
        foreach (var marker in Markers.Where(leaf.Admits))
        {
            var render = await Helm.TemplateAsync(helm, Json(SchemaLeaves.With(values, leaf, marker)));
            if (render.Succeeded)
            {
                return (marker, ManifestTree.Parse(render.Manifest));
            }
        }

        return (null, null);
    }

    private static JsonObject BaseValues()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(ScenarioFiles.Read(Base)))
        {
            yaml.Load(reader);
        }

        return ValuesFile.ToJson(yaml.Documents[0].RootNode)!.AsObject();
    }

    /// <summary>Values as JSON (valid YAML), every character outside ASCII written as an escape, so the file says exactly what the test means.</summary>
    private static string Json(JsonObject values) => values.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
