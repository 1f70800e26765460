using System.Text.RegularExpressions;
using k8s.Models;

namespace MlflowChart.Doctor;

/// <summary>
/// How a release runs `mlflow server`, read from its Deployment's pod template: the options on the
/// command line (this chart's args, the upstream chart's, or a `sh -c` string) and MLflow's
/// environment variables. Works for any chart that runs the MLflow server.
/// </summary>
public sealed partial record ServerSettings
{
    /// <summary>MLflow's own list when no --allowed-hosts is given: localhost forms and private networks.</summary>
    public static readonly IReadOnlyList<string> MlflowDefaultHosts =
    [
        "localhost", "127.0.0.1", "[::1]", "0.0.0.0", "localhost:*", "127.0.0.1:*", "[[]::1]:*", "0.0.0.0:*",
        "192.168.*", "10.*", .. Enumerable.Range(16, 16).Select(i => $"172.{i}.*"), "fc00:*", "fd00:*",
    ];

    public required V1Deployment Deployment { get; init; }

    public required V1Container Container { get; init; }

    public int Port { get; init; } = 5000;

    public int Workers { get; init; } = 4;

    public bool JobExecution { get; init; } = true;

    /// <summary>The --allowed-hosts list; null when not given (MLflow then uses <see cref="MlflowDefaultHosts"/>).</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    public bool SecurityMiddlewareOff { get; init; }

    public bool BasicAuth { get; init; }

    /// <summary>Single sign-on: `--app-name oidc-auth`, the mlflow-oidc-auth plugin.</summary>
    public bool Oidc { get; init; }

    public bool Metrics { get; init; }

    public bool Tls { get; init; }

    public string StaticPrefix { get; init; } = "";

    /// <summary>The backend store as far as it can be told without reading a Secret: a URI, or "Secret name/key".</summary>
    public string? Backend { get; init; }

    /// <summary>--artifacts-destination (or MLFLOW_ARTIFACTS_DESTINATION): where the server proxies artifacts.</summary>
    public string? ArtifactsDestination { get; init; }

    public bool BackendIsSqlite => Backend is not null && Backend.StartsWith("sqlite:", StringComparison.Ordinal);

    public IReadOnlyList<string> EffectiveAllowedHosts => AllowedHosts ?? MlflowDefaultHosts;

    /// <summary>The server Deployment of a release: the one whose container runs `mlflow server`.</summary>
    public static ServerSettings? Find(IEnumerable<V1Deployment> deployments)
    {
        foreach (var deployment in deployments)
        {
            var containers = deployment.Spec.Template.Spec.Containers;
            var container = containers.FirstOrDefault(c => Argv(c).Contains("server") && (Argv(c).Any(a => a.EndsWith("mlflow", StringComparison.Ordinal)) || c.Image.Contains("mlflow", StringComparison.OrdinalIgnoreCase)))
                ?? containers.FirstOrDefault(c => c.Name == "mlflow");
            if (container is not null)
            {
                return Parse(deployment, container);
            }
        }

        return null;
    }

    public static ServerSettings Parse(V1Deployment deployment, V1Container container)
    {
        var argv = Argv(container);
        var env = (container.Env ?? []).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last());
        string? Option(string name) => OptionValue(argv, name) ?? (env.TryGetValue(EnvName(name), out var e) ? e.Value : null);

        var hosts = Option("--allowed-hosts");
        var uvicorn = Option("--uvicorn-opts") ?? "";
        var gunicorn = Option("--gunicorn-opts") ?? "";
        var workers = Option("--workers");
        var jobs = env.TryGetValue("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", out var j) ? j.Value : null;
        string? backend = OptionValue(argv, "--backend-store-uri");
        if (backend is null && env.TryGetValue("MLFLOW_BACKEND_STORE_URI", out var b))
        {
            backend = Source(b);
        }

