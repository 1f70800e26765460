namespace MlflowChart.Migrate;

/// <summary>community-charts/mlflow values (keys from its values.yaml) into this chart's.</summary>
public static class Community
{
    public static void Convert(Migration m)
    {
        Workload(m);
        Database(m);
        Artifacts(m);
        Auth(m);
        Server(m);
        Exposure(m);
        if (!m.TargetHasDatabaseServer())
        {
            m.Drop("strategy", "not carried: without a database server runs stay in SQLite on a volume, where the chart uses Recreate (a rolling update would open the database file from two pods)");
        }
        else if (m.TargetKeepsSingleNodeClaim())
        {
            m.Drop("strategy", Common.RecreateOnClaim);
        }
        else
        {
            m.Carry("strategy", "deploymentStrategy");
        }
    }

    private static void Workload(Migration m)
    {
        m.Carry("replicaCount", "replicaCount");
        m.Carry("nameOverride", "nameOverride");
        m.Carry("fullnameOverride", "fullnameOverride");
        m.Carry("imagePullSecrets", "imagePullSecrets");
        if (m.Str("image.repository") is { } repository && repository != "burakince/mlflow")
        {
            m.Carry("image.repository", "image.repository");
            m.Carry("image.tag", "image.tag");
        }
        else
        {
            m.Drop("image.repository", "not carried: this chart runs the official ghcr.io/mlflow/mlflow image (v<appVersion>-full carries the database drivers and cloud clients)");
            m.Drop("image.tag", "not carried: the tag belonged to the burakince/mlflow image; this chart pins the official image to its appVersion");
        }

        m.Carry("image.pullPolicy", "image.pullPolicy");
        m.Carry("serviceAccount.create", "serviceAccount.create");
        m.Carry("serviceAccount.name", "serviceAccount.name");
        m.Carry("serviceAccount.annotations", "serviceAccount.annotations");
        m.Carry("serviceAccount.automount", "serviceAccount.automountServiceAccountToken");
        m.Carry("podAnnotations", "podAnnotations");
        m.Carry("extraPodLabels", "podLabels");
        m.Drop("podSecurityContext", Common.SecurityContext);
        m.Drop("securityContext", Common.SecurityContext);
        m.Carry("resources", "resources");
        m.Carry("nodeSelector", "nodeSelector");
        m.Carry("tolerations", "tolerations");
        m.Carry("affinity", "affinity");
        m.Carry("initContainers", "extraInitContainers");
        m.Carry("extraContainers", "extraContainers");
        m.Carry("extraVolumes", "extraVolumes");
        m.Carry("extraVolumeMounts", "extraVolumeMounts");
        foreach (var (from, to) in new[] { ("livenessProbe", "liveness"), ("readinessProbe", "readiness") })
        {
            foreach (var field in new[] { "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold" })
            {
                m.Carry($"{from}.{field}", $"probes.{to}.{field}");
            }
        }

        m.Drop("log", "not carried: MLflow logs to stdout here; set the uvicorn log level with server.value_options.uvicorn_opts (e.g. \"--log-level warning\")");
        m.Drop("telemetry", "not carried: no value of this chart controls MLflow's usage tracking; set the variable your MLflow release documents through env");
        if (m.Bool("autoscaling.enabled") is { } scale)
        {
            m.Carry("autoscaling.enabled", "autoscaling.enabled");
            m.Carry("autoscaling.minReplicas", "autoscaling.minReplicas");
            m.Carry("autoscaling.maxReplicas", "autoscaling.maxReplicas");
            if (m.Get("autoscaling.metrics") is List<object?> metrics)
            {
                foreach (var metric in metrics.OfType<Dictionary<string, object?>>())
                {
                    var resource = metric.GetValueOrDefault("resource") as Dictionary<string, object?>;
                    var target = resource?.GetValueOrDefault("target") as Dictionary<string, object?>;
                    var name = resource?.GetValueOrDefault("name") as string;
                    if (name is "cpu" or "memory" && target?.GetValueOrDefault("averageUtilization") is long percent)
                    {
                        Values.Set(m.Target, $"autoscaling.target{(name == "cpu" ? "CPU" : "Memory")}UtilizationPercentage", percent);
                    }
                }

                m.Used("autoscaling.metrics", "autoscaling.targetCPUUtilizationPercentage", "CPU and memory utilization targets carried; other metric types are not supported here");
            }

            m.Drop("autoscaling.behavior", "not carried: the chart's HorizontalPodAutoscaler uses Kubernetes' default scaling behavior");
            if (scale)
            {
                Values.Set(m.Target, "server.jobExecution", false);
            }
        }
    }

