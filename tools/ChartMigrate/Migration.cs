using System.Text.RegularExpressions;

namespace MlflowChart.Migrate;

public enum Outcome
{
    Carried,
    Changed,
    NotCarried,
}

/// <summary>What became of one key of the source values.</summary>
public sealed record ReportRow(string SourceKey, Outcome Outcome, string? Target, string Note);

/// <summary>
/// One conversion in progress: the source values, the values being built for this chart, the
/// report row of every source key, and the credentials that must move into a Secret. Every leaf
/// of the source ends in the report: a key no rule handles is reported as not carried.
/// </summary>
public sealed partial class Migration
{
    private readonly HashSet<string> handled = [];

    public Migration(string chart, Dictionary<string, object?> source, string release)
    {
        Chart = chart;
        Source = source;
        Release = release;
        SecretName = $"{release}-mlflow-migrated";
    }

    public string Chart { get; }

    public Dictionary<string, object?> Source { get; }

    public string Release { get; }

    public Dictionary<string, object?> Target { get; } = [];

    public List<ReportRow> Report { get; } = [];

    /// <summary>Credentials found as plain values: key in the generated Secret to value.</summary>
    public Dictionary<string, string> SecretData { get; } = [];

    public string SecretName { get; }

    /// <summary>Advice that belongs to no single key (a bundled database to run, a password to encode).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>How to move the old release to this chart: "upgrade in place" or "reinstall", with its commands.</summary>
    public List<string> Switching { get; } = [];

    public bool Has(string path) => Leaves(path).Any();

    /// <summary>Whether a rule has already reported this leaf.</summary>
    public bool IsHandled(string leaf) => handled.Contains(leaf);

    public object? Get(string path) => Values.At(Source, path);

