using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// One place in the values where a user writes free text: a leaf of values.schema.json whose type
/// includes string and which is not an enum. Array items stand at index 0; the values of an open
/// map (labels, annotations, value_options) stand under the key <see cref="SchemaLeaves.MapKey"/>.
/// </summary>
public sealed record SchemaLeaf(IReadOnlyList<object> Segments, JsonObject Node, IReadOnlyList<IReadOnlyList<string>> Required)
{
    /// <summary>The chart's own spelling: server.value_options.zqkey, ingress.hosts[0].host.</summary>
    public string Path => string.Concat(Segments.Select((s, i) => s is int n ? $"[{n}]" : (i == 0 ? "" : ".") + s));

    /// <summary>The spellings Helm 3 (a.b.0.c), Helm 4 (/a/b/0/c) and the chart (a.b[0].c) use for it in an error.</summary>
    public IEnumerable<string> Spellings
    {
        get
        {
            yield return Path;
            yield return string.Join('.', Segments);
            yield return "/" + string.Join('/', Segments);
            // A value inside a list may be refused for what it does to the list (a flag that
            // other settings need, a variable a URI names): the list itself is then named.
            var list = Segments.ToList().FindLastIndex(s => s is int);
            if (list > 0)
            {
                yield return string.Concat(Segments.Take(list).Select((s, i) => s is int n ? $"[{n}]" : (i == 0 ? "" : ".") + s));
            }
        }
    }

    public bool Admits(string value)
    {
        if (Node["maxLength"] is JsonValue max && value.Length > (int)max || Node["minLength"] is JsonValue min && value.Length < (int)min)
        {
            return false;
        }

        return Node["pattern"] is not JsonValue pattern || Regex.IsMatch(value, (string)pattern!);
    }
}

/// <summary>Reads the string leaves straight from values.schema.json, so a value added tomorrow is covered the day it is added.</summary>
public static class SchemaLeaves
{
    public const string MapKey = "zqkey";

    public static IReadOnlyList<SchemaLeaf> All { get; } = Read();

    private static IReadOnlyList<SchemaLeaf> Read()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Chart, "values.schema.json")))!.AsObject();
        var leaves = new List<SchemaLeaf>();
        Walk(schema, schema, [], [], leaves);
        return leaves;
    }

    private static void Walk(JsonObject root, JsonObject node, List<object> segments, List<IReadOnlyList<string>> required, List<SchemaLeaf> leaves)
    {
        while (node["$ref"] is JsonValue reference)
        {
            var name = ((string)reference!).Split('/')[^1];
            node = root["definitions"]![name]!.AsObject();
        }

        var types = node["type"] switch
        {
            JsonArray list => list.Select(t => (string)t!).ToList(),
            JsonValue one => [(string)one!],
            _ => [],
        };
        var mustHave = node["required"] is JsonArray names ? names.Select(n => (string)n!).ToList() : [];
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (key, child) in properties)
            {
                Walk(root, child!.AsObject(), [.. segments, key], [.. required, mustHave], leaves);
            }
        }

        if (types.Contains("array") && node["items"] is JsonObject items)
        {
            Walk(root, items, [.. segments, 0], [.. required, []], leaves);
        }

        if (types.Contains("object") && node["additionalProperties"] is JsonObject open)
        {
            Walk(root, open, [.. segments, MapKey], [.. required, mustHave], leaves);
        }

        if (types.Contains("object") && node["patternProperties"] is JsonObject patterns)
        {
            foreach (var (pattern, value) in patterns)
            {
                if (Regex.IsMatch(MapKey, pattern))
                {
                    Walk(root, value!.AsObject(), [.. segments, MapKey], [.. required, mustHave], leaves);
                }
            }
        }

        if (types.Contains("string") && node["enum"] is null && segments.Count > 0)
        {
            leaves.Add(new SchemaLeaf(segments, node, required));
        }
    }

    /// <summary>
    /// A copy of the values with the leaf set to the value, creating the maps and the first array
    /// item on the way; a required sibling the values lack (the key beside a Secret's name) is
    /// filled with a plain name, so the object is complete.
    /// </summary>
    public static JsonObject With(JsonObject values, SchemaLeaf leaf, string value)
    {
        var copy = values.DeepClone().AsObject();
        JsonNode current = copy;
        for (var i = 0; i < leaf.Segments.Count; i++)
        {
            var last = i == leaf.Segments.Count - 1;
            var next = last ? null : leaf.Segments[i + 1];
            JsonNode Fresh() => next is int ? new JsonArray() : new JsonObject();
            switch (leaf.Segments[i])
            {
                case string key:
                {
                    var map = current.AsObject();
                    foreach (var sibling in leaf.Required[i].Where(r => r != key && !map.ContainsKey(r)))
                    {
                        map[sibling] = "zqfill";
                    }

                    if (last)
                    {
                        map[key] = value;
                    }
                    else
                    {
                        if (map[key] is null || (next is int) != map[key] is JsonArray)
                        {
                            map[key] = Fresh();
                        }

                        current = map[key]!;
                    }

                    break;
                }

                case int:
                {
                    var list = current.AsArray();
                    if (last)
                    {
                        if (list.Count == 0) list.Add(value); else list[0] = value;
                    }
                    else
                    {
                        if (list.Count == 0 || (next is int) != list[0] is JsonArray)
                        {
                            if (list.Count == 0) list.Add(Fresh()); else list[0] = Fresh();
                        }

                        current = list[0]!;
                    }

                    break;
                }
            }
        }

        return copy;
    }
}