    /// <summary>An absolute path inside one of the source's extraVolumeMounts (a volume the user brought), or null.</summary>
    private static string? OnUserVolume(Migration m, string? path)
    {
        if (path is null || !path.StartsWith('/') || m.Get("extraVolumeMounts") is not List<object?> mounts)
        {
            return null;
        }

        return mounts.OfType<Dictionary<string, object?>>()
            .Select(mount => (mount.GetValueOrDefault("mountPath") as string)?.TrimEnd('/'))
            .Any(dir => dir is { Length: > 0 } && path.StartsWith(dir + "/", StringComparison.Ordinal)) ? path : null;
    }

    private static void Database(Migration m)
    {
        m.Change("backendStore.databaseMigration", "migrations.enabled", true,
            "schema migrations always run here, in a Helm hook Job before install and upgrade (safe on an empty database)");
        m.Drop("backendStore.databaseConnectionCheck", "not carried: the migration Job and the startup probe report an unreachable database");
        // The source chart's default drivers (pymysql, pymssql) apply when the file names none; driver: "" means none.
        foreach (var (kind, scheme, port, sourceDriver) in new[] { ("postgres", "postgresql", 5432L, (string?)null), ("mysql", "mysql", 3306L, "pymysql"), ("mssql", "mssql", 1433L, "pymssql") })
        {
            var at = $"backendStore.{kind}";
            if (m.Bool($"{at}.enabled") != true)
            {
                m.Drop(at, $"not carried: {at}.enabled is not true");
                continue;
            }

            // community-charts' MSSQL connection-URL forms (its README's Azure AD / MSI examples): the URL wins over the parts.
            if (kind == "mssql" && m.Str($"{at}.existingConnectionUrlSecret.name") is { } urlSecret)
            {
                var urlKey = m.Str($"{at}.existingConnectionUrlSecret.key")
                    ?? throw new MigrationException($"{at}.existingConnectionUrlSecret.name is set but its key is empty; name the key that holds the connection URL");
                Values.Set(m.Target, "mlflow.backendStoreUriFrom", Values.Map(("secretKeyRef", Migration.SecretRef(urlSecret, urlKey))));
                m.Used(at, "mlflow.backendStoreUriFrom", "the connection URL stays in its Secret; host, port, database, user and password are ignored, as in the source chart");
                continue;
            }

            if (kind == "mssql" && m.Str($"{at}.connectionUrl") is { } url)
            {
                // It may carry a password (or an odbc_connect PWD=): kept in a Secret, never in the values.
                Values.Set(m.Target, "mlflow.backendStoreUriFrom", Values.Map(("secretKeyRef", m.ToSecret("backend-store-uri", url))));
                m.Used(at, "mlflow.backendStoreUriFrom", $"the connection URL moved into Secret {m.SecretName}; host, port, database, user and password are ignored, as in the source chart");
                continue;
            }

            var driver = m.Get($"{at}.driver") is null ? sourceDriver : m.Str($"{at}.driver");
            var password = m.PasswordVariable("MLFLOW_DB_PASSWORD", m.Str("backendStore.existingDatabaseSecret.name"),
                m.Str("backendStore.existingDatabaseSecret.passwordKey"), m.Str($"{at}.password"), "db-password");
            // With an existing Secret the source chart always reads the user name from it too (usernameKey, default "username").
            var user = m.Str($"{at}.user");
            if (m.Str("backendStore.existingDatabaseSecret.name") is { } userSecret)
            {
                user = m.UserVariable("MLFLOW_DB_USER", userSecret, m.Str("backendStore.existingDatabaseSecret.usernameKey"));
                if (m.Str($"{at}.user") is not null)
                {
                    m.Drop($"{at}.user", "not carried: with backendStore.existingDatabaseSecret the source chart reads the user name from that Secret, and so does this conversion ($(MLFLOW_DB_USER))");
                }
            }

            var uri = Migration.DatabaseUri(driver is null ? scheme : $"{scheme}+{driver}", user, password,
                m.Str($"{at}.host") ?? throw new MigrationException($"{at}.enabled is true but {at}.host is empty"),
                m.Int($"{at}.port") ?? port, m.Str($"{at}.database") ?? "mlflow");
            Values.Set(m.Target, "mlflow.backendStoreUri", uri);
            m.Used(at, "mlflow.backendStoreUri", $"composed into {uri}; the password stays in a Secret (mlflow.uriVariables)");
            if (m.Str("backendStore.existingDatabaseSecret.name") is not null)
            {
                m.Used("backendStore.existingDatabaseSecret", "mlflow.uriVariables",
                    "the user name and the password come from this Secret, as $(MLFLOW_DB_USER) and $(MLFLOW_DB_PASSWORD) in the URI");
            }
        }

        m.Drop("backendStore.existingDatabaseSecret", "not carried: no database of backendStore is enabled");
        foreach (var bundled in new[] { "postgresql", "mysql" })
        {
            if (m.Bool($"{bundled}.enabled") != true)
            {
                m.Drop(bundled, $"not carried: {bundled}.enabled is not true, so the bundled database was off");
                continue;
            }

            if (m.Str("mlflow.backendStoreUri") is null && Values.At(m.Target, "mlflow.backendStoreUri") is null)
            {
                var password = m.PasswordVariable("MLFLOW_DB_PASSWORD", null, null, m.Str($"{bundled}.auth.password"), "db-password");
                var uri = Migration.DatabaseUri(bundled == "postgresql" ? "postgresql" : "mysql+pymysql", m.Str($"{bundled}.auth.username"), password,
                    $"{m.Release}-{bundled}", bundled == "postgresql" ? 5432 : 3306, m.Str($"{bundled}.auth.database") ?? "mlflow");
                Values.Set(m.Target, "mlflow.backendStoreUri", uri);
                m.Used($"{bundled}.auth", "mlflow.backendStoreUri", $"composed into {uri}, the bundled database's service");
                m.Notes.Add($"The source ran a bundled {bundled}: {Common.BundledDatabase(bundled)}.");
            }

            m.Drop(bundled, $"not carried: {Common.BundledDatabase(bundled)}");
        }

        if (!m.TargetHasDatabaseServer() && OnUserVolume(m, m.Str("backendStore.defaultSqlitePath")) is { } sqlite)
        {
            // The README's own "PVC mount with SQLite" form: the runs are in the user's claim; keep using it, and no second claim.
            Values.Set(m.Target, "mlflow.backendStoreUri", $"sqlite:///{sqlite}");
            Values.Set(m.Target, "storage.enabled", false);
            m.Used("backendStore.defaultSqlitePath", "mlflow.backendStoreUri",
                $"sqlite:///{sqlite}: the database stays in your claim (extraVolumes), so the old runs are found; storage.enabled=false, no second claim");
        }

        m.Drop("backendStore.defaultSqlitePath", "not carried: without a database the chart keeps SQLite on a persistent claim (sqlite:////mlflow/mlflow.db), never in memory");
    }