    public string? Str(string path) => Get(path) switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        bool b => b ? "true" : "false",
        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
    };

    public bool? Bool(string path) => Get(path) as bool?;

    public long? Int(string path) => Get(path) switch
    {
        long l => l,
        string s when long.TryParse(s, out var l) => l,
        _ => null,
    };

    /// <summary>The leaf paths at or under a path that the source file has.</summary>
    public IEnumerable<string> Leaves(string path) =>
        Values.Leaves(Source).Where(leaf => leaf == path || leaf.StartsWith(path + ".", StringComparison.Ordinal));

    /// <summary>Copies a value unchanged (under this chart's key for it).</summary>
    public void Carry(string from, string to)
    {
        if (!Has(from))
        {
            return;
        }

        Values.Set(Target, to, Get(from));
        foreach (var leaf in Leaves(from))
        {
            Row(leaf, Outcome.Carried, to + leaf[from.Length..], from == to ? "same key and meaning" : $"same meaning, here {to}");
        }
    }

    /// <summary>
    /// Copies a free-form map (value_options, annotations, resources) unchanged, without the leaves
    /// another rule already dealt with, and merged into what the target already holds there.
    /// Keys with dots (annotation names) stay inside the copied map.
    /// </summary>
    public void CarryMap(string path)
    {
        if (Get(path) is not Dictionary<string, object?> map)
        {
            Carry(path, path);
            return;
        }

        var copy = Copy(map);
        foreach (var leaf in handled.Where(l => l.StartsWith(path + ".", StringComparison.Ordinal)))
        {
            var parts = leaf[(path.Length + 1)..].Split('.');
            var parent = copy;
            foreach (var part in parts[..^1])
            {
                parent = parent.GetValueOrDefault(part) as Dictionary<string, object?> ?? [];
            }

            parent.Remove(parts[^1]);
        }

        if (Values.At(Target, path) is Dictionary<string, object?> existing)
        {
            foreach (var (key, value) in copy)
            {
                existing.TryAdd(key, value);
            }
        }
        else
        {
            Values.Set(Target, path, copy);
        }

        foreach (var leaf in Leaves(path))
        {
            Row(leaf, Outcome.Carried, leaf, "same key and meaning");
        }
    }

    /// <summary>Every map found under a labelSelector key, at any depth.</summary>
    private static IEnumerable<Dictionary<string, object?>> LabelSelectors(object? node) => node switch
    {
        Dictionary<string, object?> map => map.SelectMany(kv => kv.Key == "labelSelector" && kv.Value is Dictionary<string, object?> selector
            ? [selector]
            : LabelSelectors(kv.Value)),
        List<object?> list => list.SelectMany(LabelSelectors),
        _ => [],
    };

    private static Dictionary<string, object?> Copy(Dictionary<string, object?> map) =>
        map.ToDictionary(kv => kv.Key, kv => kv.Value is Dictionary<string, object?> child ? Copy(child) : kv.Value);

    /// <summary>Sets a value derived from the source and reports every source leaf under `from` as changed.</summary>
    public void Change(string from, string to, object? value, string how)
    {
        if (!Has(from))
        {
            return;
        }

        Values.Set(Target, to, value);
        foreach (var leaf in Leaves(from))
        {
            Row(leaf, Outcome.Changed, to, how);
        }
    }

    /// <summary>Reports every source leaf under `from` as carried unchanged into something already set.</summary>
    public void Kept(string from, string to, string how)
    {
        foreach (var leaf in Leaves(from))
        {
            Row(leaf, Outcome.Carried, to, how);
        }
    }

    /// <summary>Reports every source leaf under `from` as used for something already set.</summary>
    public void Used(string from, string? to, string how)
    {
        foreach (var leaf in Leaves(from))
        {
            Row(leaf, Outcome.Changed, to, how);
        }
    }

    /// <summary>Reports every source leaf under `from` as not carried, with why and what to do.</summary>
    public void Drop(string from, string why)
    {
        foreach (var leaf in Leaves(from))
        {
            Row(leaf, Outcome.NotCarried, null, why);
        }
    }

    /// <summary>Takes back what rules carried from `from` (the value left the target) and reports it as not carried.</summary>
    public void Retract(string from, string why)
    {
        foreach (var leaf in Leaves(from))
        {
            Report.RemoveAll(r => r.SourceKey == leaf);
            Report.Add(new ReportRow(leaf, Outcome.NotCarried, null, why));
            handled.Add(leaf);
        }
    }

    /// <summary>Moves a plain credential into the generated Secret and returns a secretKeyRef to it.</summary>
    public Dictionary<string, object?> ToSecret(string secretKey, string value) 
    {
        SecretData[secretKey] = value;
        return Values.Map(("name", SecretName), ("key", secretKey));
    }

    public static Dictionary<string, object?> SecretRef(string name, string key) => Values.Map(("name", name), ("key", key));

    /// <summary>An env entry taking its value from a Secret.</summary>
    public static Dictionary<string, object?> EnvFromSecret(string name, Dictionary<string, object?> secretKeyRef) =>
        Values.Map(("name", name), ("valueFrom", Values.Map(("secretKeyRef", secretKeyRef))));

    public void AddEnv(Dictionary<string, object?> entry) => Values.Append(Target, "env", entry);

    /// <summary>
    /// The password of a database given by parts: from the user's Secret (name + key) or, when
    /// given in plain text, from the generated Secret. Defines the uriVariable and returns the
    /// `$(NAME)` to write into the URI.
    /// </summary>
    public string PasswordVariable(string variable, string? existingSecret, string? existingKey, string? plainPassword, string generatedKey)
    {
        Dictionary<string, object?>? reference = null;
        if (existingSecret is not null)
        {
            reference = SecretRef(existingSecret, existingKey ?? "password");
        }
        else if (plainPassword is not null)
        {
            // Only ever used inside a URI: stored URL-encoded, so @ : / and friends cannot break it.
            reference = ToSecret(generatedKey, Uri.EscapeDataString(plainPassword));
        }

        if (reference is null)
        {
            return "";
        }

        UriVariable(variable, reference);
        if (!Notes.Any(n => n.StartsWith("Database passwords", StringComparison.Ordinal)))
        {
            Notes.Add("Database passwords are filled into the URIs by Kubernetes ($(NAME) in mlflow.backendStoreUri). The tool stores the " +
                      "passwords it moves URL-encoded; a password in one of your own Secrets with special characters (@ : / ? # % and spaces) must be URL-encoded there too.");
        }

        return $":$({variable})";
    }

    /// <summary>
    /// The user name of a database kept in the user's Secret beside its password (the source charts'
    /// existing-Secret forms): defines the uriVariable and returns the `$(NAME)` to write into the URI.
    /// </summary>
    public string UserVariable(string variable, string secret, string? key)
    {
        UriVariable(variable, SecretRef(secret, key ?? "username"));
        return $"$({variable})";
    }

    /// <summary>An mlflow.uriVariables entry from a Secret, once per name.</summary>
    private void UriVariable(string variable, Dictionary<string, object?> reference)
    {
        if (Values.At(Target, "mlflow.uriVariables") is not List<object?> existing
            || !existing.OfType<Dictionary<string, object?>>().Any(v => (string?)v["name"] == variable))
        {
            Values.Append(Target, "mlflow.uriVariables", EnvFromSecret(variable, reference));
        }
    }

    /// <summary>A database URI from parts; the password part is "" or ":$(NAME)".</summary>
    public static string DatabaseUri(string scheme, string? user, string passwordPart, string host, long? port, string database)
    {
        var name = user is null ? null : user.StartsWith("$(", StringComparison.Ordinal) ? user : Uri.EscapeDataString(user);
        var credentials = name is null ? "" : $"{name}{passwordPart}@";
        return $"{scheme}://{credentials}{host}{(port is null ? "" : $":{port}")}/{database}";
    }

    /// <summary>Whether the converted values keep runs in a database server (not SQLite or a file store on a volume).</summary>
    public bool TargetHasDatabaseServer() => HasDatabaseServer(Target);

    /// <summary>Whether the converted values send artifacts off the pod: to a destination the server proxies, or a root clients write to.</summary>
    public bool TargetHasArtifactStore() => HasArtifactStore(Target);

    /// <summary>Whether the converted values keep a claim that attaches to one node at a time, so two pods of a rolling update cannot share it.</summary>
    public bool TargetKeepsSingleNodeClaim() =>
        Values.At(Target, "storage.enabled") is true && Values.At(Target, "storage.accessMode") is not "ReadWriteMany";

    /// <summary>Whether values of this chart keep runs in a database server (not SQLite or a file store on a volume).</summary>
    public static bool HasDatabaseServer(Dictionary<string, object?> values) =>
        Values.At(values, "mlflow.backendStoreUri") is string uri
        && !uri.StartsWith("sqlite:", StringComparison.Ordinal) && !uri.StartsWith("file:", StringComparison.Ordinal) && !uri.StartsWith('/')
        || Values.At(values, "mlflow.backendStoreUriFrom") is not null;

    /// <summary>
    /// Whether values of this chart name a place for artifacts: an artifacts destination, or a
    /// default artifact root that clients write to directly (no_serve_artifacts). Without one,
    /// MLflow proxies uploads to ./mlartifacts, on this chart's read-only root filesystem.
    /// </summary>
    public static bool HasArtifactStore(Dictionary<string, object?> values)
    {
        var flags = (Values.At(values, "server.flag_options") as List<object?> ?? []).Select(f => f?.ToString()).ToList();
        return Values.At(values, "mlflow.artifactsDestination") is string
               || Values.At(values, "mlflow.defaultArtifactRoot") is string && (flags.Contains("no_serve_artifacts") || flags.Contains("no-serve-artifacts"));
    }

    /// <summary>Closes the report: every source leaf no rule handled is reported as not carried.</summary>
    public void Finish()
    {
        // A pod selector written for the old chart may name pod labels these pods do not carry (then it matches nothing).
        var ours = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app.kubernetes.io/name"] = "mlflow",
            ["app.kubernetes.io/instance"] = Release,
            ["app.kubernetes.io/component"] = "server",
        };
        foreach (var (label, value) in Values.At(Target, "podLabels") as Dictionary<string, object?> ?? [])
        {
            ours[label] = value?.ToString() ?? "";
        }

        foreach (var key in new[] { "affinity", "topologySpreadConstraints" })
        {
            var foreign = LabelSelectors(Values.At(Target, key))
                .SelectMany(selector => (selector.GetValueOrDefault("matchLabels") as Dictionary<string, object?> ?? [])
                    .Where(kv => ours.GetValueOrDefault(kv.Key) != kv.Value?.ToString())
                    .Select(kv => $"{kv.Key}: {kv.Value}")
                    .Concat(selector.ContainsKey("matchExpressions") ? ["matchExpressions (check them by hand)"] : []))
                .Distinct()
                .ToList();
            if (foreign.Count == 0)
            {
                continue;
            }

            var note = $"carried, but its labelSelector asks for {string.Join(", ", foreign)}, which these pods do not carry: they have " +
                       $"{string.Join(", ", ours.Select(kv => $"{kv.Key}: {kv.Value}"))}; rewrite the selector or it matches nothing" +
                       (key == "topologySpreadConstraints" ? " (the chart adds its own selector to each constraint)" : "");
            for (var i = 0; i < Report.Count; i++)
            {
                if (Report[i].Target?.StartsWith(key, StringComparison.Ordinal) == true)
                {
                    Report[i] = Report[i] with { Outcome = Outcome.Changed, Note = note };
                }
            }
        }

        foreach (var leaf in Values.Leaves(Source).Where(l => !handled.Contains(l)).ToList())
        {
            Row(leaf, Outcome.NotCarried, null, Values.At(Source, leaf) is null or "" or Dictionary<string, object?> { Count: 0 } or List<object?> { Count: 0 }
                ? "not carried: empty in the source, so there is nothing to carry"
                : $"not a key this converter knows for {Chart}; check what it did in your old release and set the equivalent here by hand");
        }

        Report.Sort((a, b) => string.CompareOrdinal(a.SourceKey, b.SourceKey));
    }

    private void Row(string leaf, Outcome outcome, string? target, string note)
    {
        if (handled.Add(leaf))
        {
            Report.Add(new ReportRow(leaf, outcome, target, note));
        }
    }

    /// <summary>camelCase to snake_case (community-charts writes mlflow flags in camelCase).</summary>
    public static string Snake(string camel) => CamelBoundary().Replace(camel, "$1_$2").ToLowerInvariant().Replace('-', '_');

    /// <summary>Env var names that carry a credential and must not stay plain values.</summary>
    public static bool LooksSecret(string name) => SecretName_().IsMatch(name);

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();

    [GeneratedRegex("PASSWORD|SECRET|TOKEN|_KEY$|_KEY_ID$|CONNECTION_STRING|CREDENTIALS$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName_();
}