        var port = Option("--port");
        return new ServerSettings
        {
            Deployment = deployment,
            Container = container,
            Port = int.TryParse(port, out var p) ? p : container.Ports?.FirstOrDefault()?.ContainerPort ?? 5000,
            Workers = int.TryParse(workers, out var w) && w > 0 ? w : 4,
            JobExecution = jobs is null || !jobs.Equals("false", StringComparison.OrdinalIgnoreCase),
            AllowedHosts = string.IsNullOrWhiteSpace(hosts) ? null : hosts.Split(',').Select(h => h.Trim()).Where(h => h.Length > 0).ToList(),
            SecurityMiddlewareOff = argv.Contains("--disable-security-middleware") || env.ContainsKey("MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE"),
            BasicAuth = Option("--app-name") == "basic-auth",
            Oidc = Option("--app-name") == "oidc-auth",
            Metrics = Option("--expose-prometheus") is not null || argv.Any(a => a.StartsWith("--expose-prometheus", StringComparison.Ordinal)),
            Tls = uvicorn.Contains("--ssl-certfile", StringComparison.Ordinal) || gunicorn.Contains("--certfile", StringComparison.Ordinal),
            StaticPrefix = (Option("--static-prefix") ?? "").TrimEnd('/'),
            Backend = backend,
            ArtifactsDestination = Option("--artifacts-destination"),
        };
    }

    /// <summary>Where a variable's value comes from: the value itself, or "Secret name/key"; null for other sources.</summary>
    public static string? Source(V1EnvVar env) => env.Value ?? (env.ValueFrom?.SecretKeyRef is { } r ? $"Secret {r.Name}/{r.Key}" : null);

    /// <summary>The server container's variable as <see cref="Source"/> names it; "" when the container does not set it.</summary>
    public string EnvSource(string name) => Container.Env?.LastOrDefault(e => e.Name == name) is { } env ? Source(env) ?? "" : "";

    /// <summary>Whether MLflow would admit a Host header: exact match, or fnmatch for entries with '*'.</summary>
    public bool Admits(string host) =>
        SecurityMiddlewareOff || EffectiveAllowedHosts.Contains("*") || EffectiveAllowedHosts.Any(a => HostMatches(a, host));

    /// <summary>
    /// MLflow's comparison of one allowed-hosts entry with a Host header: the whole header exactly, or,
    /// when the entry has '*', as an fnmatch pattern (so `[::1]:*` is a character set; `[[]::1]:*` is the IPv6 loopback).
    /// </summary>
    public static bool HostMatches(string entry, string host) => entry.Contains('*') ? FnMatch(entry).IsMatch(host) : entry == host;

    /// <summary>The command line as separate words; a `sh -c "..."` script is split on whitespace.</summary>
    public static IReadOnlyList<string> Argv(V1Container container)
    {
        var words = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        if (words.Count >= 2 && words[0] is "sh" or "/bin/sh" or "bash" or "/bin/bash" && words.Contains("-c"))
        {
            return words.SelectMany(w => w.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Select(w => w.Trim('"', '\'')).ToList();
        }

        return words;
    }

    public static string? OptionValue(IReadOnlyList<string> argv, string name)
    {
        for (var i = 0; i < argv.Count; i++)
        {
            if (argv[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return argv[i][(name.Length + 1)..].Trim('"', '\'');
            }

            if (argv[i] == name && i + 1 < argv.Count && !argv[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return argv[i + 1];
            }
        }

        return null;
    }

    private static string EnvName(string option) => option switch
    {
        "--allowed-hosts" => "MLFLOW_SERVER_ALLOWED_HOSTS",
        "--static-prefix" => "MLFLOW_STATIC_PREFIX",
        _ => "MLFLOW_" + option.TrimStart('-').Replace('-', '_').ToUpperInvariant(),
    };

    /// <summary>Python's fnmatch as a regex: * any run, ? one character, [seq] a class.</summary>
    private static Regex FnMatch(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var close = c == '[' ? pattern.IndexOf(']', i + 2) : -1;
            if (c == '*')
            {
                regex.Append(".*");
            }
            else if (c == '?')
            {
                regex.Append('.');
            }
            else if (close > 0)
            {
                var set = pattern[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
