using System.Text.RegularExpressions;

namespace MlflowChart.Tests;

/// <summary>
/// No template places a value raw: every action that writes into YAML ends in quote, toJson,
/// toYaml or int (or is an include, whose define follows the same rule), so a new raw placement
/// fails here before a user's value can break out of its place.
/// </summary>
public sealed partial class TemplateQuotingTests
{
    /// <summary>Defines that return plain text for their callers to quote (names, paths, the INI, checks), not YAML.</summary>
    private static readonly HashSet<string> TextDefines =
    [
        "mlflow.name", "mlflow.fullname", "mlflow.fit", "mlflow.image", "mlflow.localPath",
        "mlflow.mebibytes", "mlflow.authIni", "mlflow.credentialIn", "mlflow.validate", "mlflow.refuseNextLine", "mlflow.sectionsPresent",
    ];

    /// <summary>
    /// Text the chart itself makes and that YAML cannot misread, placed as it is: the port name and
    /// scheme (http/https), label blocks built of quoted values, the pod fragments (built with
    /// quote and toYaml), the probe kind and resource name of the chart's own loops, a container
    /// name the templates pass, YAML text built by includes, and the chart's own files (the
    /// dashboard, and the Python scripts placed as literal blocks).
    /// </summary>
    private static readonly Regex ChartMade = ChartMadePattern();

    private static readonly string[] Encoders = ["quote", "toJson", "toYaml", "int", "int64", "include", "tpl"];

    private static readonly string[] Layout = ["nindent", "indent", "trim"];

    [Fact]
    public void No_template_places_a_value_without_quoting()
    {
        var raw = new List<string>();
        foreach (var file in TemplateFiles())
        {
            if (Path.GetFileName(file) == "NOTES.txt")
            {
                continue; // printed text, not YAML
            }

            raw.AddRange(RawPlacements(File.ReadAllText(file)).Select(p => $"{Path.GetRelativePath(Repo.Chart, file)}: {p}"));
        }

        raw.Should().BeEmpty("a user value must reach the output through quote, toJson, toYaml or int");
    }

    /// <summary>
    /// Every file Helm runs as a template: templates/, and the objects and checks kept in
    /// files/objects and files/checks, which run through tpl only when their feature is on.
    /// </summary>
    public static IEnumerable<string> TemplateFiles() =>
        Directory.GetFiles(Path.Combine(Repo.Chart, "templates"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Repo.Chart, "files", "objects")))
            .Concat(Directory.GetFiles(Path.Combine(Repo.Chart, "files", "checks")));

    [Fact]
    public void The_parts_outside_templates_are_scanned_too()
    {
        TemplateFiles().Select(f => Path.GetRelativePath(Repo.Chart, f).Replace('\\', '/'))
            .Should().Contain(["files/objects/ingress.yaml", "files/checks/sso.tpl", "templates/deployment.yaml"]);
    }

    [Fact]
    public void The_check_finds_a_raw_placement()
    {
        RawPlacements("metadata:\n  name: {{ .Values.fullnameOverride }}\n").Should().ContainSingle();
        RawPlacements("  className: {{ .Values.ingress.className | default \"nginx\" }}\n").Should().ContainSingle();
        RawPlacements("  path: {{ $s.healthPath }}\n").Should().ContainSingle();
        RawPlacements("  name: {{ .Values.fullnameOverride | quote }}\n  {{- toYaml .Values.env | nindent 2 }}\n  port: {{ int .Values.service.port }}\n")
            .Should().BeEmpty();
    }

    /// <summary>The output actions of a template that place something without an encoder.</summary>
    public static IEnumerable<string> RawPlacements(string template)
    {
        var text = WithoutTextDefines(template);
        foreach (Match action in Action().Matches(text))
        {
            var body = action.Groups["body"].Value.Trim();
            if (body.StartsWith("/*", StringComparison.Ordinal) || Control().IsMatch(body) || Assignment().IsMatch(body))
            {
                continue;
            }

            var stages = Stages(body);
            while (stages.Count > 1 && Layout.Contains(FirstWord(stages[^1])))
            {
                stages.RemoveAt(stages.Count - 1);
            }

            var encoded = Encoders.Contains(FirstWord(stages[^1])) || Encoders.Contains(FirstWord(stages[0]));
            var literal = Literal().IsMatch(body);
            if (!encoded && !literal && !ChartMade.IsMatch(stages[0].Trim()))
            {
                yield return action.Value.Replace("\n", " ");
            }
        }
    }

    private static string WithoutTextDefines(string template)
    {
        foreach (var name in TextDefines)
        {
            template = Regex.Replace(template,
                @"\{\{-?\s*define\s+""" + Regex.Escape(name) + @"""\s*-?\}\}.*?\{\{-?\s*end\s*-?\}\}\s*(?=\{\{/\*|\{\{-?\s*define|\z)",
                "", RegexOptions.Singleline);
        }

        return template;
    }

    /// <summary>The stages of a pipeline, split at the | that stand outside parentheses and strings.</summary>
    private static List<string> Stages(string body)
    {
        var stages = new List<string>();
        var depth = 0;
        var inString = false;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            }
            else if (c == '"') inString = true;
            else if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == '|' && depth == 0)
            {
                stages.Add(body[start..i]);
                start = i + 1;
            }
        }

        stages.Add(body[start..]);
        return stages;
    }

    private static string FirstWord(string stage) => stage.Trim().Split([' ', '\n', '('], 2)[0];

    [GeneratedRegex(@"\{\{-?(?<body>.*?)-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^(if|else|end|range|with|define|template|block|break|continue|fail)\b")]
    private static partial Regex Control();

    [GeneratedRegex(@"^\$[A-Za-z_]\w*\s*:?=[^=]")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^(""[^""]*""|[0-9]+|true|false)$")]
    private static partial Regex Literal();

    [GeneratedRegex(@"^(\$s\.(portName|scheme|labels\.\w+|selectorLabels|workloadSelector)|\$?\.settings\.fragments\.\w+|\$f\.\w+|index (\$s|\.settings)\.labels \.component|\.Values\.__mlflowSettings\.selectorLabels|\$kind|\$resource|\.name|\.args|\.extraEnv|\.affinity|\$text|\.Files\.Get ""dashboards/mlflow\.json""|\$root\.Files\.Get (""files/auth-config\.py""|""files/migrate\.py""|\.script)|ternary ""https"" ""http"" \$s\.tls|\$kind Probe)$")]
    private static partial Regex ChartMadePattern();
}
