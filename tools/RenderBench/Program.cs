using System.Diagnostics;
using System.Globalization;

// Render benchmark: renders every scenario with Helm 3 and Helm 4 several times and prints, per
// scenario, the median render time and its ratio to Helm's own floor: a chart of one ConfigMap
// rendered with the same command line (the scenario's values file included) in the same run,
// alternating with the scenario. The ratio is the median of the per-pair ratios. Not a test; a
// measurement.
//
//   dotnet run -c Release --project tools/RenderBench -- [--runs N] [--max-ratio R]
// HELM3_BIN and HELM4_BIN name the binaries (scripts/setup-helm.sh prints them). Exit 1 when a
// scenario's ratio is above --max-ratio (default 1.5).
var runs = Option("--runs", 21);
var maxRatio = Option("--max-ratio", 1.5);
var root = FindRoot();
var helms = new[] { ("helm3", Environment.GetEnvironmentVariable("HELM3_BIN")), ("helm4", Environment.GetEnvironmentVariable("HELM4_BIN")) }
    .Where(h => !string.IsNullOrEmpty(h.Item2)).Select(h => (Name: h.Item1, Bin: h.Item2!)).ToList();
if (helms.Count == 0)
{
    Console.Error.WriteLine("set HELM3_BIN and/or HELM4_BIN (eval \"$(bash scripts/setup-helm.sh)\")");
    return 2;
}

var floorChart = Directory.CreateTempSubdirectory("render-floor-").FullName;
Directory.CreateDirectory(Path.Combine(floorChart, "templates"));
File.WriteAllText(Path.Combine(floorChart, "Chart.yaml"), "apiVersion: v2\nname: floor\nversion: 0.1.0\n");
File.WriteAllText(Path.Combine(floorChart, "templates", "configmap.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-floor\ndata:\n  key: value\n");

var scenarios = Directory.GetFiles(Path.Combine(root, "charts", "ci"), "*.yaml")
    .Concat(Directory.Exists(Path.Combine(root, "examples")) ? Directory.GetFiles(Path.Combine(root, "examples"), "*.yaml") : [])
    .Append(Path.Combine(root, "charts", "example-mlflow-charts.yaml"))
    .Order(StringComparer.Ordinal).ToList();

var worst = 0.0;
Console.WriteLine($"{"scenario",-52} {"helm",-6} {"median ms",10} {"floor ms",9} {"ratio",6}");
foreach (var (name, bin) in helms)
{
    foreach (var scenario in scenarios)
    {
        // Floor and scenario renders alternate, and the ratio is the median of each pair's own
        // ratio, so a machine that slows down or speeds up for a moment shifts both sides of a
        // pair alike instead of landing on one median.
        var (median, floor, ratio) = Medians(runs,
            () => Render(bin, Path.Combine(root, "charts"), scenario),
            () => Render(bin, floorChart, scenario));
        worst = Math.Max(worst, ratio);
        Console.WriteLine($"{Path.GetRelativePath(root, scenario),-52} {name,-6} {median,10:F1} {floor,9:F1} {ratio,6:F2}");
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst ratio {worst:F2} (target at most {maxRatio:F2})"));
Directory.Delete(floorChart, recursive: true);
return worst <= maxRatio ? 0 : 1;

static double Render(string helm, string chart, string values)
{
    var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var arg in new[] { "template", "mlflow", chart, "--namespace", "mlflow", "--kube-version", "1.32.0" })
    {
        start.ArgumentList.Add(arg);
    }

    start.ArgumentList.Add("--values");
    start.ArgumentList.Add(values);

    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    process.StandardOutput.ReadToEnd();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{helm} template {chart} {values} failed: {error}");
    }

    return clock.Elapsed.TotalMilliseconds;
}

static (double First, double Second, double Ratio) Medians(int runs, Func<double> first, Func<double> second)
{
    first(); // warm the page cache and helm's own start-up
    second();
    var a = new List<double>();
    var b = new List<double>();
    var ratios = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        // Which side goes first alternates too, so neither always runs on a cache the other warmed.
        double x, y;
        if (i % 2 == 0)
        {
            x = first();
            y = second();
        }
        else
        {
            y = second();
            x = first();
        }

        a.Add(x);
        b.Add(y);
        ratios.Add(x / y);
    }

    return (Median(a), Median(b), Median(ratios));
}

static double Median(List<double> times)
{
    times.Sort();
    return times[times.Count / 2];
}

T Option<T>(string name, T fallback) where T : IParsable<T>
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? T.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "charts", "Chart.yaml")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run inside the repository");
}