    private static void Artifacts(Migration m)
    {
        var proxied = m.Bool("artifactRoot.proxiedArtifactStorage") ?? false;
        var store = proxied ? "mlflow.artifactsDestination" : "mlflow.defaultArtifactRoot";
        string? destination = null;
        if (m.Bool("artifactRoot.s3.enabled") == true)
        {
            destination = Join($"s3://{m.Str("artifactRoot.s3.bucket")}", m.Str("artifactRoot.s3.path"));
            m.Used("artifactRoot.s3.bucket", store, $"composed into {destination}");
            m.Used("artifactRoot.s3.path", store, $"composed into {destination}");
            if (m.Str("artifactRoot.s3.existingSecret.name") is { } secret)
            {
                m.AddEnv(Migration.EnvFromSecret("AWS_ACCESS_KEY_ID", Migration.SecretRef(secret, m.Str("artifactRoot.s3.existingSecret.keyOfAccessKeyId") ?? "AWS_ACCESS_KEY_ID")));
                m.AddEnv(Migration.EnvFromSecret("AWS_SECRET_ACCESS_KEY", Migration.SecretRef(secret, m.Str("artifactRoot.s3.existingSecret.keyOfSecretAccessKey") ?? "AWS_SECRET_ACCESS_KEY")));
                m.Used("artifactRoot.s3.existingSecret", "env", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY come from this Secret");
                m.Drop("artifactRoot.s3.awsAccessKeyId", "not carried: the existing Secret wins, as in the source chart");
                m.Drop("artifactRoot.s3.awsSecretAccessKey", "not carried: the existing Secret wins, as in the source chart");
            }
            else
            {
                foreach (var (key, env, secretKey) in new[] { ("awsAccessKeyId", "AWS_ACCESS_KEY_ID", "aws-access-key-id"), ("awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY", "aws-secret-access-key") })
                {
                    if (m.Str($"artifactRoot.s3.{key}") is { } value)
                    {
                        m.AddEnv(Migration.EnvFromSecret(env, m.ToSecret(secretKey, value)));
                        m.Used($"artifactRoot.s3.{key}", "env", $"moved into Secret {m.SecretName}; env takes {env} from it");
                    }
                }
            }
        }
        else if (m.Bool("artifactRoot.azureBlob.enabled") == true)
        {
            destination = Join($"wasbs://{m.Str("artifactRoot.azureBlob.container")}@{m.Str("artifactRoot.azureBlob.storageAccount")}.blob.core.windows.net", m.Str("artifactRoot.azureBlob.path"));
            foreach (var key in new[] { "container", "storageAccount", "path" })
            {
                m.Used($"artifactRoot.azureBlob.{key}", store, $"composed into {destination}");
            }

            foreach (var (key, env, secretKey) in new[] { ("connectionString", "AZURE_STORAGE_CONNECTION_STRING", "azure-connection-string"), ("accessKey", "AZURE_STORAGE_ACCESS_KEY", "azure-access-key") })
            {
                if (m.Str($"artifactRoot.azureBlob.{key}") is { } value)
                {
                    m.AddEnv(Migration.EnvFromSecret(env, m.ToSecret(secretKey, value)));
                    m.Used($"artifactRoot.azureBlob.{key}", "env", $"moved into Secret {m.SecretName}; env takes {env} from it");
                }
            }
        }
        else if (m.Bool("artifactRoot.gcs.enabled") == true)
        {
            destination = Join($"gs://{m.Str("artifactRoot.gcs.bucket")}", m.Str("artifactRoot.gcs.path"));
            m.Used("artifactRoot.gcs.bucket", store, $"composed into {destination}");
            m.Used("artifactRoot.gcs.path", store, $"composed into {destination}");
            m.Notes.Add("GCS credentials: use Workload Identity (serviceAccount.annotations, serviceAccount.automountServiceAccountToken: true) or mount a key file and set GOOGLE_APPLICATION_CREDENTIALS (see the README).");
        }

        foreach (var kind in new[] { "s3", "azureBlob", "gcs" })
        {
            m.Used($"artifactRoot.{kind}.enabled", destination is null ? null : store, "selects the artifact store");
            m.Drop($"artifactRoot.{kind}", $"not carried: artifactRoot.{kind}.enabled is not true");
        }

        if (destination is null && OnUserVolume(m, m.Str("artifactRoot.defaultArtifactsDestination")) is { } onVolume)
        {
            Values.Set(m.Target, "mlflow.artifactsDestination", onVolume);
            m.Used("artifactRoot.defaultArtifactsDestination", "mlflow.artifactsDestination", $"{onVolume}: the artifacts stay in your claim (extraVolumes)");
        }
        else if (destination is null && m.TargetHasDatabaseServer())
        {
            // The old chart wrote artifacts to a relative path inside the container, lost at every
            // restart; here the root filesystem is read-only, so they get the chart's claim.
            Values.Set(m.Target, "storage.enabled", true);
            m.Notes.Add("No artifact store was configured, so the old release wrote artifacts to a relative path in its container (./mlartifacts or ./mlruns), " +
                "which survives no restart unless you mounted a volume there. " +
                $"storage.enabled=true keeps them on this chart's claim ({Common.ArtifactsOnClaim}); " +
                "copy any you kept there, or set mlflow.artifactsDestination to use an object store instead.");
        }

        if (destination is not null)
        {
            if (proxied)
            {
                Values.Set(m.Target, "mlflow.artifactsDestination", destination);
            }
            else
            {
                Values.Set(m.Target, "mlflow.defaultArtifactRoot", destination);
                Values.Append(m.Target, "server.flag_options", "no_serve_artifacts");
                if (m.Get("artifactRoot.proxiedArtifactStorage") is null)
                {
                    m.Notes.Add("artifactRoot.proxiedArtifactStorage was not set, and the source chart's default (false) has clients write artifacts to " +
                        $"{destination} themselves, with their own credentials; that is kept (mlflow.defaultArtifactRoot, no_serve_artifacts). " +
                        "Set mlflow.artifactsDestination instead to let the server proxy them (this chart's default).");
                }
            }
        }

        m.Used("artifactRoot.proxiedArtifactStorage", proxied ? "mlflow.artifactsDestination" : "server.flag_options",
            proxied ? "the server proxies artifacts (this chart's default)" : "clients write artifacts directly: no_serve_artifacts with mlflow.defaultArtifactRoot");
        m.Drop("artifactRoot.defaultArtifactRoot", "not carried: a relative path lands on the read-only root filesystem; the chart uses the claim or the object store");
        m.Drop("artifactRoot.defaultArtifactsDestination", "not carried: a relative path lands on the read-only root filesystem; the chart uses the claim or the object store");
    }

    /// <summary>Sign-in features of the source chart that this one has no counterpart for.</summary>
    private static readonly (string Key, string What)[] OtherAuth =
    [
        ("ldapAuth", "LDAP sign-in (a plugin of the burakince/mlflow image)"),
        ("oauth2Proxy", "the oauth2-proxy sidecar"),
    ];

    /// <summary>
    /// oidcAuth (the mlflow-oidc-auth plugin) to auth.oidc: the same provider, client, groups and
    /// database, with every credential moved into a Secret. The source chart's image bundles the
    /// plugin; the official image this chart defaults to does not, which the report says loudly.
    /// </summary>
    private static void Oidc(Migration m)
    {
        if (m.Bool("oidcAuth.enabled") != true)
        {
            m.Drop("oidcAuth", "not carried: oidcAuth.enabled is not true");
            return;
        }

        const string to = "auth.oidc";
        m.Carry("oidcAuth.enabled", $"{to}.enabled");
        m.Carry("oidcAuth.discoveryUrl", $"{to}.discoveryUrl");
        m.Carry("oidcAuth.clientId", $"{to}.clientId");
        if (m.Str("oidcAuth.existingSecret.name") is { } secret)
        {
            Values.Set(m.Target, $"{to}.clientSecret.existingSecret", secret);
            Values.Set(m.Target, $"{to}.clientSecret.key", m.Str("oidcAuth.existingSecret.clientSecretKey") ?? "OIDC_CLIENT_SECRET");
            m.Used("oidcAuth.existingSecret", $"{to}.clientSecret", "the same Secret and key");
            m.Drop("oidcAuth.clientSecret", "not carried: the existing Secret wins, as in the source chart");
        }
        else if (m.Str("oidcAuth.clientSecret") is { } plain)
        {
            var reference = m.ToSecret("oidc-client-secret", plain);
            Values.Set(m.Target, $"{to}.clientSecret.existingSecret", reference["name"]);
            Values.Set(m.Target, $"{to}.clientSecret.key", reference["key"]);
            m.Used("oidcAuth.clientSecret", $"{to}.clientSecret", $"moved into Secret {m.SecretName}");
        }
        else
        {
            m.Notes.Add("oidcAuth has no client secret (neither clientSecret nor existingSecret.name); set auth.oidc.clientSecret.existingSecret to a Secret holding it, or the chart refuses to render.");
        }

        if (m.Str("oidcAuth.redirectUri") is { } redirect)
        {
            if (redirect.EndsWith("/callback", StringComparison.Ordinal))
            {
                m.Carry("oidcAuth.redirectUri", $"{to}.redirectUri");
            }
            else
            {
                m.Drop("oidcAuth.redirectUri", $"not carried: {redirect} does not end in /callback, the plugin's callback path; the chart derives the redirect URI from the Ingress host, or set auth.oidc.redirectUri");
            }
        }

        if (m.Str("oidcAuth.scope") is { } scope)
        {
            m.Change("oidcAuth.scope", $"{to}.scopes", scope.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Cast<object?>().ToList(),
                "the comma-separated scopes, as a list");
        }

        m.Carry("oidcAuth.audience", $"{to}.audience");
        m.Carry("oidcAuth.providerDisplayName", $"{to}.providerDisplayName");
        m.Carry("oidcAuth.groupsAttribute", $"{to}.groupsClaim");
        m.Carry("oidcAuth.groupName", $"{to}.groups");
        m.Carry("oidcAuth.adminGroupName", $"{to}.adminGroups");
        m.Carry("oidcAuth.trustedProxies", $"{to}.trustedProxies");
        if (m.Str("oidcAuth.defaultPermission") is null)
        {
            Values.Set(m.Target, $"{to}.defaultPermission", "MANAGE");
            m.Notes.Add("oidcAuth.defaultPermission was not set, and the source chart's default MANAGE (every user may change everyone's experiments) is kept in auth.oidc.defaultPermission; this chart's own default is READ.");
        }
        else
        {
            m.Carry("oidcAuth.defaultPermission", $"{to}.defaultPermission");
        }

        m.Drop("oidcAuth.sessionCookieSecure", "not carried: the chart marks the session cookie Secure when the redirect URI is https");
        m.Drop("oidcAuth.sessionCookieSamesite", "not carried: the plugin's default lax is used");
        if (m.Bool("oidcAuth.cache.enabled") == true && m.Str("oidcAuth.cache.redisUrl") is { } redis)
        {
            Values.Set(m.Target, $"{to}.redisUrlFrom", Values.Map(("secretKeyRef", m.ToSecret("oidc-redis-url", redis))));
            m.Used("oidcAuth.cache", $"{to}.redisUrlFrom", $"the Redis URL moved into Secret {m.SecretName}; the key prefix is the plugin's default");
        }
        else
        {
            m.Drop("oidcAuth.cache", "not carried: the cache is off (each worker caches permissions for 30 seconds)");
        }

        OidcDatabase(m, to);
        if (Values.At(m.Target, "auth.secretKey.existingSecret") is null)
        {
            var generated = System.Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            Values.Set(m.Target, "auth.secretKey.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.secretKey.key", m.ToSecret("flask-secret-key", generated)["key"]);
            m.Notes.Add($"Single sign-on needs a session key shared by all workers and replicas; the source chart left the plugin to make one per process, so the tool made one once, in Secret {m.SecretName}.");
        }

        if (Values.At(m.Target, "image.repository") is null)
        {
            m.Notes.Add("THE IMAGE MUST CONTAIN THE PLUGIN: the source chart's burakince/mlflow image bundles mlflow-oidc-auth, the official image this chart runs by default does not. " +
                "Set image.repository and image.tag to the image your release runs now (kubectl get deployment -o jsonpath='{..image}'), or build one as the README's SSO section shows.");
        }
    }

    /// <summary>The plugin's users database: the source's URI (into a Secret when it carries a password) or its postgres block composed into one.</summary>
    private static void OidcDatabase(Migration m, string to)
    {
        if (m.Str("oidcAuth.database.uri") is { } uri)
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(uri, "^[a-z0-9+]+://[^/@]*:[^/@]*@"))
            {
                Values.Set(m.Target, $"{to}.databaseUriFrom", Values.Map(("secretKeyRef", m.ToSecret("oidc-database-uri", uri))));
                m.Used("oidcAuth.database.uri", $"{to}.databaseUriFrom", $"it carries a password: moved into Secret {m.SecretName}");
            }
            else
            {
                m.Carry("oidcAuth.database.uri", $"{to}.databaseUri");
            }

            m.Drop("oidcAuth.database.postgres", "not carried: database.uri wins, as in the source chart");
            return;
        }

