using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlflowChart.ValuesDoc;

/// <summary>
/// values.yaml is the manual: every key of the chart's own objects carries a `# --` comment and a
/// default. The schema must list exactly those keys with the same description and default, and
/// the README's values table is generated from them. <see cref="Check"/> reports every drift;
/// <see cref="Write"/> brings the schema and the README in line with values.yaml.
/// </summary>
public sealed class ValuesDocument
{
    public const string TableStart = "<!-- values-table:start (generated from charts/values.yaml by tools/ValuesDoc; do not edit) -->";
    public const string TableEnd = "<!-- values-table:end -->";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly string root;

    public ValuesDocument(string repoRoot)
    {
        root = repoRoot;
        Keys = ValuesFile.Read(ValuesPath);
        Schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
    }

    public IReadOnlyList<ValueKey> Keys { get; }

    public JsonObject Schema { get; }

    private string ValuesPath => Path.Combine(root, "charts", "values.yaml");

    private string SchemaPath => Path.Combine(root, "charts", "values.schema.json");

    private string ReadmePath => Path.Combine(root, "README.md");

    /// <summary>
    /// values.yaml's defaults as JSON, which the chart reads to give a section written empty
    /// (`ingress:` with every line below commented out) its defaults back: Helm hands templates
    /// neither values.yaml nor the defaults of a key the user set to null.
    /// </summary>
    private string DefaultsPath => Path.Combine(root, "charts", "files", "defaults.json");

    /// <summary>
    /// templates/_sections.tpl: one expression that is true when every section whose default is a
    /// map is still a map, which the chart evaluates before it reads defaults.json.
    /// </summary>
    private string SectionsPath => Path.Combine(root, "charts", "templates", "_sections.tpl");

    private string SectionsText =>
        "{{/* Generated from values.yaml by tools/ValuesDoc (write); the suite checks it. True when every section\n" +
        "whose default is a map is still a map, i.e. no section was left empty (see mlflow.restoreSections). */}}\n" +
        "{{- define \"mlflow.sectionsPresent\" -}}\n" +
        "{{- and\n" +
        string.Concat(Sections(ValuesFile.Defaults(ValuesPath)).Select(s => $"      (kindIs \"map\" .{s})\n")) +
        "  | ternary \"yes\" \"\" }}\n" +
        "{{- end }}\n";

    /// <summary>The dotted path of every map under <paramref name="map"/>, parents before their children.</summary>
    public static IEnumerable<string> Sections(JsonObject map, string prefix = "")
    {
        foreach (var (key, value) in map)
        {
            if (value is JsonObject child)
            {
                var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
                yield return path;
                foreach (var inner in Sections(child, path))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Every drift between values.yaml, the schema and the README, one sentence each.</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        var byPath = Keys.ToDictionary(k => k.Path);
        foreach (var key in Keys)
        {
            var node = SchemaNode(key.Path);
            if (node is null)
            {
                problems.Add($"values.yaml:{key.Line}: {key.Path} is not in values.schema.json; add it there (or remove it here)");
                continue;
            }

            if (key.Description is null && !IsGroup(node))
            {
                problems.Add($"values.yaml:{key.Line}: {key.Path} has no `# --` comment saying what it does");
            }

            if (key.Description is not null)
            {
                if ((string?)node["description"] != key.Description)
                {
                    problems.Add($"values.schema.json: {key.Path} description differs from its values.yaml comment; run the ValuesDoc tool with write");
                }

                if (!JsonNode.DeepEquals(node["default"], key.Default) || !node.ContainsKey("default"))
                {
                    problems.Add($"values.schema.json: {key.Path} default is {Show(node["default"])}, values.yaml says {Show(key.Default)}; run the ValuesDoc tool with write");
                }
            }
        }

        foreach (var path in SchemaPaths(Schema, ""))
        {
            if (!byPath.ContainsKey(path) && !ParentDefaultsEmpty(path, byPath))
            {
                problems.Add($"values.schema.json: {path} is not in values.yaml; add it with a `# --` comment and its default");
            }
        }

        if (!File.Exists(DefaultsPath) || !JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(DefaultsPath)), ValuesFile.Defaults(ValuesPath)))
        {
            problems.Add("charts/files/defaults.json differs from values.yaml's defaults; run the ValuesDoc tool with write");
        }

        if (!File.Exists(SectionsPath) || File.ReadAllText(SectionsPath) != SectionsText)
        {
            problems.Add("charts/templates/_sections.tpl differs from values.yaml's sections; run the ValuesDoc tool with write");
        }

        var readme = File.ReadAllText(ReadmePath);
        var start = readme.IndexOf(TableStart, StringComparison.Ordinal);
        var end = readme.IndexOf(TableEnd, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            problems.Add("README.md: the values table markers are missing");
        }
        else if (readme[(start + TableStart.Length)..end].Trim() != Table().Trim())
        {
            problems.Add("README.md: the values table differs from values.yaml; run the ValuesDoc tool with write");
        }

        return problems;
    }

