using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.ValuesDoc;

/// <summary>One key of values.yaml: its dotted path, its `# --` description and its default.</summary>
public sealed record ValueKey(string Path, string? Description, JsonNode? Default, int Line);

/// <summary>
/// Reads values.yaml: the keys of the chart's own objects, each with the `# --` comment above it
/// and its default value. Keys inside free-form values (resources, security contexts, lists) are
/// not keys of the chart and are not listed.
/// </summary>
public static partial class ValuesFile
{
    public static IReadOnlyList<ValueKey> Read(string path)
    {
        var text = File.ReadAllText(path);
        var comments = Comments(text);
        var yaml = new YamlStream();
        using (var reader = new StringReader(text))
        {
            yaml.Load(reader);
        }

        var keys = new List<ValueKey>();
        Walk((YamlMappingNode)yaml.Documents[0].RootNode, "", comments, keys);
        return keys;
    }

    private static void Walk(YamlMappingNode map, string prefix, IReadOnlyDictionary<int, string> comments, List<ValueKey> keys)
    {
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            var line = (int)keyNode.Start.Line;
            comments.TryGetValue(line, out var description);
            keys.Add(new ValueKey(path, description, ToJson(valueNode), line));

            // An undocumented, non-empty map is a group of the chart's keys; a documented one is a
            // free-form value (resources, podSecurityContext, ...) described as a whole.
            if (description is null && valueNode is YamlMappingNode { Children.Count: > 0 } child)
            {
                Walk(child, path, comments, keys);
            }
        }
    }

    /// <summary>Line number of a key to the `# --` text above it (continuation comment lines joined).</summary>
    private static Dictionary<int, string> Comments(string text)
    {
        var lines = text.Split('\n');
        var result = new Dictionary<int, string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!KeyLine().IsMatch(lines[i]))
            {
                continue;
            }

            var block = new List<string>();
            for (var j = i - 1; j >= 0 && lines[j].TrimStart().StartsWith('#'); j--)
            {
                block.Insert(0, lines[j].Trim().TrimStart('#').Trim());
            }

            var start = block.FindIndex(l => l.StartsWith("-- ", StringComparison.Ordinal));
            if (start >= 0)
            {
                result[i + 1] = string.Join(' ', block.Skip(start).Select((l, n) => n == 0 ? l[3..] : l)).Trim();
            }
        }

        return result;
    }

    /// <summary>The whole of values.yaml as JSON: every default, at every depth.</summary>
    public static JsonObject Defaults(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            yaml.Load(reader);
        }

        return (JsonObject)ToJson(yaml.Documents[0].RootNode)!;
    }

    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(value, out var l) => JsonValue.Create(l),
            _ when Number().IsMatch(value) => JsonValue.Create(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(value),
        };
    }

    [GeneratedRegex(@"^\s*[A-Za-z_][A-Za-z0-9_]*:(\s|$)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^-?[0-9]+\.[0-9]+$")]
    private static partial Regex Number();
}