        if (m.Bool("oidcAuth.database.postgres.enabled") == true)
        {
            // As the source chart does it: the user and password filled into the URI by Kubernetes ($(NAME), mlflow.uriVariables).
            const string pg = "oidcAuth.database.postgres";
            var credentials = m.Str($"{pg}.existingSecret.name");
            var user = credentials is not null ? m.UserVariable("OIDC_DB_USER", credentials, m.Str($"{pg}.existingSecret.usernameKey")) : m.Str($"{pg}.user");
            var password = m.PasswordVariable("OIDC_DB_PASSWORD", credentials, m.Str($"{pg}.existingSecret.passwordKey"), m.Str($"{pg}.password"), "oidc-db-password");
            var driver = m.Str($"{pg}.driver") is { } d ? $"postgresql+{d}" : "postgresql";
            var composed = Migration.DatabaseUri(driver, user, password, m.Str($"{pg}.host") ?? "", m.Int($"{pg}.port") ?? 5432, m.Str($"{pg}.database") ?? "");
            Values.Set(m.Target, $"{to}.databaseUri", composed);
            m.Used(pg, $"{to}.databaseUri", credentials is not null
                ? $"composed into {composed}, the user and password from Secret {credentials} (mlflow.uriVariables)"
                : $"composed into {composed}, the password moved into Secret {m.SecretName} (mlflow.uriVariables)");
            return;
        }

