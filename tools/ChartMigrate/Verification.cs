using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MlflowChart.Migrate;

/// <summary>
/// Proves the converted values: `helm template` of this chart (the one beside the tool) with them,
/// as the user's install will render them. A refusal comes back as the chart's one line.
/// </summary>
public static partial class Verification
{
    public sealed record Verdict(string Helm, string? Refusal);

    public static Verdict Render(string values, string chartDir, Options options)
    {
        var helm = HelmBinary(options.Helm, chartDir)
            ?? throw new MigrationException("no helm binary to check the result with: put helm on PATH, pass --helm PATH, or --no-verify to skip the check");
        var file = Path.Combine(Path.GetTempPath(), $"chart-migrate-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, values);
        try
        {
            var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "template", options.Release, chartDir, "--namespace", options.Namespace, "--values", file })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new MigrationException($"could not run {helm}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new MigrationException($"{helm} template did not finish within 2 minutes");
            }

            return process.ExitCode == 0 ? new Verdict(helm, null) : new Verdict(helm, OneLine(stderr.Result));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MigrationException($"could not run {helm}: {e.Message}; pass --helm PATH or --no-verify");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The chart's own sentence ("mlflow: ...") out of helm's error, else helm's first error line.</summary>
    public static string OneLine(string stderr)
    {
        var chart = ChartSentence().Match(stderr);
        if (chart.Success)
        {
            return chart.Value.Trim();
        }

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = lines.FirstOrDefault(l => l.StartsWith("Error", StringComparison.Ordinal)) ?? stderr.Trim();
        // A schema refusal names the value on the line after the header: "- at '/server/flag_options/0': ...".
        var detail = lines.FirstOrDefault(l => l.StartsWith("- ", StringComparison.Ordinal));
        return detail is null ? error : $"{error.TrimEnd(':')}: {detail[2..]}";
    }

    /// <summary>The report rows whose key here the refusal names (e.g. server.value_options.port).</summary>
    public static IEnumerable<ReportRow> RowsBehind(Migration migration, string refusal)
    {
        var named = ValueName().Matches(refusal).Select(m => m.Value.TrimEnd('.')).ToHashSet();
        return migration.Report.Where(r => r.Target is not null && named.Any(n => r.Target.StartsWith(n, StringComparison.Ordinal) || n.StartsWith(r.Target, StringComparison.Ordinal))).Take(12);
    }

    /// <summary>--helm, then HELM_BIN / HELM4_BIN / HELM3_BIN, then helm on PATH, then the repository's .tools (scripts/setup-helm.sh).</summary>
    private static string? HelmBinary(string? given, string chartDir)
    {
        var candidates = new[] { given, Environment.GetEnvironmentVariable("HELM_BIN"), Environment.GetEnvironmentVariable("HELM4_BIN"), Environment.GetEnvironmentVariable("HELM3_BIN") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(d => d.Length > 0).Select(d => Path.Combine(d, "helm")))
            .Concat([Path.Combine(chartDir, "..", ".tools", "helm4", "helm", "helm"), Path.Combine(chartDir, "..", ".tools", "helm3", "helm", "helm")]);
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    [GeneratedRegex(@"mlflow: [^\n]+")]
    private static partial Regex ChartSentence();

    [GeneratedRegex(@"\b[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+\b")]
    private static partial Regex ValueName();
}
