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
            if (m.Str($"mlflow.{key}") is { } uri && PasswordInUri().IsMatch(uri))
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

        if (m.Bool("storage.enabled") == false && m.Str("mlflow.backendStoreUri") is null && !m.Has("mlflow.backendStoreUriFrom.secretKeyRef"))
        {
            m.Drop("storage.enabled", "not carried: with no backend store the old release kept runs inside the container, lost at every restart; this chart keeps them in SQLite on a claim (set mlflow.backendStoreUri to use a database instead)");
        }

        ArtifactsNeedAHome(m);
        if (m.Bool("tls.enabled") == true && m.Bool("garbageCollection.enabled") == true && m.Str("tls.caKey") is null)
        {
            Values.Set(m.Target, "tls.caKey", "ca.crt");
            m.Notes.Add("Garbage collection now verifies the server's certificate: tls.caKey is set to ca.crt (cert-manager's key); use tls.crt for a self-signed certificate, and make sure the certificate names the Service (<release>-mlflow.<namespace>.svc).");
        }

        foreach (var leaf in Values.Leaves(m.Source).Where(l => !m.IsHandled(l)).ToList())
        {
            if (m.IsHandled(leaf))
            {
                continue;
            }

            if (schema.Known(leaf) is { } known)
            {
                m.Carry(known, known);
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

    [GeneratedRegex("^[a-z0-9+]+://[^/@:]*:[^/@$]+@")]
    private static partial Regex PasswordInUri();
}
