namespace MlflowChart.Migrate;

/// <summary>
/// bitnami/mlflow values (keys from its values.yaml) into this chart's. Its defaults matter even
/// when a file does not name them: a bundled PostgreSQL and MinIO, and basic auth turned on.
/// </summary>
public static class Bitnami
{
    private const string Runs = "not carried: this chart runs the tracking server only; run MLflow projects as their own Jobs";

    /// <summary>`mlflow server` options this chart sets from values of its own, and the value each goes to ("" for none).</summary>
    private static readonly Dictionary<string, string> ChartOwned = new()
    {
        ["static_prefix"] = "server.staticPrefix",
        ["backend_store_uri"] = "mlflow.backendStoreUri",
        ["registry_store_uri"] = "mlflow.registryStoreUri",
        ["default_artifact_root"] = "mlflow.defaultArtifactRoot",
        ["artifacts_destination"] = "mlflow.artifactsDestination",
    };

    public static void Convert(Migration m, ChartSchema schema)
    {
        Global(m);
        Tracking(m);
        Database(m);
        Artifacts(m);
        Persistence(m);
        KeepStartupProbe(m, schema);
        Auth(m);
        Exposure(m);
        // A rolling update runs the old and the new pod together: only safe with no SQLite and no
        // volume that attaches to a single node.
        var strategy = m.Str("tracking.updateStrategy.type");
        var rollingIsSafe = m.TargetHasDatabaseServer() && !m.TargetKeepsSingleNodeClaim();
        if (strategy is "Recreate" || (strategy is "RollingUpdate" && rollingIsSafe))
        {
            m.Carry("tracking.updateStrategy.type", "deploymentStrategy.type");
        }

        m.Drop("tracking.updateStrategy", "not carried: the chart picks the strategy (Recreate on a ReadWriteOnce volume or SQLite, RollingUpdate without losing capacity otherwise)");
        m.Drop("run", Runs);
        m.Drop("gitImage", Runs);
        m.Drop("volumePermissions", "not carried: fsGroup makes the claim writable without a root init container");
        m.Drop("waitContainer", "not carried: the migration Job and the startup probe wait for the database");
    }

    private static void Global(Migration m)
    {
        if (m.Get("global.imagePullSecrets") is List<object?> secrets)
        {
            Values.Set(m.Target, "imagePullSecrets", secrets.Select(s => s is string name ? Values.Map(("name", name)) : s).ToList());
            m.Used("global.imagePullSecrets", "imagePullSecrets", "names written as {name: ...} entries");
        }

        m.Carry("global.defaultStorageClass", "storage.storageClassName");
        m.Drop("global", "not carried: the global image registry and OpenShift adaptations concern bitnami's images");
        m.Carry("nameOverride", "nameOverride");
        m.Carry("fullnameOverride", "fullnameOverride");
        m.Carry("clusterDomain", "clusterDomain");
        m.Carry("extraDeploy", "extraObjects");
        m.Drop("kubeVersion", "not carried: the chart states its own kubeVersion");
        m.Drop("apiVersions", "not carried: the chart renders only stable API versions");
        m.Drop("namespaceOverride", "not carried: install into the namespace you want with --namespace");
        m.Drop("commonLabels", "not carried: objects carry the app.kubernetes.io labels; add pod labels with podLabels");
        m.Drop("commonAnnotations", "not carried: annotate pods with podAnnotations and the Service with service.annotations");
        m.Drop("diagnosticMode", "not carried: no diagnostic mode; use kubectl debug");
        m.Drop("image", "not carried: this chart runs the official ghcr.io/mlflow/mlflow image, current MLflow releases (bitnami's is frozen)");
    }

