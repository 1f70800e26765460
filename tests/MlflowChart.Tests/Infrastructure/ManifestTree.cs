using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// A rendered manifest as plain trees (every scalar as its text), for comparing two renders object
/// by object and key path by key path.
/// </summary>
public static class ManifestTree
{
    /// <summary>Each document of the manifest as a tree, checksum annotations left out (they change with any input).</summary>
    public static IReadOnlyList<JsonNode> Parse(string manifest)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(manifest))
        {
            stream.Load(reader);
        }

        return stream.Documents
            .Select(d => ToJson(d.RootNode, ""))
            .Where(n => n is JsonObject { Count: > 0 })
            .Cast<JsonNode>()
            .ToList();
    }

    /// <summary>The trees in a canonical text each (keys sorted), sorted, so two renders compare as multisets of objects.</summary>
    public static IReadOnlyList<string> Canonical(IEnumerable<JsonNode> documents) =>
        documents.Select(Canonical).Order(StringComparer.Ordinal).ToList();

    /// <summary>The tree with every occurrence of <paramref name="from"/> in its text, keys included, replaced by <paramref name="to"/>.</summary>
    public static JsonNode Substitute(JsonNode node, string from, string to) => node switch
    {
        JsonObject map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.Replace(from, to, StringComparison.Ordinal), p.Value is null ? null : Substitute(p.Value, from, to)))),
        JsonArray list => new JsonArray(list.Select(i => i is null ? null : Substitute(i, from, to)).ToArray()),
        _ => JsonValue.Create(((string)node!).Replace(from, to, StringComparison.Ordinal)),
    };

    public static string Canonical(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject map:
                text.Append('{');
                foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case JsonArray list:
                text.Append('[');
                foreach (var item in list)
                {
                    Write(item, text);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case null:
                text.Append("null");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    private static JsonNode? ToJson(YamlNode node, string key) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children
            .Select(c => (Key: ((YamlScalarNode)c.Key).Value ?? "", c.Value))
            .Where(c => !c.Key.StartsWith("checksum/", StringComparison.Ordinal))
            .Select(c => KeyValuePair.Create(c.Key, ToJson(c.Value, c.Key)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(c => ToJson(c, key)).ToArray()),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => null,
    };
}
