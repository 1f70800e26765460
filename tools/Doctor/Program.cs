using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using MlflowChart.Doctor;
using Spectre.Console;

// mlflow-doctor: examines a live MLflow release and says what is wrong and how to fix it.
//   dotnet run --project tools/Doctor -- RELEASE -n NAMESPACE [--json] [--upload-size 500Mi]
//                                        [--kubeconfig FILE] [--context NAME]
// Exit codes: 0 nothing FAILs, 1 something FAILs, 2 the release is not found or the cluster
// cannot be reached (one line on stderr). It only reads; it never changes the cluster.
return await DoctorCommand.RunAsync(args, Console.Out, Console.Error);

public static class DoctorCommand
{
    public const int Healthy = 0;
    public const int Failing = 1;
    public const int CannotTell = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (Arguments.Parse(args) is not { } options)
        {
            await stderr.WriteLineAsync(Arguments.Usage);
            return CannotTell;
        }

        Snapshot snapshot;
        try
        {
            var kubeconfig = options.Kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0);
            var config = kubeconfig is null && options.Context is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, options.Context);
            using var client = new Kubernetes(config);
            var ns = options.Namespace ?? config.Namespace ?? "default";
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            snapshot = await new Collector(client).CollectAsync(options.Release, ns, cancel.Token);
        }
        catch (Collector.NotFoundException e)
        {
            await stderr.WriteLineAsync($"doctor: release {options.Release} not found: {e.Message}");
            return CannotTell;
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Exceptions.KubeConfigException or k8s.Autorest.HttpOperationException or OperationCanceledException or IOException)
        {
            await stderr.WriteLineAsync($"doctor: cannot reach the cluster: {Flatten(e)}");
            return CannotTell;
        }

        if (options.SnapshotOut is { } file)
        {
            // What doctor saw, for a bug report or a test: API objects, Secret key names (never values), log tails.
            await File.WriteAllTextAsync(file, KubernetesJson.Serialize(snapshot));
        }

        var findings = Checks.Run(snapshot, new Checks.Options(options.UploadBytes));
        if (options.Json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new Report(snapshot.Release, snapshot.Namespace, snapshot.Chart, findings), JsonOptions));
        }
        else
        {
            Print(snapshot, findings, stdout);
        }

        return findings.Any(f => f.Verdict == Verdict.Fail) ? Failing : Healthy;
    }

    public sealed record Report(string Release, string Namespace, string? Chart, IReadOnlyList<Finding> Findings)
    {
        public int Fail => Findings.Count(f => f.Verdict == Verdict.Fail);

        public int Warn => Findings.Count(f => f.Verdict == Verdict.Warn);

        public int Ok => Findings.Count(f => f.Verdict == Verdict.Ok);
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>One line a finding: the verdict, the area and check, the evidence, and (for warn and FAIL) the fix.</summary>
    private static void Print(Snapshot snapshot, IReadOnlyList<Finding> findings, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = stdout == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = stdout == Console.Out && !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        // A terminal wraps at its own width; in a file or a pipe each finding stays one line.
        console.Profile.Width = stdout == Console.Out && !Console.IsOutputRedirected ? Math.Max(console.Profile.Width, 120) : 2000;
        console.MarkupLine($"[bold]mlflow doctor[/] release [bold]{Markup.Escape(snapshot.Release)}[/] in namespace [bold]{Markup.Escape(snapshot.Namespace)}[/]{(snapshot.Chart is null ? "" : $" (chart {Markup.Escape(snapshot.Chart)})")}");
        foreach (var finding in findings)
        {
            var (label, color) = finding.Verdict switch
            {
                Verdict.Ok => ("ok  ", "green"),
                Verdict.Warn => ("warn", "yellow"),
                _ => ("FAIL", "red"),
            };
            console.MarkupLine($"[{color}]{label}[/] {Markup.Escape($"{finding.Area}/{finding.Check}")}: {Markup.Escape(finding.Evidence)}");
            if (finding.Verdict != Verdict.Ok && finding.Fix.Length > 0)
            {
                console.MarkupLine($"     fix: {Markup.Escape(finding.Fix)}");
            }
        }

        var fails = findings.Count(f => f.Verdict == Verdict.Fail);
        var warns = findings.Count(f => f.Verdict == Verdict.Warn);
        console.MarkupLine($"{findings.Count(f => f.Verdict == Verdict.Ok)} ok, {warns} warn, {fails} FAIL");
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})";
}

/// <summary>The command line: RELEASE, -n/--namespace, --json, --upload-size, --kubeconfig, --context.</summary>
public sealed record Arguments(string Release, string? Namespace, bool Json, long UploadBytes, string? Kubeconfig, string? Context, string? SnapshotOut = null)
{
    public const string Usage = "usage: doctor RELEASE [-n NAMESPACE] [--json] [--upload-size 100Mi] [--kubeconfig FILE] [--context NAME] [--snapshot-out FILE]";

    public static Arguments? Parse(IReadOnlyList<string> args)
    {
        string? release = null, ns = null, kubeconfig = null, context = null, snapshotOut = null;
        var json = false;
        long upload = 100L * 1024 * 1024;
        for (var i = 0; i < args.Count; i++)
        {
            string? Next() => i + 1 < args.Count ? args[++i] : null;
            switch (args[i])
            {
                case "-n" or "--namespace":
                    ns = Next();
                    if (ns is null)
                    {
                        return null;
                    }

                    break;
                case "--json":
                    json = true;
                    break;
                case "--upload-size":
                    if (ParseSize(Next()) is not { } size)
                    {
                        return null;
                    }

                    upload = size;
                    break;
                case "--kubeconfig":
                    kubeconfig = Next();
                    break;
                case "--context":
                    context = Next();
                    break;
                case "--snapshot-out":
                    snapshotOut = Next();
                    break;
                case var a when a.StartsWith('-'):
                    return null;
                default:
                    if (release is not null)
                    {
                        return null;
                    }

                    release = args[i];
                    break;
            }
        }

        return release is null ? null : new Arguments(release, ns, json, upload, kubeconfig, context, snapshotOut);
    }

    /// <summary>A size such as 500Mi, 2Gi, 100M or a number of bytes.</summary>
    public static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return (long)new k8s.Models.ResourceQuantity(text).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
