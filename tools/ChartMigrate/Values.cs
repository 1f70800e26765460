using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlflowChart.Migrate;

/// <summary>A values tree as plain objects: maps (ordered), lists, strings, longs, doubles, bools and null.</summary>
public static class Values
{
    /// <summary>
    /// Parses a values file as Helm reads it: anchors and aliases resolved, `<<:` merge keys merged.
    /// Refused with one line: invalid YAML, more than one document, a key that is not a scalar.
    /// </summary>
    public static Dictionary<string, object?> Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new MergingParser(new Parser(new StringReader(yaml))));
        }
        catch (YamlException e)
        {
            throw new MigrationException($"the source file is not valid YAML: {e.Message} (line {e.Start.Line})");
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        if (stream.Documents.Count > 1)
        {
            throw new MigrationException($"the source file holds {stream.Documents.Count} YAML documents (separated by ---); a values file is one map of values: split it and convert each part");
        }

        return ToObject(stream.Documents[0].RootNode) switch
        {
            Dictionary<string, object?> map => map,
            null => [],
            _ => throw new MigrationException("the source file is not a map of values (its top level must be key: value pairs)"),
        };
    }

    private static object? ToObject(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(c => Key(c.Key), c => ToObject(c.Value)),
        YamlSequenceNode list => list.Children.Select(ToObject).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    /// <summary>A map key: a scalar, as Helm's values need it; a map or list used as a key is refused.</summary>
    private static string Key(YamlNode key) => key is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw new MigrationException($"line {key.Start.Line}: a {(key is YamlMappingNode ? "map" : "list")} is used as a key; values keys are plain names (quote it if it is meant as text)");

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && char.IsDigit(text[^1]) => d,
            _ => text,
        };
    }

    /// <summary>The value at a dotted path, or null.</summary>
    public static object? At(Dictionary<string, object?> root, string path)
    {
        object? node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(part, out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Every leaf path: scalars, lists and empty maps (a list counts as one value).</summary>
    public static IEnumerable<string> Leaves(Dictionary<string, object?> map, string prefix = "")
    {
        foreach (var (key, value) in map)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is Dictionary<string, object?> { Count: > 0 } child)
            {
                foreach (var leaf in Leaves(child, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    public static void Set(Dictionary<string, object?> root, string path, object? value)
    {
        var parts = path.Split('.');
        var map = root;
        foreach (var part in parts[..^1])
        {
            if (!map.TryGetValue(part, out var next) || next is not Dictionary<string, object?> child)
            {
                child = [];
                map[part] = child;
            }

            map = child;
        }

        map[parts[^1]] = value;
    }

    public static void Append(Dictionary<string, object?> root, string path, object? item)
    {
        if (At(root, path) is not List<object?> list)
        {
            list = [];
            Set(root, path, list);
        }

        list.Add(item);
    }

    public static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}

/// <summary>A failure the user must fix in the source or the command: one line, exit code 2.</summary>
public sealed class MigrationException(string message) : Exception(message);
