namespace MlflowChart.Migrate;

/// <summary>Conversions several source charts share.</summary>
public static class Common
{
    /// <summary>What to do instead of the bundled database subchart (`postgresql` or `mysql`).</summary>
    public static string BundledDatabase(string subchart = "postgresql") =>
        $"this chart ships no database: run {(subchart == "mysql" ? "MySQL" : "PostgreSQL")} yourself (a managed database, or the bitnami/{subchart} chart " +
        "installed on its own) and point mlflow.backendStoreUri at it; the converted values already do, by the old service name";

    /// <summary>Where this chart keeps artifacts on its claim when no object store is named.</summary>
    public const string ArtifactsOnClaim = "/mlflow/artifacts";

    /// <summary>Why a rolling update is not carried once artifacts live on a single-node claim.</summary>
    public const string RecreateOnClaim =
        "not carried: artifacts stay on a ReadWriteOnce volume, where the chart uses Recreate (the new pod could not attach the claim while the old one holds it)";

    public const string BundledMinio =
        "this chart ships no object store: run MinIO yourself (or use S3/GCS/Azure) and point mlflow.artifactsDestination and " +
        "MLFLOW_S3_ENDPOINT_URL at it; the converted values already do, by the old service name";

    public const string SecurityContext =
        "not carried: this chart runs the official image as UID/GID 1000 under the restricted Pod Security Standard " +
        "(read-only root, no capabilities); fsGroup makes existing volume data readable; override podSecurityContext/securityContext only if you must";

    /// <summary>A `KEY: value` map of env vars (community-charts' extraEnvVars) into env entries; credentials move to the Secret.</summary>
    public static void EnvMap(Migration m, string from)
    {
        if (m.Get(from) is not Dictionary<string, object?> vars)
        {
            return;
        }

        foreach (var (name, value) in vars)
        {
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            if (Migration.LooksSecret(name) && text.Length > 0)
            {
                m.AddEnv(Migration.EnvFromSecret(name, m.ToSecret($"env-{name.ToLowerInvariant().Replace('_', '-')}", text)));
                m.Used($"{from}.{name}", "env", $"moved into Secret {m.SecretName}; env takes {name} from it");
            }
            else
            {
                m.AddEnv(Values.Map(("name", name), ("value", text)));
                m.Used($"{from}.{name}", "env", "now an entry of the env list");
            }
        }
    }

