using System.Text.Json.Nodes;

namespace MlflowChart.Migrate;

/// <summary>This chart's values.schema.json: which keys exist, and their defaults.</summary>
public sealed class ChartSchema(JsonObject root)
{
    public static ChartSchema Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!.AsObject());

    /// <summary>The path, or the free-form value above it, that the schema accepts; null when it has no such key.</summary>
    public string? Known(string path)
    {
        var node = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            node = Resolve(node);
            if (node["properties"] is not JsonObject properties)
            {
                return string.Join('.', parts[..i]);
            }

            if (properties[parts[i]] is not JsonObject child)
            {
                return node["additionalProperties"] is JsonValue closed && !(bool)closed ? null : string.Join('.', parts[..i]);
            }

            node = child;
        }

        return path;
    }

    /// <summary>The chart's default for a whole-number key (the schema carries values.yaml's defaults).</summary>
    public long Default(string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            node = Resolve(node)["properties"]?[part]?.AsObject()
                   ?? throw new InvalidOperationException($"values.schema.json has no key {path}");
        }

        return node["default"]?.GetValue<long>() ?? throw new InvalidOperationException($"values.schema.json gives no default for {path}");
    }

    private JsonObject Resolve(JsonObject node) =>
        node["$ref"] is JsonValue reference
            ? root["definitions"]![((string)reference!)["#/definitions/".Length..]]!.AsObject()
            : node;
}