    private static void Tracking(Migration m)
    {
        const string t = "tracking";
        if (m.Bool($"{t}.enabled") == false)
        {
            m.Drop($"{t}.enabled", "not carried: this chart always deploys the tracking server");
        }
        else
        {
            m.Used($"{t}.enabled", null, "the tracking server is what this chart deploys");
        }

        m.Carry($"{t}.replicaCount", "replicaCount");
        if (m.Str($"{t}.host") is "[::]" or "::")
        {
            m.Change($"{t}.host", "server.value_options.host", "::", "the server listens on all IPv6 and IPv4 addresses");
        }
        else
        {
            m.Used($"{t}.host", null, "the chart listens on 0.0.0.0 itself");
        }

        m.Drop($"{t}.containerPorts", "not carried: the container listens on 5000 (set service.port for the Service)");
        foreach (var probe in new[] { "liveness", "readiness", "startup" })
        {
            foreach (var field in new[] { "enabled", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold" })
            {
                m.Carry($"{t}.{probe}Probe.{field}", $"probes.{probe}.{field}");
            }

            m.Drop($"{t}.{probe}Probe.successThreshold", "not carried: always 1 (Kubernetes requires 1 for liveness and startup)");
            m.Drop($"{t}.custom{char.ToUpperInvariant(probe[0])}{probe[1..]}Probe", "not carried: the probes call /health, which MLflow keeps open under auth");
        }

        m.Drop($"{t}.resourcesPreset", "not carried: with resources empty the chart sizes memory from the workers and job execution it runs");
        m.Carry($"{t}.resources", "resources");
        m.Drop($"{t}.podSecurityContext", Common.SecurityContext);
        m.Drop($"{t}.containerSecurityContext", Common.SecurityContext);
        m.Drop($"{t}.command", "not carried: the command is mlflow server, built from the chart's values");
        m.Drop($"{t}.args", "not carried: the command is mlflow server, built from the chart's values");
        if (m.Get($"{t}.extraArgs") is List<object?> args)
        {
            foreach (var (name, text) in Common.CommandLine(args))
            {
                var key = Migration.Snake(name);
                if (key == "workers" && long.TryParse(text, out var workers))
                {
                    Values.Set(m.Target, "server.workers", workers);
                }
                else if (ChartOwned.TryGetValue(key, out var own) && text is not null)
                {
                    // Options this chart sets from values of its own: the command line cannot carry them.
                    if (own.Length > 0)
                    {
                        Values.Set(m.Target, own, text);
                    }
                }
                else if (key is "host" or "port")
                {
                    // The chart listens on 0.0.0.0:5000 (probes and Service depend on it); clients keep service.port.
                }
                else if (key == "expose_prometheus")
                {
                    Values.Set(m.Target, "metrics.enabled", true);
                }
                else if (text is null)
                {
                    Values.Append(m.Target, "server.flag_options", key);
                }
                else
                {
                    Values.Set(m.Target, $"server.value_options.{key}", text);
                }
            }

            m.Used($"{t}.extraArgs", "server.value_options", "read as a command line (--flag=value or --flag value): each option became a value_options key, bare flags flag_options; options the chart sets itself went to its own values (--workers server.workers, --static-prefix server.staticPrefix, store URIs mlflow.*, --expose-prometheus metrics.enabled) or were dropped (--host and --port: the chart listens on 0.0.0.0:5000)");
        }

        m.Change($"{t}.runUpgradeDB", "migrations.enabled", true, "schema migrations always run here, in a Helm hook Job before install and upgrade");
        m.Carry($"{t}.automountServiceAccountToken", "serviceAccount.automountServiceAccountToken");
        m.Drop($"{t}.hostAliases", "not carried: no value for host aliases; use DNS");
        m.Carry($"{t}.podLabels", "podLabels");
        m.Carry($"{t}.podAnnotations", "podAnnotations");
        m.Drop($"{t}.podAffinityPreset", "not carried: write the rule into affinity");
        m.Drop($"{t}.podAntiAffinityPreset", "not carried: write the rule into affinity, or use topologySpreadConstraints");
        m.Drop($"{t}.nodeAffinityPreset", "not carried: write the rule into affinity");
        m.Carry($"{t}.affinity", "affinity");
        m.Carry($"{t}.nodeSelector", "nodeSelector");
        m.Carry($"{t}.tolerations", "tolerations");
        if (m.Has($"{t}.pdb.create"))
        {
            m.Carry($"{t}.pdb.create", "podDisruptionBudget.enabled");
        }

        if (m.Str($"{t}.pdb.maxUnavailable") is not null)
        {
            m.Carry($"{t}.pdb.maxUnavailable", "podDisruptionBudget.maxUnavailable");
        }

        m.Drop($"{t}.pdb", "not carried: the budget is expressed as podDisruptionBudget.maxUnavailable (1)");
        if (m.Bool($"{t}.autoscaling.hpa.enabled") == true)
        {
            m.Carry($"{t}.autoscaling.hpa.enabled", "autoscaling.enabled");
            foreach (var (from, to) in new[] { ("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas"), ("targetCPU", "targetCPUUtilizationPercentage"), ("targetMemory", "targetMemoryUtilizationPercentage") })
            {
                if (m.Int($"{t}.autoscaling.hpa.{from}") is { } number)
                {
                    m.Change($"{t}.autoscaling.hpa.{from}", $"autoscaling.{to}", number, "same meaning, as a number");
                }
            }
        }

        m.Drop($"{t}.autoscaling", "not carried: tracking.autoscaling.hpa.enabled is not true, or a vertical autoscaler, which this chart does not create");

        m.Carry($"{t}.priorityClassName", "priorityClassName");
        m.Carry($"{t}.topologySpreadConstraints", "topologySpreadConstraints");
        if (m.Int($"{t}.terminationGracePeriodSeconds") is { } grace)
        {
            m.Change($"{t}.terminationGracePeriodSeconds", "terminationGracePeriodSeconds", grace, "same meaning, as a number");
        }

        m.Drop($"{t}.terminationGracePeriodSeconds", "not carried: empty; the chart gives 30 s");
        m.Drop($"{t}.schedulerName", "not carried: pods use the default scheduler");
        m.Drop($"{t}.lifecycleHooks", "not carried: the chart's own preStop pause (preStopSleepSeconds) keeps rolling updates lossless");
        Common.EnvList(m, $"{t}.extraEnvVars");
        if (m.Str($"{t}.extraEnvVarsCM") is { } cm)
        {
            m.Change($"{t}.extraEnvVarsCM", "envFrom", new List<object?> { Values.Map(("configMapRef", Values.Map(("name", cm)))) }, "became a configMapRef entry of envFrom");
        }

        if (m.Str($"{t}.extraEnvVarsSecret") is { } secret)
        {
            Values.Append(m.Target, "envFrom", Values.Map(("secretRef", Values.Map(("name", secret)))));
            m.Used($"{t}.extraEnvVarsSecret", "envFrom", "became a secretRef entry of envFrom");
        }

        m.Carry($"{t}.extraVolumes", "extraVolumes");
        m.Carry($"{t}.extraVolumeMounts", "extraVolumeMounts");
        m.Carry($"{t}.sidecars", "extraContainers");
        m.Carry($"{t}.initContainers", "extraInitContainers");
        m.Drop($"{t}.enableDefaultInitContainers", "not carried: the chart needs no default init containers");
        m.Carry($"{t}.serviceAccount.create", "serviceAccount.create");
        m.Carry($"{t}.serviceAccount.name", "serviceAccount.name");
        m.Carry($"{t}.serviceAccount.annotations", "serviceAccount.annotations");
        m.Carry($"{t}.serviceAccount.automountServiceAccountToken", "serviceAccount.automountServiceAccountToken");
    }

    /// <summary>
    /// The volume only where something of this chart is kept locally; remote stores need none.
    /// Artifacts with no object store configured stay on the volume, as they did with bitnami.
    /// </summary>
    private static void Persistence(Migration m)
    {
        const string p = "tracking.persistence";
        if (m.TargetHasDatabaseServer() && m.TargetHasArtifactStore())
        {
            m.Drop(p, "not carried: runs live in the database and artifacts in the object store, so this chart needs no volume (and can run several replicas)");
            return;
        }

        if (m.TargetHasDatabaseServer())
        {
            // Runs are in the database, so only the artifacts are local: this chart keeps a volume
            // for them only when asked, so ask.
            const string why = "artifacts have no object store, so they stay on this chart's volume";
            if (m.Bool($"{p}.enabled") == false)
            {
                m.Change($"{p}.enabled", "storage.enabled", true, why + "; with bitnami's volume off they were lost at every restart");
            }
            else
            {
                Values.Set(m.Target, "storage.enabled", true);
                m.Used($"{p}.enabled", "storage.enabled", why);
                m.Notes.Add($"bitnami kept artifacts on its volume (no object store was configured): storage.enabled=true keeps them on this chart's claim, under {Common.ArtifactsOnClaim}.");
            }
        }
        else
        {
            m.Carry($"{p}.enabled", "storage.enabled");
        }

        m.Carry($"{p}.size", "storage.size");
        m.Carry($"{p}.existingClaim", "storage.existingClaim");
        if (m.Str($"{p}.storageClass") is not null)
        {
            m.Carry($"{p}.storageClass", "storage.storageClassName");
        }

        if (m.Get($"{p}.accessModes") is List<object?> { Count: > 0 } modes)
        {
            m.Change($"{p}.accessModes", "storage.accessMode", modes[0], "the first access mode");
        }

        m.Drop($"{p}.mountPath", "not carried: the claim is mounted at storage.mountPath (/mlflow); local store paths follow it");
        m.Drop(p, "not carried: claim labels, annotations, selectors, sub-paths and data sources have no value here");
    }

    /// <summary>
    /// bitnami can run without a startup probe and with a short start budget; this chart refuses
    /// both when the liveness probe would restart MLflow before a cold start (up to 29 s) is over.
    /// Its own startup probe (2 minutes) then applies instead.
    /// </summary>
    private static void KeepStartupProbe(Migration m, ChartSchema schema)
    {
        if (Values.At(m.Target, "probes.startup") is not Dictionary<string, object?> startup)
        {
            return;
        }

        long Field(string probe, string field) => Values.At(m.Target, $"probes.{probe}.{field}") as long? ?? schema.Default($"probes.{probe}.{field}");
        var livenessBudget = Field("liveness", "initialDelaySeconds") + Field("liveness", "periodSeconds") * Field("liveness", "failureThreshold");
        var startupBudget = Field("startup", "initialDelaySeconds") + Field("startup", "periodSeconds") * Field("startup", "failureThreshold");
        var off = startup.GetValueOrDefault("enabled") is false;
        if ((off && livenessBudget < 60) || (!off && startupBudget < 60))
        {
            ((Dictionary<string, object?>)Values.At(m.Target, "probes")!).Remove("startup");
            m.Retract("tracking.startupProbe", off
                ? "not carried: the chart's startup probe (2 minutes) stays on, since without it the liveness probe would restart MLflow before a cold start (up to 29 s) is over"
                : $"not carried: a startup budget of {startupBudget} s is below the minute this chart requires (cold starts took up to 29 s); the chart's 2-minute startup probe applies");
        }
    }

    private static void Database(Migration m)
    {
        var bundled = m.Bool("postgresql.enabled") ?? true;
        var auth = m.Bool("tracking.auth.enabled") ?? true;
        if (bundled)
        {
            var user = m.Str("postgresql.auth.username") ?? "bn_mlflow";
            var existing = m.Str("postgresql.auth.existingSecret");
            var password = m.Str("postgresql.auth.password") is { } plain && existing is null
                ? m.PasswordVariable("MLFLOW_DB_PASSWORD", null, null, plain, "db-password")
                : m.PasswordVariable("MLFLOW_DB_PASSWORD", existing ?? $"{m.Release}-postgresql", "password", null, "db-password");
            var host = $"{m.Release}-postgresql";
            var port = m.Int("postgresql.primary.service.ports.postgresql") ?? 5432;
            var uri = Migration.DatabaseUri("postgresql", user, password, host, port, m.Str("postgresql.auth.database") ?? "bitnami_mlflow");
            Values.Set(m.Target, "mlflow.backendStoreUri", uri);
            if (auth)
            {
                Values.Set(m.Target, "auth.databaseUri", Migration.DatabaseUri("postgresql", user, password, host, port, $"{m.Release}_auth"));
            }

            m.Used("postgresql.auth", "mlflow.backendStoreUri", $"composed into {uri}, the bundled database's service");
            m.Used("postgresql.primary.service.ports.postgresql", "mlflow.backendStoreUri", "the port of the URI");
            m.Used("postgresql.enabled", "mlflow.backendStoreUri", "the URI points at the bundled PostgreSQL's service");
            m.Drop("postgresql", $"not carried: {Common.BundledDatabase()}");
            m.Notes.Add($"bitnami ran a bundled PostgreSQL{(m.Has("postgresql.enabled") ? "" : " (its default)")}: {Common.BundledDatabase()}. " +
                        $"Its password stays in Secret {existing ?? $"{m.Release}-postgresql"}; check the auth database name (bitnami's is derived from the release) in auth.databaseUri.");
            m.Drop("externalDatabase", "not carried: postgresql.enabled is true, so bitnami ignored externalDatabase");
            return;
        }

        m.Drop("postgresql", "not carried: postgresql.enabled is false");
        var d = "externalDatabase";
        var dialect = m.Str($"{d}.dialectDriver") ?? "postgresql";
        var pass = m.PasswordVariable("MLFLOW_DB_PASSWORD", m.Str($"{d}.existingSecret"), m.Str($"{d}.existingSecretPasswordKey") ?? "db-password",
            m.Str($"{d}.existingSecret") is null ? m.Str($"{d}.password") : null, "db-password");
        var dbHost = m.Str($"{d}.host") ?? throw new MigrationException("postgresql.enabled is false but externalDatabase.host is empty: the source names no database");
        var dbPort = m.Int($"{d}.port") ?? 5432;
        var dbUser = m.Str($"{d}.user") ?? "postgres";
        var trackingUri = Migration.DatabaseUri(dialect, dbUser, pass, dbHost, dbPort, m.Str($"{d}.database") ?? "mlflow");
        Values.Set(m.Target, "mlflow.backendStoreUri", trackingUri);
        if (auth)
        {
            var authUri = Migration.DatabaseUri(dialect, dbUser, pass, dbHost, dbPort, m.Str($"{d}.authDatabase") ?? "mlflow_auth");
            Values.Set(m.Target, "auth.databaseUri", authUri);
            m.Used($"{d}.authDatabase", "auth.databaseUri", $"composed into {authUri}");
        }
        else
        {
            m.Drop($"{d}.authDatabase", "not carried: basic auth is off");
        }

        m.Used(d, "mlflow.backendStoreUri", $"composed into {trackingUri}; the password stays in a Secret (mlflow.uriVariables)");
    }

    private static void Artifacts(Migration m)
    {
        if (m.Bool("minio.enabled") ?? true)
        {
            var bucket = (m.Str("minio.defaultBuckets") ?? "mlflow").Split(',', ';', ' ')[0];
            Values.Set(m.Target, "mlflow.artifactsDestination", $"s3://{bucket}");
            var secret = m.Str("minio.auth.existingSecret") ?? $"{m.Release}-minio";
            m.AddEnv(Values.Map(("name", "MLFLOW_S3_ENDPOINT_URL"), ("value", $"http://{m.Release}-minio:{m.Int("minio.service.ports.api") ?? 80}")));
            if (m.Str("minio.auth.rootPassword") is { } rootPassword && m.Str("minio.auth.existingSecret") is null)
            {
                m.AddEnv(Migration.EnvFromSecret("AWS_ACCESS_KEY_ID", m.ToSecret("minio-root-user", m.Str("minio.auth.rootUser") ?? "admin")));
                m.AddEnv(Migration.EnvFromSecret("AWS_SECRET_ACCESS_KEY", m.ToSecret("minio-root-password", rootPassword)));
            }
            else
            {
                m.AddEnv(Migration.EnvFromSecret("AWS_ACCESS_KEY_ID", Migration.SecretRef(secret, "root-user")));
                m.AddEnv(Migration.EnvFromSecret("AWS_SECRET_ACCESS_KEY", Migration.SecretRef(secret, "root-password")));
            }

            m.Used("minio.defaultBuckets", "mlflow.artifactsDestination", $"the first bucket: s3://{bucket}");
            m.Used("minio.auth", "env", "the S3 credentials come from the MinIO Secret (or the generated one)");
            m.Used("minio.service.ports.api", "env", "the port of MLFLOW_S3_ENDPOINT_URL");
            m.Used("minio.enabled", "mlflow.artifactsDestination", "artifacts go to the bundled MinIO's service");
            m.Drop("minio", $"not carried: {Common.BundledMinio}");
            m.Notes.Add($"bitnami ran a bundled MinIO{(m.Has("minio.enabled") ? "" : " (its default)")}: {Common.BundledMinio}.");
            DropExternalStores(m, "minio.enabled is true, so bitnami ignored it");
            return;
        }

        m.Drop("minio", "not carried: minio.enabled is false");
        if (m.Str("externalS3.host") is { } s3Host)
        {
            var destination = $"s3://{m.Str("externalS3.bucket") ?? "mlflow"}";
            SetDestination(m, destination, m.Bool("externalS3.serveArtifacts") ?? true);
            if (!s3Host.EndsWith("amazonaws.com", StringComparison.Ordinal))
            {
                m.AddEnv(Values.Map(("name", "MLFLOW_S3_ENDPOINT_URL"), ("value", $"{m.Str("externalS3.protocol") ?? "https"}://{s3Host}:{m.Int("externalS3.port") ?? 443}")));
            }

            if (m.Str("externalS3.existingSecret") is { } secret)
            {
                m.AddEnv(Migration.EnvFromSecret("AWS_ACCESS_KEY_ID", Migration.SecretRef(secret, m.Str("externalS3.existingSecretAccessKeyIDKey") ?? "root-user")));
                m.AddEnv(Migration.EnvFromSecret("AWS_SECRET_ACCESS_KEY", Migration.SecretRef(secret, m.Str("externalS3.existingSecretKeySecretKey") ?? "root-password")));
            }
            else if (m.Str("externalS3.accessKeySecret") is { } key)
            {
                m.AddEnv(Migration.EnvFromSecret("AWS_ACCESS_KEY_ID", m.ToSecret("aws-access-key-id", m.Str("externalS3.accessKeyID") ?? "")));
                m.AddEnv(Migration.EnvFromSecret("AWS_SECRET_ACCESS_KEY", m.ToSecret("aws-secret-access-key", key)));
            }

            m.Used("externalS3", "mlflow.artifactsDestination", $"{destination}; endpoint and credentials through env (credentials from a Secret)");
            m.Drop("externalGCS", "not carried: externalS3 is configured, so bitnami ignored it");
            m.Drop("externalAzureBlob", "not carried: externalS3 is configured, so bitnami ignored it");
            return;
        }

        m.Drop("externalS3", "not carried: externalS3.host is empty");
        if (m.Str("externalGCS.bucket") is { } gcsBucket)
        {
            SetDestination(m, $"gs://{gcsBucket}", m.Bool("externalGCS.serveArtifacts") ?? true);
            if (m.Str("externalGCS.googleCloudProject") is { } project)
            {
                m.AddEnv(Values.Map(("name", "GOOGLE_CLOUD_PROJECT"), ("value", project)));
            }

            if (m.Bool("externalGCS.useCredentialsInSecret") == true && m.Str("externalGCS.existingSecret") is { } gcsSecret)
            {
                var key = m.Str("externalGCS.existingSecretKey") ?? "credentials.json";
                Values.Append(m.Target, "extraVolumes", Values.Map(("name", "gcs-credentials"), ("secret", Values.Map(("secretName", gcsSecret)))));
                Values.Append(m.Target, "extraVolumeMounts", Values.Map(("name", "gcs-credentials"), ("mountPath", "/etc/gcs"), ("readOnly", true)));
                m.AddEnv(Values.Map(("name", "GOOGLE_APPLICATION_CREDENTIALS"), ("value", $"/etc/gcs/{key}")));
            }

            m.Used("externalGCS", "mlflow.artifactsDestination", $"gs://{gcsBucket}; the key file mounted from its Secret, GOOGLE_APPLICATION_CREDENTIALS pointing at it");
            m.Drop("externalAzureBlob", "not carried: externalGCS is configured, so bitnami ignored it");
            return;
        }

        m.Drop("externalGCS", "not carried: externalGCS.bucket is empty");
        if (m.Str("externalAzureBlob.storageAccount") is { } account)
        {
            var a = "externalAzureBlob";
            SetDestination(m, $"wasbs://{m.Str($"{a}.containerName") ?? "mlflow"}@{account}.blob.core.windows.net", m.Bool($"{a}.serveArtifacts") ?? true);
            var existing = m.Bool($"{a}.useCredentialsInSecret") == true ? m.Str($"{a}.existingSecret") : null;
            foreach (var (plain, secretKey, env, generated) in new[]
            {
                ("connectionString", "existingConnectionStringKey", "AZURE_STORAGE_CONNECTION_STRING", "azure-connection-string"),
                ("accessKey", "existingAccessKeyKey", "AZURE_STORAGE_ACCESS_KEY", "azure-access-key"),
                ("clientSecret", "clientSecretKey", "AZURE_CLIENT_SECRET", "azure-client-secret"),
            })
            {
                if (existing is not null && m.Str($"{a}.{secretKey}") is { } key)
                {
                    m.AddEnv(Migration.EnvFromSecret(env, Migration.SecretRef(existing, key)));
                }
                else if (m.Str($"{a}.{plain}") is { } value)
                {
                    m.AddEnv(Migration.EnvFromSecret(env, m.ToSecret(generated, value)));
                }
            }

            foreach (var (key, env) in new[] { ("clientId", "AZURE_CLIENT_ID"), ("tenantId", "AZURE_TENANT_ID") })
            {
                if (m.Str($"{a}.{key}") is { } value)
                {
                    m.AddEnv(Values.Map(("name", env), ("value", value)));
                }
            }

            m.Used(a, "mlflow.artifactsDestination", "wasbs:// destination; credentials through env from Secrets");
            return;
        }

        m.Drop("externalAzureBlob", "not carried: externalAzureBlob.storageAccount is empty");
    }

    private static void DropExternalStores(Migration m, string why)
    {
        foreach (var store in new[] { "externalS3", "externalGCS", "externalAzureBlob" })
        {
            m.Drop(store, $"not carried: {why}");
        }
    }

    private static void SetDestination(Migration m, string destination, bool serve)
    {
        if (serve)
        {
            Values.Set(m.Target, "mlflow.artifactsDestination", destination);
        }
        else
        {
            Values.Set(m.Target, "mlflow.defaultArtifactRoot", destination);
            Values.Append(m.Target, "server.flag_options", "no_serve_artifacts");
        }
    }

    private static void Auth(Migration m)
    {
        const string a = "tracking.auth";
        if (!(m.Bool($"{a}.enabled") ?? true))
        {
            m.Drop(a, "not carried: basic auth is off");
            return;
        }

        Values.Set(m.Target, "auth.enabled", true);
        m.Used($"{a}.enabled", "auth.enabled", m.Has($"{a}.enabled") ? "same meaning" : "bitnami's default");
        if (!m.Has($"{a}.enabled"))
        {
            m.Notes.Add("bitnami turns basic auth on by default, so the converted values do too (auth.enabled: true).");
        }

        var existing = m.Str($"{a}.existingSecret");
        if (existing is not null)
        {
            Values.Set(m.Target, "auth.admin.existingSecret", existing);
            Values.Set(m.Target, "auth.admin.usernameKey", m.Str($"{a}.existingSecretUserKey") ?? "admin-user");
            Values.Set(m.Target, "auth.admin.passwordKey", m.Str($"{a}.existingSecretPasswordKey") ?? "admin-password");
            m.Used($"{a}.existingSecret", "auth.admin.existingSecret", "same Secret");
            m.Used($"{a}.existingSecretUserKey", "auth.admin.usernameKey", "the same key of that Secret");
            m.Used($"{a}.existingSecretPasswordKey", "auth.admin.passwordKey", "the same key of that Secret");
        }
        else
        {
            m.ToSecret("admin-username", m.Str($"{a}.username") ?? "user");
            m.ToSecret("admin-password", m.Str($"{a}.password") ?? "<copy the admin password of your old release here>");
            Values.Set(m.Target, "auth.admin.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.admin.usernameKey", "admin-username");
            Values.Set(m.Target, "auth.admin.passwordKey", "admin-password");
            m.Used($"{a}.username", "auth.admin", $"moved into Secret {m.SecretName}");
            m.Used($"{a}.password", "auth.admin", $"moved into Secret {m.SecretName}");
            if (m.Str($"{a}.password") is null)
            {
                m.Notes.Add($"The admin password was generated by the old release: copy it into key admin-password of Secret {m.SecretName} before installing.");
            }
        }

        if (existing is not null && m.Str($"{a}.existingSecretFlaskServerSecretKey") is { } flaskKey)
        {
            Values.Set(m.Target, "auth.secretKey.existingSecret", existing);
            Values.Set(m.Target, "auth.secretKey.key", flaskKey);
            m.Used($"{a}.existingSecretFlaskServerSecretKey", "auth.secretKey", "same Secret and key");
        }
        else
        {
            var key = m.Str($"{a}.flaskServerSecretKey") ?? System.Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            Values.Set(m.Target, "auth.secretKey.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.secretKey.key", m.ToSecret("flask-secret-key", key)["key"]);
            m.Used($"{a}.flaskServerSecretKey", "auth.secretKey", $"moved into Secret {m.SecretName}");
        }

        if (m.Get($"{a}.extraOverrides") is Dictionary<string, object?> overrides && overrides.GetValueOrDefault("default_permission") is string permission)
        {
            m.Change($"{a}.extraOverrides.default_permission", "auth.defaultPermission", permission, "a value of its own here");
        }

        m.Drop($"{a}.extraOverrides", "not carried: the chart writes the INI's other settings itself");
        m.Drop($"{a}.overridesConfigMap", "not carried: the auth INI lives in a Secret here, never a ConfigMap");
    }

    private static void Exposure(Migration m)
    {
        const string s = "tracking.service";
        if (!m.Has($"{s}.ports.http"))
        {
            // Clients reach the old release on bitnami's default port 80: keep that address.
            Values.Set(m.Target, "service.port", 80L);
            m.Notes.Add("bitnami's Service listens on port 80 by default, which your file keeps: service.port is 80 so clients keep their URL (this chart's own default is 5000; the container still listens on 5000).");
        }

        if (!m.Has($"{s}.type"))
        {
            m.Notes.Add("bitnami's Service defaults to a LoadBalancer, which your file keeps; this chart's Service is ClusterIP, reachable only inside the cluster (set service.type: LoadBalancer to keep the old external address, or use an Ingress).");
        }

        m.Carry($"{s}.type", "service.type");
        m.Carry($"{s}.ports.http", "service.port");
        m.Carry($"{s}.annotations", "service.annotations");
        m.Drop($"{s}", "not carried: node ports, load balancer settings, session affinity and extra ports have no value here; annotate the Service for your cloud's load balancer instead");
        const string i = "tracking.ingress";
        if (m.Bool($"{i}.enabled") == true)
        {
            m.Carry($"{i}.enabled", "ingress.enabled");
            m.Carry($"{i}.ingressClassName", "ingress.className");
            m.Carry($"{i}.annotations", "ingress.annotations");
            var pathType = m.Str($"{i}.pathType") ?? "ImplementationSpecific";
            var hosts = new List<object?>();
            var hostname = m.Str($"{i}.hostname") ?? "mlflow.local";
            hosts.Add(Values.Map(("host", hostname), ("paths", new List<object?> { Values.Map(("path", m.Str($"{i}.path") ?? "/"), ("pathType", pathType)) })));
            if (m.Get($"{i}.extraHosts") is List<object?> extra)
            {
                foreach (var host in extra.OfType<Dictionary<string, object?>>())
                {
                    hosts.Add(Values.Map(("host", host.GetValueOrDefault("name")), ("paths", new List<object?> { Values.Map(("path", host.GetValueOrDefault("path") ?? "/"), ("pathType", pathType)) })));
                }
            }

            Values.Set(m.Target, "ingress.hosts", hosts);
            foreach (var key in new[] { "hostname", "path", "pathType", "extraHosts" })
            {
                m.Used($"{i}.{key}", "ingress.hosts", $"written as ingress.hosts entries; {Common.IngressHosts}");
            }

            var tls = new List<object?>();
            if (m.Bool($"{i}.tls") == true)
            {
                tls.Add(Values.Map(("secretName", $"{hostname}-tls"), ("hosts", new List<object?> { hostname })));
                m.Used($"{i}.tls", "ingress.tls", $"TLS for {hostname} from Secret {hostname}-tls, the name bitnami used");
            }

            if (m.Get($"{i}.extraTls") is List<object?> extraTls)
            {
                tls.AddRange(extraTls);
                m.Used($"{i}.extraTls", "ingress.tls", "appended to ingress.tls");
            }

            if (tls.Count > 0)
            {
                Values.Set(m.Target, "ingress.tls", tls);
            }

            m.Drop($"{i}.selfSigned", "not carried: the chart generates no certificates (renders must be repeatable); use cert-manager");
            m.Drop($"{i}.secrets", "not carried: certificates and keys do not belong in values; create them with kubectl create secret tls");
            m.Drop($"{i}.extraPaths", "not carried: the Ingress routes the hosts' paths to MLflow only");
            m.Drop($"{i}.extraRules", "not carried: the Ingress routes the hosts' paths to MLflow only; add other rules with extraObjects");
        }

        m.Drop(i, "not carried: tracking.ingress.enabled is not true");
        const string tlsKey = "tracking.tls";
        if (m.Bool($"{tlsKey}.enabled") == true)
        {
            m.Carry($"{tlsKey}.enabled", "tls.enabled");
            m.Carry($"{tlsKey}.certificatesSecret", "tls.secretName");
            if (m.Str($"{tlsKey}.certCAFilename") is { } ca)
            {
                m.Change($"{tlsKey}.certCAFilename", "tls.caKey", ca, "the key of the CA in the Secret");
            }

            foreach (var key in new[] { "certFilename", "certKeyFilename" })
            {
                if (m.Str($"{tlsKey}.{key}") is { } file && file is not "tls.crt" and not "tls.key")
                {
                    m.Drop($"{tlsKey}.{key}", $"not carried: the Secret must hold tls.crt and tls.key (a kubernetes.io/tls Secret); re-create it from {file}");
                }
            }
        }

        m.Drop(tlsKey, "not carried: the server's own TLS is off, or it was autoGenerated (the chart generates no certificates; use cert-manager)");
        const string n = "tracking.networkPolicy";
        if (m.Bool($"{n}.enabled") ?? true)
        {
            Values.Set(m.Target, "networkPolicy.enabled", true);
            m.Used($"{n}.enabled", "networkPolicy.enabled", m.Has($"{n}.enabled") ? "same meaning" : "bitnami's default");
            if (m.Get($"{n}.ingressNSMatchLabels") is Dictionary<string, object?> { Count: > 0 } nsLabels)
            {
                var peer = Values.Map(("namespaceSelector", Values.Map(("matchLabels", nsLabels))));
                if (m.Get($"{n}.ingressNSPodMatchLabels") is Dictionary<string, object?> { Count: > 0 } podLabels)
                {
                    peer["podSelector"] = Values.Map(("matchLabels", podLabels));
                }

                Values.Append(m.Target, "networkPolicy.ingressFrom", peer);
                m.Used($"{n}.ingressNSMatchLabels", "networkPolicy.ingressFrom", "a namespaceSelector peer of networkPolicy.ingressFrom");
                m.Used($"{n}.ingressNSPodMatchLabels", "networkPolicy.ingressFrom", "the same peer's podSelector");
            }

            m.Carry($"{n}.extraEgress", "networkPolicy.additionalEgressRules");
            m.Notes.Add("bitnami's NetworkPolicy admits every source by default (allowExternal); this chart's admits only the release's pods and networkPolicy.ingressFrom: add your ingress controller and Prometheus there.");
            m.Drop($"{n}.allowExternal", "not carried: the chart never admits every source; name the peers in networkPolicy.ingressFrom");
            m.Drop($"{n}.allowExternalEgress", "not carried: egress goes to DNS, the database, HTTPS and networkPolicy.additionalEgressRules");
            m.Drop($"{n}.extraIngress", "not carried: put the peers of these rules into networkPolicy.ingressFrom");
        }

        m.Drop(n, "not carried: the NetworkPolicy is off");
        const string mm = "tracking.metrics";
        if (m.Bool($"{mm}.enabled") == true)
        {
            m.Carry($"{mm}.enabled", "metrics.enabled");
            if (m.Bool($"{mm}.serviceMonitor.enabled") == true)
            {
                m.Carry($"{mm}.serviceMonitor.enabled", "serviceMonitor.enabled");
                m.Carry($"{mm}.serviceMonitor.namespace", "serviceMonitor.namespace");
                m.Carry($"{mm}.serviceMonitor.labels", "serviceMonitor.labels");
                if (m.Str($"{mm}.serviceMonitor.interval") is not null)
                {
                    m.Carry($"{mm}.serviceMonitor.interval", "serviceMonitor.interval");
                }

                if (m.Str($"{mm}.serviceMonitor.scrapeTimeout") is not null)
                {
                    m.Carry($"{mm}.serviceMonitor.scrapeTimeout", "serviceMonitor.scrapeTimeout");
                }
            }

            m.Drop($"{mm}.annotations", "not carried: scrape with the ServiceMonitor (serviceMonitor.enabled), not annotations");
        }

        m.Drop(mm, "not carried: metrics are off, or a ServiceMonitor setting (relabelings, job label, selector) with no value here");
    }
}