        m.Notes.Add("oidcAuth kept its users in sqlite:///auth.db inside each pod (lost at every restart, and one per replica); here they live in the tracking database when that is a database server, else in SQLite on the claim. Users log in again and get their groups' permissions back; permissions granted by hand must be granted again.");
    }

    private static void Auth(Migration m)
    {
        if (m.Str("flaskServerSecretKey") is { } key)
        {
            Values.Set(m.Target, "auth.secretKey.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.secretKey.key", m.ToSecret("flask-secret-key", key)["key"]);
            m.Used("flaskServerSecretKey", "auth.secretKey", $"moved into Secret {m.SecretName}");
        }

        var basicAuth = m.Bool("auth.enabled") == true;
        foreach (var (feature, what) in OtherAuth)
        {
            var on = m.Bool($"{feature}.enabled") == true;
            var outcome = on && !basicAuth
                ? $"THE RELEASE WILL HAVE NO AUTHENTICATION: this chart has no counterpart for {what}; put an authenticating proxy in front of the Ingress or turn on auth.enabled (MLflow's basic auth)"
                : $"this chart has no counterpart for {what}";
            m.Drop(feature, $"not carried: {outcome}");
            if (on && !basicAuth)
            {
                m.Notes.Add($"{feature} was on: {outcome}.");
            }
        }

        Oidc(m);
        if (!basicAuth)
        {
            m.Drop("auth", "not carried: auth.enabled is not true");
            return;
        }

        m.Carry("auth.enabled", "auth.enabled");
        m.Carry("auth.defaultPermission", "auth.defaultPermission");
        if (Values.At(m.Target, "auth.secretKey.existingSecret") is null)
        {
            var generated = System.Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            Values.Set(m.Target, "auth.secretKey.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.secretKey.key", m.ToSecret("flask-secret-key", generated)["key"]);
            m.Notes.Add($"Basic auth needs a Flask secret key shared by all replicas; the source chart made one at random on every render, so the tool made one once, in Secret {m.SecretName}.");
        }

        if (m.Str("auth.existingAdminSecret.name") is { } admin)
        {
            Values.Set(m.Target, "auth.admin.existingSecret", admin);
            m.Carry("auth.existingAdminSecret.usernameKey", "auth.admin.usernameKey");
            m.Carry("auth.existingAdminSecret.passwordKey", "auth.admin.passwordKey");
            m.Used("auth.existingAdminSecret.name", "auth.admin.existingSecret", "same Secret");
            m.Drop("auth.adminUsername", "not carried: the existing admin Secret wins, as in the source chart");
            m.Drop("auth.adminPassword", "not carried: the existing admin Secret wins, as in the source chart");
        }
        else if (m.Str("auth.adminPassword") is { } password)
        {
            m.ToSecret("admin-username", m.Str("auth.adminUsername") ?? "admin");
            m.ToSecret("admin-password", password);
            Values.Set(m.Target, "auth.admin.existingSecret", m.SecretName);
            Values.Set(m.Target, "auth.admin.usernameKey", "admin-username");
            Values.Set(m.Target, "auth.admin.passwordKey", "admin-password");
            m.Used("auth.adminUsername", "auth.admin", $"moved into Secret {m.SecretName}");
            m.Used("auth.adminPassword", "auth.admin", $"moved into Secret {m.SecretName}");
        }

        m.Drop("auth.existingAdminSecret", "not carried: no admin Secret name was given");
        if (m.Str("auth.appName") is { } app && app != "basic-auth")
        {
            m.Change("auth.appName", "server.value_options.app_name", app, "passed as --app-name");
        }
        else
        {
            m.Used("auth.appName", "auth.enabled", "basic-auth is what auth.enabled turns on");
        }

        m.Drop("auth.authorizationFunction", "not carried: the chart uses MLflow's basic-auth authorization function; a custom one needs a custom image and INI");
        foreach (var setting in new[] { "sqliteFile", "sqliteFullPath", "configPath", "configFile" })
        {
            m.Drop($"auth.{setting}", "not carried: the chart writes the auth INI itself and keeps the users database on the claim (sqlite:////mlflow/basic_auth.db) or in auth.databaseUri");
        }

        if (m.Bool("auth.postgres.enabled") == true)
        {
            var password = m.PasswordVariable("MLFLOW_AUTH_DB_PASSWORD", m.Str("auth.postgres.existingSecret.name"),
                m.Str("auth.postgres.existingSecret.passwordKey"), m.Str("auth.postgres.password"), "auth-db-password");
            var driver = m.Str("auth.postgres.driver");
            // As in the source chart: with an existing Secret the user name comes from it too (usernameKey, default "username").
            var user = m.Str("auth.postgres.existingSecret.name") is { } userSecret
                ? m.UserVariable("MLFLOW_AUTH_DB_USER", userSecret, m.Str("auth.postgres.existingSecret.usernameKey"))
                : m.Str("auth.postgres.user");

            var uri = Migration.DatabaseUri(driver is null ? "postgresql" : $"postgresql+{driver}", user, password,
                m.Str("auth.postgres.host") ?? "", m.Int("auth.postgres.port") ?? 5432, m.Str("auth.postgres.database") ?? "mlflow_auth");
            Values.Set(m.Target, "auth.databaseUri", uri);
            m.Used("auth.postgres", "auth.databaseUri", $"composed into {uri}; the password stays in a Secret (mlflow.uriVariables)");
        }

        m.Drop("auth.postgres", "not carried: auth.postgres.enabled is not true");
    }

    /// <summary>
    /// One `mlflow server` option with a value, where this chart keeps it; reported on `from` when
    /// given, else described in the returned text (for a command line reported as one key).
    /// </summary>
    private static string Option(Migration m, string? from, string key, object? value, string? how)
    {
        string Done(string target, string note)
        {
            if (from is not null)
            {
                m.Used(from, target, note);
            }

            return $"--{key.Replace('_', '-')} became {target} ({note})";
        }

        switch (key)
        {
            case "static_prefix":
                Values.Set(m.Target, "server.staticPrefix", value);
                return Done("server.staticPrefix", "its own value here");
            case "workers":
                Values.Set(m.Target, "server.workers", value is string s && long.TryParse(s, out var n) ? n : value);
                return Done("server.workers", "its own value here; it also sizes the memory request");
            case "host":
                if (from is not null)
                {
                    m.Drop(from, "not carried: the chart binds 0.0.0.0, which its probes and Service depend on");
                }

                return "--host not carried (the chart binds 0.0.0.0)";
            case "port":
                Values.Set(m.Target, "service.port", value is string p && long.TryParse(p, out var port) ? port : value);
                return Done("service.port", "the container listens on 5000 here; the Service keeps this port for clients");
            case "backend_store_uri" or "default_artifact_root" or "artifacts_destination" or "registry_store_uri":
                if (from is not null)
                {
                    m.Drop(from, "not carried: store settings are values of their own here (mlflow.*), never command-line flags");
                }

                return $"--{key.Replace('_', '-')} not carried (store settings are mlflow.* values here, never flags)";
            default:
                Values.Set(m.Target, $"server.value_options.{key}", value);
                return Done($"server.value_options.{key}", how ?? "rendered as the same flag");
        }
    }

    private static void Server(Migration m)
    {
        if (m.Get("extraArgs") is Dictionary<string, object?> args)
        {
            foreach (var (name, value) in args)
            {
                Option(m, $"extraArgs.{name}", Migration.Snake(name), value, "camelCase key written snake_case (rendered as the same dashed flag)");
            }
        }

        // Users also write command lines here: [--workers, "3", --static-prefix, /tracking, --dev].
        foreach (var from in new[] { "extraArgs", "extraFlags" })
        {
            if (m.Get(from) is not List<object?> words)
            {
                continue;
            }

            var notes = new List<string>();
            foreach (var (name, value) in Common.CommandLine(words))
            {
                var key = Migration.Snake(name);
                if (value is null)
                {
                    if (key != "serve_artifacts")
                    {
                        Values.Append(m.Target, "server.flag_options", key);
                    }

                    notes.Add(key == "serve_artifacts" ? "serveArtifacts dropped (proxying is MLflow's default)" : $"{name} became flag {key} of server.flag_options");
                }
                else
                {
                    notes.Add(Option(m, null, key, value, null));
                }
            }

            m.Used(from, "server", $"read as a command line: {string.Join("; ", notes)}");
        }

        Common.EnvMap(m, "extraEnvVars");
        if (m.Get("extraSecretNamesForEnvFrom") is List<object?> names)
        {
            foreach (var name in names.OfType<string>())
            {
                Values.Append(m.Target, "envFrom", Values.Map(("secretRef", Values.Map(("name", name)))));
            }

            m.Used("extraSecretNamesForEnvFrom", "envFrom", "each name became a secretRef entry");
        }
    }

    private static void Exposure(Migration m)
    {
        m.Drop("service.enabled", "not carried: the chart always creates the Service");
        m.Carry("service.type", "service.type");
        m.Carry("service.port", "service.port");
        m.Carry("service.annotations", "service.annotations");
        m.Drop("service.name", "not carried: the Service port is named http (https under TLS)");
        m.Carry("ingress.enabled", "ingress.enabled");
        m.Carry("ingress.className", "ingress.className");
        m.Carry("ingress.annotations", "ingress.annotations");
        if (m.Get("ingress.hosts") is not null)
        {
            m.Carry("ingress.hosts", "ingress.hosts");
            m.Used("ingress.hosts", "ingress.hosts", Common.IngressHosts);
        }

        m.Carry("ingress.tls", "ingress.tls");
        if (m.Bool("serviceMonitor.enabled") == true)
        {
            Values.Set(m.Target, "metrics.enabled", true);
            m.Carry("serviceMonitor.enabled", "serviceMonitor.enabled");
            m.Carry("serviceMonitor.namespace", "serviceMonitor.namespace");
            m.Carry("serviceMonitor.interval", "serviceMonitor.interval");
            m.Carry("serviceMonitor.timeout", "serviceMonitor.scrapeTimeout");
            m.Carry("serviceMonitor.labels", "serviceMonitor.labels");
            m.Carry("serviceMonitor.telemetryPath", "metrics.path");
            m.Drop("serviceMonitor.useServicePort", "not carried: the ServiceMonitor always scrapes the Service's port");
            m.Drop("serviceMonitor.targetLabels", "not carried: no equivalent; add the labels with a relabeling in your Prometheus");
            m.Drop("serviceMonitor.metricRelabelings", "not carried: no equivalent; relabel in your Prometheus");
        }

        m.Drop("serviceMonitor", "not carried: serviceMonitor.enabled is not true");
    }

    private static string Join(string root, string? path) =>
        string.IsNullOrEmpty(path) ? root : $"{root.TrimEnd('/')}/{path.Trim('/')}";
}
