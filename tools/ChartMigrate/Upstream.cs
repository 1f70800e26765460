using System.Text.RegularExpressions;

namespace MlflowChart.Migrate;

/// <summary>
/// The upstream mlflow/mlflow chart: its keys keep their meaning here, so each key this chart's
/// schema knows is carried as is; a store URI holding a password moves into a Secret.
/// </summary>
public static partial class Upstream
{
    public static void Convert(Migration m, ChartSchema schema)
    {
        foreach (var key in new[] { "backendStoreUri", "registryStoreUri" })
        {
            if (m.Str($"mlflow.{key}") is { } uri && HasPlainPassword(uri))
            {
                var secretKey = key == "backendStoreUri" ? "backend-store-uri" : "registry-store-uri";
                m.Change($"mlflow.{key}", $"mlflow.{key}From", Values.Map(("secretKeyRef", m.ToSecret(secretKey, uri))),
                    $"the URI holds a password: moved into Secret {m.SecretName} and referenced from mlflow.{key}From");
            }
        }

        if (m.Str("server.value_options.allowed_hosts") is not null)
        {
            m.Carry("server.value_options.allowed_hosts", "server.value_options.allowed_hosts");
            m.Notes.Add("server.value_options.allowed_hosts is kept; the chart adds the Ingress hosts, the Service's names, port-forward and private networks to it (server.allowedHosts.derive: false keeps exactly your list).");
        }

        // A relative SQLite path put the database inside the old container (lost at every restart);
        // here it would land on the read-only root, so it moves to the claim.
        var relativeSqlite = m.Str("mlflow.backendStoreUri") is { } backend
            && backend.StartsWith("sqlite:///", StringComparison.Ordinal) && !backend.StartsWith("sqlite:////", StringComparison.Ordinal);
        if (relativeSqlite)
        {
            m.Change("mlflow.backendStoreUri", "mlflow.backendStoreUri", "sqlite:////mlflow/mlflow.db",
                "a relative SQLite path lay inside the old container, lost at every restart (and would land on this chart's read-only root): the database is on the claim now");
        }

        if (m.Bool("storage.enabled") == false && relativeSqlite)
        {
            m.Drop("storage.enabled", "not carried: without a volume the old release kept its runs inside the container, lost at every restart; this chart keeps them in SQLite on a claim (set mlflow.backendStoreUri to use a database instead)");
        }
        else if (m.Bool("storage.enabled") == false && m.Str("mlflow.backendStoreUri") is null && !m.Has("mlflow.backendStoreUriFrom.secretKeyRef"))
        {
            m.Drop("storage.enabled", "not carried: with no backend store the upstream chart does not install (it requires one); this chart then keeps runs in SQLite on a claim (set mlflow.backendStoreUri to use a database instead)");
        }

        ArtifactsNeedAHome(m);
        Common.EnvList(m, "env");
        ServerAddress(m);
        ExternalSecrets(m);
        NeedsAUserUnderAuth(m);
        foreach (var leaf in Values.Leaves(m.Source).Where(l => !m.IsHandled(l)).ToList())
        {
            if (m.IsHandled(leaf))
            {
                continue;
            }

            if (schema.Known(leaf) is { } known)
            {
                m.CarryMap(known);
            }
            else
            {
                m.Drop(leaf, "not carried: this chart has no such key (check the README's values table for its equivalent)");
            }
        }
    }