    /// <summary>Writes the descriptions and defaults into the schema and regenerates the README table.</summary>
    public void Write()
    {
        foreach (var key in Keys.Where(k => k.Description is not null))
        {
            if (SchemaNode(key.Path, inline: true) is { } node)
            {
                node["description"] = key.Description;
                node["default"] = key.Default?.DeepClone();
            }
        }

        File.WriteAllText(SchemaPath, Schema.ToJsonString(Indented) + "\n");
        Directory.CreateDirectory(Path.GetDirectoryName(DefaultsPath)!);
        File.WriteAllText(DefaultsPath, ValuesFile.Defaults(ValuesPath).ToJsonString(Indented) + "\n");
        File.WriteAllText(SectionsPath, SectionsText);
        var readme = File.ReadAllText(ReadmePath);
        var start = readme.IndexOf(TableStart, StringComparison.Ordinal);
        var end = readme.IndexOf(TableEnd, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"README.md has no {TableStart} ... {TableEnd} section to fill");
        }

        File.WriteAllText(ReadmePath, readme[..(start + TableStart.Length)] + "\n" + Table() + readme[end..]);
    }

    /// <summary>The README's values table: key, default, description.</summary>
    public string Table()
    {
        var table = new StringBuilder("| Key | Default | Description |\n|---|---|---|\n");
        foreach (var key in Keys.Where(k => k.Description is not null))
        {
            table.Append($"| `{key.Path}` | `{Show(key.Default).Replace("|", "\\|")}` | {key.Description!.Replace("|", "\\|")} |\n");
        }

        return table.ToString();
    }

    private static string Show(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    /// <summary>The schema node of a dotted path, following properties (and $ref into definitions).</summary>
    /// <param name="inline">
    /// Replace a $ref on the way with a copy of its definition, so that writing a description or
    /// default under it changes this key alone, not every key sharing the definition.
    /// </param>
    private JsonObject? SchemaNode(string path, bool inline = false)
    {
        JsonObject? node = Schema;
        foreach (var part in path.Split('.'))
        {
            if (inline && node!["$ref"] is not null && Resolve(node)["properties"] is not null)
            {
                var definition = Resolve(node).DeepClone().AsObject();
                node.Remove("$ref");
                foreach (var (name, value) in definition)
                {
                    node[name] ??= value?.DeepClone();
                }
            }

            var properties = Resolve(node!)["properties"] as JsonObject;
            node = properties?[part] as JsonObject;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private JsonObject Resolve(JsonObject node) =>
        node["$ref"] is JsonValue reference && ((string)reference!).StartsWith("#/definitions/", StringComparison.Ordinal)
            ? Schema["definitions"]![((string)reference!)["#/definitions/".Length..]]!.AsObject()
            : node;

    private bool IsGroup(JsonObject node) => Resolve(node)["properties"] is JsonObject;

    /// <summary>Every property path of the chart's own (closed) objects.</summary>
    private IEnumerable<string> SchemaPaths(JsonObject node, string prefix)
    {
        if (Resolve(node)["properties"] is not JsonObject properties)
        {
            yield break;
        }

        foreach (var (name, child) in properties)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return path;
            foreach (var nested in SchemaPaths(child!.AsObject(), path))
            {
                yield return nested;
            }
        }
    }

    /// <summary>A schema key may be absent from values.yaml when an ancestor's default is an empty or documented map (e.g. backendStoreUriFrom: {}).</summary>
    private static bool ParentDefaultsEmpty(string path, IReadOnlyDictionary<string, ValueKey> byPath)
    {
        for (var at = path.LastIndexOf('.'); at > 0; at = path.LastIndexOf('.', at - 1))
        {
            if (byPath.TryGetValue(path[..at], out var parent))
            {
                return parent.Description is not null || parent.Default is JsonObject { Count: 0 };
            }
        }

        return false;
    }
}
