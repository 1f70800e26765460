using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Serialization;

namespace MlflowChart.Tests.Infrastructure;

/// <summary>
/// Runs the real helm binaries. Renders are cached per (helm version, values, arguments), so a
/// scenario that many tests look at is rendered once per Helm version.
/// </summary>
public static class Helm
{
    public const string Release = "mlflow";
    public const string Namespace = "mlflow";

    /// <summary>The Kubernetes version renders are made for: that of the API server the suite starts.</summary>
    public const string KubeVersion = "1.32.0";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, Lazy<Task<Render>>> Renders = new();
    private static readonly ConcurrentDictionary<string, Lazy<Task<ProcessResult>>> Runs = new();
    private static readonly SemaphoreSlim Slots = new(Math.Max(2, System.Environment.ProcessorCount * 2));
    private static readonly string WorkDir = Scratch.Folder("mlflow-chart-tests-");
    private static readonly ISerializer Serializer = new SerializerBuilder().Build();

    /// <summary>Helm's cache, config and data folders for the suite (repositories, registry logins), kept apart from the user's.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["HELM_CACHE_HOME"] = Path.Combine(WorkDir, "cache"),
        ["HELM_CONFIG_HOME"] = Path.Combine(WorkDir, "config"),
        ["HELM_DATA_HOME"] = Path.Combine(WorkDir, "data"),
    };

    public static string Binary(HelmVersion version)
    {
        var variable = version == HelmVersion.Helm3 ? "HELM3_BIN" : "HELM4_BIN";
        var fromEnv = System.Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        var cached = Path.Combine(Repo.Root, ".tools", version == HelmVersion.Helm3 ? "helm3" : "helm4", "helm", "helm");
        return File.Exists(cached)
            ? cached
            : throw new InvalidOperationException(
                $"{variable} is not set and {cached} does not exist; run the suite through scripts/test.sh, which fetches Helm.");
    }

    /// <summary>
    /// `helm template` of the chart with the given values: a YAML string, or an object/dictionary
    /// serialized to YAML. Extra arguments (for example the docs' `--set` flags) follow the values file.
    /// </summary>
    public static Task<Render> TemplateAsync(HelmVersion version, object? values = null, params string[] extraArgs) =>
        TemplateChartAsync(version, Repo.Chart, values, extraArgs);

    public static Task<Render> TemplateChartAsync(HelmVersion version, string chartDir, object? values, IReadOnlyList<string> extraArgs)
    {
        var valuesFile = WriteValues(values);
        var args = new List<string>
        {
            "template", Release, chartDir, "--namespace", Namespace, "--kube-version", KubeVersion, "--values", valuesFile,
        };
        args.AddRange(extraArgs);
        var key = $"{version}|{string.Join('\u0001', args)}";
        return Renders.GetOrAdd(key, _ => new Lazy<Task<Render>>(async () =>
        {
            var result = await RunAsync(version, args);
            return new Render(version, args, result);
        })).Value;
    }

    /// <summary>Renders afresh, bypassing the cache (for the determinism check).</summary>
    public static async Task<ProcessResult> TemplateUncachedAsync(HelmVersion version, object? values = null)
    {
        var args = new List<string>
        {
            "template", Release, Repo.Chart, "--namespace", Namespace, "--kube-version", KubeVersion, "--values", WriteValues(values),
        };
        return await RunAsync(version, args);
    }

    /// <summary>`helm lint --strict` of the chart with the given values.</summary>
    public static Task<ProcessResult> LintAsync(HelmVersion version, object? values = null)
    {
        var args = new List<string> { "lint", Repo.Chart, "--strict", "--namespace", Namespace, "--values", WriteValues(values) };
        return Runs.GetOrAdd($"{version}|{string.Join('\u0001', args)}", _ => new Lazy<Task<ProcessResult>>(() => RunAsync(version, args))).Value;
    }

    /// <summary>
    /// The rendered NOTES.txt: `helm install --dry-run=client` with the in-memory release driver.
    /// Helm 3 asks a cluster for its version even on a client dry run (helm/helm#13144), so it is
    /// pointed at <see cref="DiscoveryStub"/>, which answers discovery calls and nothing else.
    /// </summary>
    public static Task<ProcessResult> NotesAsync(HelmVersion version, object? values = null)
    {
        var args = new List<string>
        {
            "install", Release, Repo.Chart, "--namespace", Namespace, "--dry-run=client", "--values", WriteValues(values),
        };
        return Runs.GetOrAdd($"notes|{version}|{string.Join('\u0001', args)}", _ => new Lazy<Task<ProcessResult>>(async () =>
        {
            var result = await RunAsync(version, args, DiscoveryStub.Environment);
            var at = result.Stdout.IndexOf("NOTES:\n", StringComparison.Ordinal);
            return result with { Stdout = at < 0 ? "" : result.Stdout[(at + "NOTES:\n".Length)..] };
        })).Value;
    }

    public static async Task<ProcessResult> RunAsync(
        HelmVersion version, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string>(Environment);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                env[key] = value;
            }
        }

        await Slots.WaitAsync();
        try
        {
            return await ProcessRunner.RunAsync(Binary(version), args, timeout ?? Timeout, env);
        }
        finally
        {
            Slots.Release();
        }
    }

    /// <summary>Writes values to a file named after their content, so equal values share one file.</summary>
    public static string WriteValues(object? values)
    {
        var yaml = values switch
        {
            null => "{}\n",
            string text => text,
            _ => Serializer.Serialize(values),
        };
        // Helm 4.1 silently ignores a values file that is one line of JSON exactly 4096 bytes
        // long (or 8192, ...) and renders the defaults; a final newline avoids it.
        if (!yaml.EndsWith('\n'))
        {
            yaml += "\n";
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16];
        var path = Path.Combine(WorkDir, $"values-{hash}.yaml");
        if (!File.Exists(path))
        {
            var temp = $"{path}.{Guid.NewGuid():N}";
            File.WriteAllText(temp, yaml);
            File.Move(temp, path, overwrite: true);
        }

        return path;
    }
}