    /// <summary>
    /// With a database server and no artifact store, MLflow proxies uploads to ./mlartifacts, which
    /// in this chart lies on the read-only root filesystem (the chart refuses that). The claim
    /// takes them instead.
    /// </summary>
    private static void ArtifactsNeedAHome(Migration m)
    {
        // The source uses this chart's keys, so the chart's own tests apply to it before carrying.
        if (!Migration.HasDatabaseServer(m.Source) || Migration.HasArtifactStore(m.Source) || m.Bool("storage.enabled") == true)
        {
            return;
        }

        const string why = "no artifacts destination is set, and MLflow's default (./mlartifacts) lies on this chart's read-only root filesystem: artifacts go to the claim (" + Common.ArtifactsOnClaim + ") instead";
        if (m.Has("storage.enabled"))
        {
            m.Change("storage.enabled", "storage.enabled", true, why);
        }
        else
        {
            Values.Set(m.Target, "storage.enabled", true);
        }

        m.Notes.Add($"storage.enabled=true: {why}; set mlflow.artifactsDestination to use an object store.");
        if (m.Str("deploymentStrategy.type") == "RollingUpdate" && m.Str("storage.accessMode") is not "ReadWriteMany")
        {
            m.Drop("deploymentStrategy", Common.RecreateOnClaim);
        }
    }

    /// <summary>
    /// host and port: this chart's container always listens on 0.0.0.0:5000 (its probes and Service
    /// depend on it). A port of the user's stays the port clients connect to, as service.port.
    /// </summary>
    private static void ServerAddress(Migration m)
    {
        if (m.Int("server.value_options.port") is { } port && port != 5000)
        {
            m.Change("server.value_options.port", "service.port", port,
                $"the container listens on 5000 here (probes and Service depend on it); the Service keeps port {port} for clients");
        }

        if (m.Str("server.value_options.host") is { } host && host is not ("0.0.0.0" or "::"))
        {
            m.Drop("server.value_options.host", $"not carried: {host} would stop the server listening on the pod's address; the chart binds 0.0.0.0");
        }
    }

    /// <summary>
    /// The upstream chart's externalSecrets.provider is a SecretStore spec, from which it creates the
    /// store; this chart's names a store that exists. The keys do not mean the same thing.
    /// </summary>
    private static void ExternalSecrets(Migration m)
    {
        if (m.Bool("externalSecrets.enabled") != true)
        {
            return;
        }

        var why = "not carried: the upstream chart created a SecretStore from externalSecrets.provider; this chart only creates the ExternalSecret and reads " +
                  "from a store that exists. Create the SecretStore (the provider spec of your old values) yourself, then set externalSecrets.provider " +
                  "to {name: <store>, kind: SecretStore} with the secretName, template and data of your old values";
        m.Drop("externalSecrets", why);
        m.Notes.Add($"externalSecrets was not carried: {why[("not carried: ".Length)..]}. Until then the Secret it made must exist by that name for mlflow.backendStoreUriFrom.");
    }

    /// <summary>Garbage collection and a ServiceMonitor call the server; under basic auth they need a user this chart takes from auth.admin.existingSecret, which upstream values cannot name.</summary>
    private static void NeedsAUserUnderAuth(Migration m)
    {
        if (m.Str("server.value_options.app_name") != "basic-auth")
        {
            return;
        }

        foreach (var (feature, does) in new[] { ("garbageCollection", "calls the server to delete artifacts"), ("serviceMonitor", "scrapes /metrics, which asks for credentials") })
        {
            if (m.Bool($"{feature}.enabled") == true)
            {
                m.Drop(feature, $"not carried: under basic auth {feature} {does} and needs a user: create a Secret with the keys username and password of an admin, " +
                                $"set auth.admin.existingSecret to it, then set {feature}.enabled=true with your settings");
            }
        }
    }

    /// <summary>A URI whose password is plain text: anything between ':' and '@' but a whole $(NAME) reference.</summary>
    private static bool HasPlainPassword(string uri) =>
        PasswordInUri().Match(uri) is { Success: true } match && !Variable().IsMatch(match.Groups[1].Value);

    [GeneratedRegex("^[a-z0-9+]+://[^/@:]*:([^/@]+)@")]
    private static partial Regex PasswordInUri();

    [GeneratedRegex(@"^\$\([A-Za-z_][A-Za-z0-9_]*\)$")]
    private static partial Regex Variable();
}