    /// <summary>An env list whose plain credential values move to the Secret.</summary>
    public static void EnvList(Migration m, string from)
    {
        if (m.Get(from) is not List<object?> list)
        {
            return;
        }

        var moved = new List<string>();
        foreach (var item in list.OfType<Dictionary<string, object?>>())
        {
            var name = item.GetValueOrDefault("name") as string ?? "";
            if (Migration.LooksSecret(name) && item.GetValueOrDefault("value") is { } value)
            {
                m.AddEnv(Migration.EnvFromSecret(name, m.ToSecret($"env-{name.ToLowerInvariant().Replace('_', '-')}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!)));
                moved.Add(name);
            }
            else
            {
                m.AddEnv(item);
            }
        }

        if (moved.Count == 0)
        {
            m.Kept(from, "env", from == "env" ? "same key and meaning" : "the same entries, in env");
        }
        else
        {
            m.Used(from, "env", $"appended to env; {string.Join(", ", moved)} moved into Secret {m.SecretName}");
        }
    }

    /// <summary>An Ingress whose hosts MLflow's allowed hosts admit without further ado.</summary>
    public const string IngressHosts = "the chart adds every Ingress host to MLflow's allowed hosts, so the Ingress gets no 403";

    /// <summary>The generated Secret as a manifest to apply before installing.</summary>
    public static string SecretManifest(Migration m)
    {
        var lines = new List<string>
        {
            "# Credentials found as plain values in the source values file. Apply this before installing:",
            $"#   kubectl apply -n <namespace> -f <this file>",
            "# then keep it out of version control (or move it into your secrets manager).",
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            $"  name: {m.SecretName}",
            "type: Opaque",
            "stringData:",
        };
        foreach (var (key, value) in m.SecretData.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            lines.Add($"  {key}: {Quote(value)}");
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    /// <summary>Words of a command line as options: --name=value, --name value, or --name alone (a flag, value null). A word with a space is a value even when it starts with --, as in [--gunicorn-opts, "--timeout 120"].</summary>
    public static IEnumerable<(string Name, string? Value)> CommandLine(IReadOnlyList<object?> list)
    {
        var words = list.Select(w => System.Convert.ToString(w, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i].Trim();
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                // community-charts' own extraFlags form: bare camelCase names, e.g. disableSecurityMiddleware.
                if (word.Length > 0)
                {
                    yield return (word, null);
                }

                continue;
            }

            var name = word[2..];
            var equals = name.IndexOf('=');
            if (name.Length == 0)
            {
                continue;
            }

            if (equals >= 0)
            {
                yield return (name[..equals], name[(equals + 1)..]);
            }
            else if (i + 1 < words.Count && (!words[i + 1].StartsWith("--", StringComparison.Ordinal) || words[i + 1].Trim().Contains(' ', StringComparison.Ordinal)))
            {
                yield return (name, words[++i]);
            }
            else
            {
                yield return (name, null);
            }
        }
    }

    /// <summary>
    /// The report's recipe. The upstream chart's releases upgrade in place (same selector, claim and
    /// Service). community-charts' and bitnami's objects have other names and selectors, so their
    /// releases are reinstalled, keeping the claim (annotated keep before the uninstall) and the
    /// address (the old Service's name and port, as fullnameOverride and service.port).
    /// </summary>
    public static void Switching(Migration m)
    {
        var r = m.Release;
        var secrets = m.SecretData.Count > 0 ? $"  kubectl apply -n <namespace> -f <secrets file>          # Secret {m.SecretName}, before the chart needs it" : null;
        if (m.Chart == "upstream")
        {
            m.Switching.Add("Upgrade in place, with the same release name and namespace: this chart keeps the upstream chart's");
            m.Switching.Add($"selector, its claim ({r}-mlflow, which gains helm.sh/resource-policy: keep) and its Service ({r}-mlflow), so");
            m.Switching.Add("runs, artifacts and the address stay:");
            if (secrets is not null)
            {
                m.Switching.Add(secrets);
            }

            m.Switching.Add($"  helm upgrade {r} ./charts -n <namespace> -f <these values>");
            m.Switching.Add("Under Argo CD, point the Application at this chart with these values and sync.");
            return;
        }

        var chartName = m.Str("nameOverride") ?? "mlflow";
        var fullname = m.Str("fullnameOverride") ?? (r.Contains(chartName, StringComparison.Ordinal) ? r : $"{r}-{chartName}");
        var (service, port, portNote) = m.Chart == "bitnami"
            ? ($"{fullname}-tracking", m.Int("tracking.service.ports.http") ?? 80, m.Has("tracking.service.ports.http") ? "" : " (bitnami's default)")
            : (fullname, m.Int("service.port") ?? 80, m.Has("service.port") ? "" : " (the chart's current default; older versions used 5000: check with kubectl get svc)");
        m.Switching.Add($"Reinstall: {m.Chart}'s objects have other names and selectors, so helm upgrade cannot take them over.");
        m.Switching.Add("Runs in the database and object store these values point at stay where they are:");
        m.Switching.Add($"  helm uninstall {r} -n <namespace>");
        if (secrets is not null)
        {
            m.Switching.Add(secrets);
        }

        m.Switching.Add($"  helm install {r} ./charts -n <namespace> -f <these values>");
        m.Switching.Add($"To keep the address clients use, http://{service}:{port}{portNote}, add to these values:");
        m.Switching.Add($"  fullnameOverride: {service}");
        m.Switching.Add($"  service:");
        m.Switching.Add($"    port: {port}");
        if (m.Chart != "bitnami")
        {
            m.Switching.Add("community-charts makes no claim of its own: a claim you mounted through extraVolumes is yours, helm uninstall");
            m.Switching.Add("leaves it, and the converted values keep mounting it.");
            return;
        }

        m.Switching.Add($"If runs or artifacts sit in bitnami's claim (kubectl get pvc -n <namespace> -l app.kubernetes.io/instance={r}),");
        m.Switching.Add("do not uninstall: helm uninstall deletes a claim it created even when the live object is annotated keep");
        m.Switching.Add("(it reads the policy from the release's stored manifest). Upgrade instead, which honours the live annotation:");
        m.Switching.Add("  kubectl annotate pvc -n <namespace> <claim> helm.sh/resource-policy=keep");
        m.Switching.Add($"  kubectl delete deployment -n <namespace> -l app.kubernetes.io/instance={r}   # its selector cannot change");
        m.Switching.Add($"  helm upgrade {r} ./charts -n <namespace> -f <these values> --set storage.existingClaim=<claim>");
        m.Switching.Add("Under Argo CD, turn pruning off for the switch, or the old claim is deleted when it leaves the manifests.");
    }
}
