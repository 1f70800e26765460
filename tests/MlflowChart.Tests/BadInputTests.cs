namespace MlflowChart.Tests;

/// <summary>
/// Every bad input the chart can meet, as a table: each row is a values fragment and the words
/// its error must contain (the value it names and, for combinations, the fix). Each row runs
/// under Helm 3 and Helm 4 and must fail the render.
/// </summary>
public sealed class BadInputTests
{
    private const string Postgres = "backendStoreUriFrom: {secretKeyRef: {name: db, key: uri}}";

    /// <summary>(row name, values, words the error must contain).</summary>
    public static readonly (string Name, string Values, string[] Words)[] Rows =
    [
        // Shapes: the schema refuses misspelt keys at every level and wrong types.
        ("misspelt top-level key", "replicas: 2", ["replicas"]),
        ("misspelt storage key", "storage: {enabeld: true}", ["enabeld"]),
        ("misspelt mlflow key", "mlflow: {backendStoreURI: sqlite:////mlflow/x.db}", ["backendStoreURI"]),
        ("misspelt server key", "server: {valueOptions: {workers: 2}}", ["valueOptions"]),
        ("misspelt probe key", "probes: {liveness: {timeout: 5}}", ["timeout"]),
        ("misspelt image key", "image: {repo: ghcr.io/mlflow/mlflow}", ["repo"]),
        ("misspelt service key", "service: {ports: 5000}", ["ports"]),
        ("misspelt serviceAccount key", "serviceAccount: {automount: true}", ["automount"]),
        ("secretKeyRef without key", "mlflow: {backendStoreUriFrom: {secretKeyRef: {name: db}}}", ["key"]),
        ("backend URI from a ConfigMap", "mlflow: {backendStoreUriFrom: {configMapKeyRef: {name: db, key: uri}}}", ["configMapKeyRef"]),
        ("negative replicas", "replicaCount: -1", ["replicaCount"]),
        ("replicas as words", "replicaCount: two", ["replicaCount"]),
        ("zero workers", "server: {workers: 0}", ["workers"]),
        ("zero workers in value_options", "server: {value_options: {workers: 0}}", ["server.value_options.workers", "1 or more"]),
        ("unknown pull policy", "image: {pullPolicy: Sometimes}", ["pullPolicy", "IfNotPresent"]),
        ("malformed digest", "image: {digest: \"sha1:abc\"}", ["digest"]),
        ("image tag longer than a registry allows", $"image: {{tag: v{new string('1', 128)}}}", ["tag", "128"]),
        ("unknown service type", "service: {type: Ingress}", ["type", "ClusterIP"]),
        ("service port out of range", "service: {port: 70000}", ["port"]),
        ("unknown access mode", "storage: {accessMode: ReadOnlyMany}", ["accessMode", "ReadWriteMany"]),
        ("size that is no quantity", "storage: {size: lots}", ["size"]),
        ("relative mount path", "storage: {mountPath: data}", ["mountPath"]),
        ("static prefix without a slash", "server: {staticPrefix: mlflow}", ["staticPrefix"]),
        ("invalid fullname override", "fullnameOverride: My_Tracking", ["fullnameOverride"]),
        ("dashed value_options key", "server: {value_options: {allowed-hosts: x}}", ["allowed-hosts"]),
        ("zero probe period", "probes: {startup: {periodSeconds: 0}}", ["periodSeconds"]),

        // Combinations: _validate.tpl names the value and the fix.
        ("no store and storage off", "storage: {enabled: false}", ["mlflow.backendStoreUri", "storage.enabled"]),
        ("floating image tag", "image: {tag: latest}", ["image.tag=latest", "pin a release"]),
        ("password in the backend URI", "mlflow: {backendStoreUri: \"postgresql://mlflow:s3cret@db:5432/mlflow\"}", ["mlflow.backendStoreUri", "mlflow.backendStoreUriFrom.secretKeyRef"]),
        ("password in the registry URI", "mlflow: {registryStoreUri: \"mysql+pymysql://u:pw@db:3306/reg\"}", ["mlflow.registryStoreUri", "mlflow.registryStoreUriFrom.secretKeyRef"]),
        ("relative SQLite path", "mlflow: {backendStoreUri: \"sqlite:///mlflow.db\"}", ["mlflow.backendStoreUri", "four slashes", "sqlite:////mlflow/mlflow.db"]),
        ("backend that is no URI", "mlflow: {backendStoreUri: mlflow.db}", ["mlflow.backendStoreUri", "postgresql://"]),
        ("backend over HTTP", "mlflow: {backendStoreUri: \"http://db:5432/mlflow\"}", ["mlflow.backendStoreUri", "postgresql://"]),
        ("env repeats a variable the chart sets", "env: [{name: MLFLOW_SERVER_ENABLE_JOB_EXECUTION, value: \"true\"}]", ["env sets MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "server.jobExecution", "duplicate entries"]),
        ("env sets the backend store", "env: [{name: MLFLOW_BACKEND_STORE_URI, value: \"sqlite:////mlflow/other.db\"}]", ["env sets MLFLOW_BACKEND_STORE_URI", "mlflow.backendStoreUriFrom"]),
        ("env repeats the Flask key of auth.secretKey", "auth: {enabled: true, secretKey: {existingSecret: k}}\nenv: [{name: MLFLOW_FLASK_SERVER_SECRET_KEY, valueFrom: {secretKeyRef: {name: k, key: secret-key}}}]", ["MLFLOW_FLASK_SERVER_SECRET_KEY", "auth.secretKey.existingSecret"]),
        ("postgres:// alias", "mlflow: {backendStoreUri: \"postgres://db:5432/mlflow\"}", ["mlflow.backendStoreUri", "postgres://", "use postgresql://"]),
        ("postgres:// alias for the users database", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"postgres://db:5432/auth\"}", ["auth.databaseUri", "use postgresql://"]),
        ("registry without a database name", "mlflow: {registryStoreUri: \"postgresql://db:5432\"}", ["mlflow.registryStoreUri"]),
        ("relative artifacts destination", "mlflow: {artifactsDestination: artifacts}", ["mlflow.artifactsDestination", "s3://bucket/path"]),
        ("store path off the volume", "mlflow: {backendStoreUri: \"sqlite:////data/mlflow.db\"}", ["/data/mlflow.db", "storage.mountPath", "extraVolumeMounts"]),
        ("artifacts path off the volume", $"mlflow: {{{Postgres}, artifactsDestination: /srv/artifacts}}", ["mlflow.artifactsDestination", "/srv/artifacts"]),
        ("nowhere for artifacts", $"mlflow: {{{Postgres}}}\nstorage: {{enabled: false}}", ["mlflow.artifactsDestination", "s3://"]),
        ("no proxy and no artifact root", $"mlflow: {{{Postgres}, artifactsDestination: s3://b/p}}\nserver: {{flag_options: [no_serve_artifacts]}}", ["mlflow.defaultArtifactRoot"]),
        ("replicas on SQLite", "replicaCount: 2", ["replicaCount=2", "SQLite", "replicaCount=1"]),
        ("replicas on a file store", "replicaCount: 2\nmlflow: {backendStoreUri: /mlflow/store}", ["replicaCount=2", "file", "PostgreSQL"]),
        ("replicas on a ReadWriteOnce volume", $"replicaCount: 2\nmlflow: {{{Postgres}}}\nstorage: {{enabled: true}}", ["storage.accessMode=ReadWriteOnce", "ReadWriteMany"]),
        ("rolling update on SQLite", "deploymentStrategy: {type: RollingUpdate}", ["deploymentStrategy", "Recreate"]),
        ("store URI in value_options", "server: {value_options: {backend_store_uri: \"postgresql://db/x\"}}", ["server.value_options.backend_store_uri", "mlflow.backendStoreUri"]),
        ("artifacts in value_options", "server: {value_options: {artifacts_destination: \"s3://b\"}}", ["server.value_options.artifacts_destination", "mlflow.artifactsDestination"]),
        ("static prefix in value_options", "server: {value_options: {static_prefix: /x}}", ["server.value_options.static_prefix", "server.staticPrefix"]),
        ("loopback listen address", "server: {value_options: {host: 127.0.0.1}}", ["server.value_options.host", "0.0.0.0"]),
        ("another port", "server: {value_options: {port: 8080}}", ["server.value_options.port=8080", "service.port"]),
        ("port zero", "server: {value_options: {port: 0}}", ["server.value_options.port=0"]),
        ("two server types", "server: {value_options: {uvicorn_opts: \"--limit-concurrency 10\", gunicorn_opts: \"--timeout 60\"}}", ["uvicorn_opts", "gunicorn_opts", "at most one"]),
        ("memory limit below idle use", "resources: {limits: {memory: 512Mi}}", ["resources.limits.memory=512Mi", "1910 MiB", "3072Mi", "server.workers"]),
        ("decimal memory limit below idle use", "resources: {limits: {memory: 2G}}", ["resources.limits.memory=2G", "server.jobExecution=false"]),
        ("job execution on several replicas", $"replicaCount: 2\nmlflow: {{{Postgres}, artifactsDestination: s3://b/p}}\nserver: {{jobExecution: true}}", ["server.jobExecution=true", "replicaCount=2", "run jobs twice"]),
        ("job execution as text", "server: {jobExecution: \"on\"}", ["jobExecution"]),
        ("startup budget under a minute", "probes: {startup: {failureThreshold: 3}}", ["probes.startup", "20 s", "60 s"]),
        ("liveness judging a slow start", "probes: {startup: {enabled: false}, liveness: {periodSeconds: 5, failureThreshold: 3}}", ["probes.liveness", "15 s", "probes.startup.enabled"]),
        ("TLS without a secret", "tls: {enabled: true}", ["tls.secretName", "kubectl create secret tls"]),
        ("TLS with waitress", "tls: {enabled: true, secretName: t}\nserver: {value_options: {waitress_opts: \"--threads 4\"}}", ["waitress_opts", "tls.enabled=true"]),
        ("TLS with the dev server", "tls: {enabled: true, secretName: t}\nserver: {flag_options: [dev]}", ["dev", "tls.enabled=true"]),
        ("misspelt tls key", "tls: {enabled: true, secret: t}", ["secret"]),
        ("basic auth from the docs without a secret key", "server: {value_options: {app_name: basic-auth}}", ["secret key", "auth.secretKey.existingSecret", "openssl rand -hex 32"]),
        ("auth enabled without a secret key", "auth: {enabled: true}", ["secret key", "MLFLOW_FLASK_SERVER_SECRET_KEY"]),
        ("auth without a users database", "auth: {enabled: true, secretKey: {existingSecret: k}}\nmlflow: {backendStoreUri: \"sqlite:////data/mlflow.db\", artifactsDestination: s3://b/p}\nstorage: {enabled: false}\nextraVolumes: [{name: data, emptyDir: {}}]\nextraVolumeMounts: [{name: data, mountPath: /data}]", ["users database", "auth.databaseUriFrom.secretKeyRef", "storage.enabled=true"]),
        ("password in the auth database URI", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"postgresql://auth:pw@db:5432/auth\"}", ["auth.databaseUri", "auth.databaseUriFrom.secretKeyRef"]),
        ("relative auth SQLite path", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"sqlite:///basic_auth.db\"}", ["auth.databaseUri", "four slashes"]),
        ("auth database path off the volume", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"sqlite:////auth/users.db\"}", ["auth.databaseUri", "/auth/users.db"]),
        ("two apps at once", "auth: {enabled: true, secretKey: {existingSecret: k}}\nserver: {value_options: {app_name: my-plugin}}", ["auth.enabled=true", "app_name=my-plugin"]),
        ("unknown default permission", "auth: {defaultPermission: WRITE}", ["defaultPermission", "READ"]),
        ("misspelt auth key", "auth: {enable: true}", ["enable"]),
        ("workspaces on a file store", "mlflow: {backendStoreUri: /mlflow/store, defaultArtifactRoot: s3://b/p}\nserver: {flag_options: [enable_workspaces]}", ["workspaces", "file store", "PostgreSQL"]),
        ("workspaces without an artifact root", "server: {flag_options: [enable_workspaces]}", ["workspaces", "mlflow.defaultArtifactRoot"]),
        ("MLFLOW_WORKSPACE in the server env", "env: [{name: MLFLOW_WORKSPACE, value: team-a}]", ["MLFLOW_WORKSPACE", "refuses to start"]),
        ("ingress without hosts", "ingress: {enabled: true}", ["ingress.hosts", "mlflow.example.com"]),
        ("ingress with an empty host", "ingress: {enabled: true, hosts: [{host: \"\"}]}", ["ingress.hosts[0].host", "DNS name"]),
        ("ingress host with a scheme", "ingress: {enabled: true, hosts: [{host: \"https://mlflow.example.com\"}]}", ["ingress.hosts[0].host", "without scheme"]),
        ("ingress path type unknown", "ingress: {enabled: true, hosts: [{host: a.example.com, paths: [{path: /, pathType: Regex}]}]}", ["pathType", "Prefix"]),
        ("misspelt ingress key", "ingress: {enabled: true, class: nginx}", ["class"]),
        ("route without a gateway", "httpRoute: {enabled: true, hostnames: [ml.example.com]}", ["httpRoute.parentRefs"]),
        ("route hostname with a port", "httpRoute: {enabled: true, parentRefs: [{name: gw}], hostnames: [\"ml.example.com:443\"]}", ["httpRoute.hostnames[0]", "without scheme, port or path"]),
        ("allowed host given as a URL", "server: {value_options: {allowed_hosts: \"https://mlflow.example.com/\"}}", ["allowed_hosts", "https://mlflow.example.com/", "bare names"]),
        ("migrations on a ReadWriteOncePod SQLite claim", "storage: {accessMode: ReadWriteOncePod, existingClaim: mlflow-db}", ["migrations.enabled=true", "ReadWriteOncePod", "ReadWriteOnce"]),
        ("own auth INI without basic auth", "env: [{name: MLFLOW_AUTH_CONFIG_PATH, value: /etc/mlflow-auth/basic_auth.ini}]", ["MLFLOW_AUTH_CONFIG_PATH", "basic auth is off", "auth.enabled=true"]),
        ("own auth INI that no volume provides", "auth: {enabled: true, secretKey: {existingSecret: k}}\nenv: [{name: MLFLOW_AUTH_CONFIG_PATH, value: /etc/mlflow-auth/basic_auth.ini}]", ["MLFLOW_AUTH_CONFIG_PATH", "/etc/mlflow-auth/basic_auth.ini", "extraVolumeMounts"]),
        ("own auth INI beside the chart's users database", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"sqlite:////mlflow/users.db\"}\nenv: [{name: MLFLOW_AUTH_CONFIG_PATH, value: /etc/a/basic_auth.ini}]\nextraVolumes: [{name: a, secret: {secretName: a}}]\nextraVolumeMounts: [{name: a, mountPath: /etc/a}]", ["MLFLOW_AUTH_CONFIG_PATH", "auth.databaseUri", "database_uri in your INI"]),
        ("single sign-on beside basic auth", "auth: {enabled: true, secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}}}", ["auth.enabled=true", "auth.oidc.enabled=true", "keep one"]),
        ("single sign-on with another app_name", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}}}\nserver: {value_options: {app_name: basic-auth}}", ["auth.oidc.enabled=true", "app_name=basic-auth"]),
        ("single sign-on without a discovery URL", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, clientId: mlflow, clientSecret: {existingSecret: oidc}}}", ["auth.oidc.discoveryUrl"]),
        ("single sign-on without a client ID", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientSecret: {existingSecret: oidc}}}", ["auth.oidc.clientId"]),
        ("single sign-on without a client secret", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow}}", ["auth.oidc.clientSecret.existingSecret", "kubectl create secret"]),
        ("single sign-on without a session key", "auth: {oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}}}", ["session key", "auth.secretKey.existingSecret"]),
        ("single sign-on with no group allowed", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, groups: []}}", ["auth.oidc.groups", "nobody"]),
        ("single sign-on users on SQLite with two replicas", $"auth: {{secretKey: {{existingSecret: k}}, oidc: {{enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {{existingSecret: oidc}}, databaseUri: \"sqlite:////mlflow/oidc.db\"}}}}\nreplicaCount: 2\nmlflow: {{{Postgres}, artifactsDestination: s3://b/p}}\nstorage: {{enabled: true, accessMode: ReadWriteMany}}", ["several replicas", "auth.oidc.databaseUriFrom.secretKeyRef"]),
        ("single sign-on users database with a password", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, databaseUri: \"postgresql://u:pw@db:5432/users\"}}", ["auth.oidc.databaseUri", "auth.oidc.databaseUriFrom.secretKeyRef"]),
        ("single sign-on users database that is no URI", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, databaseUri: users.db}}", ["auth.oidc.databaseUri", "postgresql://host:5432/db"]),
        ("single sign-on users database nowhere", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}}}\nmlflow: {backendStoreUri: \"sqlite:////mlflow/mlflow.db\", artifactsDestination: s3://b/p}\nstorage: {enabled: false}\nextraVolumes: [{name: d, emptyDir: {}}]\nextraVolumeMounts: [{name: d, mountPath: /mlflow}]", ["single sign-on", "auth.oidc.databaseUriFrom.secretKeyRef", "storage.enabled=true"]),
        ("GC under single sign-on without a service account", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}}}\ngarbageCollection: {enabled: true}", ["garbageCollection", "auth.oidc.serviceAccount.existingSecret"]),
        ("single sign-on client Secret that is no name", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: My_Secret}}}", ["auth.oidc.clientSecret.existingSecret", "My_Secret"]),
        ("redirect URI without the callback path", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, redirectUri: \"https://mlflow.example.com/\", clientSecret: {existingSecret: oidc}}}", ["redirectUri"]),
        ("group name with a comma", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, groups: [\"ml,ops\"]}}", ["auth.oidc.groups[0]", "ml,ops", "comma"]),
        ("trusted proxy that is no address", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, trustedProxies: [ingress-nginx]}}", ["auth.oidc.trustedProxies[0]", "ingress-nginx", "CIDR"]),
        ("scope with a space", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: \"https://idp.example.com/.well-known/openid-configuration\", clientId: mlflow, clientSecret: {existingSecret: oidc}, scopes: [\"openid email\"]}}", ["auth.oidc.scopes[0]", "openid email"]),
        ("discovery URL without a scheme", "auth: {secretKey: {existingSecret: k}, oidc: {enabled: true, discoveryUrl: idp.example.com, clientId: mlflow, clientSecret: {existingSecret: oidc}}}", ["discoveryUrl"]),
        ("ServiceMonitor without metrics", "serviceMonitor: {enabled: true}", ["serviceMonitor.enabled=true", "metrics.enabled=true"]),
        ("alerts without metrics", "prometheusRule: {enabled: true}", ["prometheusRule.enabled=true", "metrics.enabled=true"]),
        ("dashboard without metrics", "grafanaDashboard: {enabled: true}", ["grafanaDashboard.enabled=true", "metrics.enabled=true"]),
        ("exporter directory in value_options", "server: {value_options: {expose_prometheus: /tmp/m}}", ["expose_prometheus", "metrics.enabled=true"]),
        ("scraping under auth without a user", "metrics: {enabled: true}\nserviceMonitor: {enabled: true}\nauth: {enabled: true, secretKey: {existingSecret: k}}", ["serviceMonitor.basicAuthSecret", "401"]),
        ("scraping pods without private networks", "metrics: {enabled: true}\nserviceMonitor: {enabled: true}\nserver: {allowedHosts: {privateNetworks: false}}", ["server.allowedHosts.privateNetworks", "403"]),
        ("scrape interval without a unit", "serviceMonitor: {interval: \"30\"}", ["interval"]),
        ("GC across workspaces without workspaces", "garbageCollection: {enabled: true, allWorkspaces: true}", ["garbageCollection.allWorkspaces", "enable_workspaces"]),
        ("GC refused by the host check", "garbageCollection: {enabled: true}\nserver: {allowedHosts: {derive: false}}", ["garbageCollection", "mlflow-mlflow.mlflow.svc.cluster.local:5000", "403"]),
        ("GC under auth without a user", "garbageCollection: {enabled: true}\nauth: {enabled: true, secretKey: {existingSecret: k}}", ["garbageCollection", "auth.admin.existingSecret"]),
        ("GC schedule in words", "garbageCollection: {schedule: every sunday}", ["schedule"]),
        ("GC age without a unit", "garbageCollection: {olderThan: \"30\"}", ["olderThan"]),
        ("misspelt GC key", "garbageCollection: {olderthan: 30d}", ["olderthan"]),
        ("network policy open to every namespace", "networkPolicy: {enabled: true, ingressFrom: [{namespaceSelector: {}}]}", ["networkPolicy.ingressFrom[0]", "every namespace"]),
        ("misspelt network policy key", "networkPolicy: {enabled: true, additionalEgress: []}", ["additionalEgress"]),
        ("autoscaling on SQLite", "autoscaling: {enabled: true}", ["autoscaling.enabled=true", "SQLite"]),
        ("autoscaling on a ReadWriteOnce volume", $"autoscaling: {{enabled: true}}\nmlflow: {{{Postgres}}}\nstorage: {{enabled: true}}", ["autoscaling.enabled=true", "storage.accessMode=ReadWriteOnce"]),
        ("autoscaling bounds reversed", $"autoscaling: {{enabled: true, minReplicas: 5, maxReplicas: 2}}\nmlflow: {{{Postgres}, artifactsDestination: s3://b/p}}", ["autoscaling.minReplicas=5", "maxReplicas=2"]),
        ("autoscaling without a target", $"autoscaling: {{enabled: true, targetCPUUtilizationPercentage: null}}\nmlflow: {{{Postgres}, artifactsDestination: s3://b/p}}", ["autoscaling", "targetCPUUtilizationPercentage"]),
        ("job execution with autoscaling", $"autoscaling: {{enabled: true}}\nmlflow: {{{Postgres}, artifactsDestination: s3://b/p}}\nserver: {{jobExecution: true}}", ["server.jobExecution=true", "autoscaling.enabled=true"]),
        ("external secret without a store", "externalSecrets: {enabled: true, secretName: x, data: [{secretKey: a, remoteRef: {key: b}}]}", ["externalSecrets.provider.name"]),
        ("external secret store of an unknown kind", "externalSecrets: {provider: {name: v, kind: Vault}}", ["kind", "ClusterSecretStore"]),
        ("URI password variable never defined", "mlflow: {backendStoreUri: \"postgresql://u:$(DB_PW)@db:5432/m\", artifactsDestination: s3://b/p}", ["$(DB_PW)", "mlflow.uriVariables"]),
        ("URI variable with a plain value", "mlflow: {uriVariables: [{name: DB_PW, value: hunter2}]}", ["uriVariables"]),
        ("dev with an app", "server: {value_options: {dev: true, app_name: basic-auth}}\nauth: {secretKey: {existingSecret: k}}", ["dev", "app_name"]),

        // Values written in ways the docs never show: each once broke out of its place, changed
        // silently or rendered what the API server refuses. A refusal names the value.
        ("a key injected through the priority class", "priorityClassName: \"high\\n  hostNetwork: true\"", ["priorityClassName"]),
        ("a default backend injected through the ingress class", "ingress: {enabled: true, className: \"nginx\\n  defaultBackend: {service: {name: other, port: {number: 80}}}\", hosts: [{host: a.example.com}]}", ["className"]),
        ("an ingress class that YAML reads as an alias", "ingress: {enabled: true, className: \"*nginx\", hosts: [{host: a.example.com}]}", ["className"]),
        ("an ingress path with a comment", "ingress: {enabled: true, hosts: [{host: a.example.com, paths: [{path: \"/mlflow #legacy\"}]}]}", ["path"]),
        ("an ingress path with a colon and space", "ingress: {enabled: true, hosts: [{host: a.example.com, paths: [{path: \"/api: v2\"}]}]}", ["path"]),
        ("a key injected through the disruption budget", "podDisruptionBudget: {enabled: true, maxUnavailable: \"1\\n  minAvailable: 0\"}", ["maxUnavailable"]),
        ("a key injected through the metrics path", "metrics: {enabled: true, path: \"/metrics\\n  port: other\"}", ["path"]),
        ("a TLS secret name of one space", "tls: {enabled: true, secretName: \" \"}", ["secretName"]),
        ("a key injected through the external secret's name", "externalSecrets: {enabled: true, provider: {name: vault}, secretName: \"db\\n    deletionPolicy: Delete\", data: [{secretKey: a, remoteRef: {key: b}}]}", ["secretName"]),
        ("a key injected through the dashboard namespace", "metrics: {enabled: true}\ngrafanaDashboard: {enabled: true, namespace: \"monitoring\\n  annotations: {}\"}", ["namespace"]),
        ("an optional flag smuggled into the admin secret name", "auth: {admin: {existingSecret: \"mlflow-admin, optional\"}}", ["existingSecret"]),
        ("a claim named like a YAML anchor", "storage: {existingClaim: \"&claim\"}", ["existingClaim"]),
        ("a service account named like a YAML tag", "serviceAccount: {name: \"!!null\"}", ["serviceAccount"]),
        ("a label value over 63 characters", $"podLabels: {{team: {new string('a', 64)}}}", ["podLabels"]),
        ("a label value with spaces", "podLabels: {team: \"ml platform\"}", ["podLabels"]),
        ("an annotation key with a space", "podAnnotations: {\"my key\": x}", ["podAnnotations"]),
        ("an ingress TLS host with a port", "ingress: {enabled: true, hosts: [{host: a.example.com}], tls: [{secretName: t, hosts: [\"a.example.com:443\"]}]}", ["hosts"]),
        ("an ingress TLS host in capitals", "ingress: {enabled: true, hosts: [{host: a.example.com}], tls: [{secretName: t, hosts: [A.Example.com]}]}", ["hosts"]),
        ("an ingress host over 253 characters", $"ingress: {{enabled: true, hosts: [{{host: {string.Join('.', Enumerable.Repeat(new string('a', 60), 5))}}}]}}", ["ingress.hosts[0].host", "253"]),
        ("a negative memory limit", "resources: {limits: {memory: -2Gi}}", ["memory"]),
        ("a negative CPU request", "resources: {requests: {cpu: -250m}}", ["cpu"]),
        ("a volume of zero bytes", "storage: {size: 0Gi}", ["size"]),
        ("an env value given as a number", "env: [{name: WORKERS, value: 4}]", ["env"]),
        ("a password in a store URI's query string", "mlflow: {backendStoreUri: \"postgresql://mlflow@db/mlflow?sslmode=require&password=hunter2\", artifactsDestination: s3://b/p}", ["mlflow.backendStoreUri", "query parameter", "mlflow.backendStoreUriFrom.secretKeyRef"]),
        ("an sslpassword in the users database URI", "auth: {enabled: true, secretKey: {existingSecret: k}, databaseUri: \"postgresql://auth@db/auth?sslpassword=pw\"}", ["auth.databaseUri", "query parameter"]),
        ("a password in an ftp artifacts URI", "mlflow: {artifactsDestination: \"ftp://user:pw@ftp.example.com/mlflow\"}", ["mlflow.artifactsDestination", "user part", "mlflow.uriVariables", "$(NAME)"]),
        ("a password in an sftp artifact root", "mlflow: {defaultArtifactRoot: \"sftp://user:pw@sftp.example.com/mlflow\"}", ["mlflow.defaultArtifactRoot", "user part"]),
        ("a password in a server option", "server: {value_options: {some_uri: \"https://u:pw@x.example.com/\"}}", ["server.value_options.some_uri", "user part"]),
        ("a token in a server option's query string", "server: {value_options: {some_uri: \"https://x.example.com/?access_token=abc\"}}", ["server.value_options.some_uri", "query parameter"]),
        ("a password in an env URI", "env: [{name: MLFLOW_S3_ENDPOINT_URL, value: \"https://u:pw@s3.example.com\"}]", ["env[0] (MLFLOW_S3_ENDPOINT_URL)", "user part"]),
        ("a secret key as plain env", "env: [{name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI}]", ["env[0] sets AWS_SECRET_ACCESS_KEY", "secretKeyRef"]),
        ("a token as plain env", "env: [{name: MLFLOW_TRACKING_TOKEN, value: abc}]", ["MLFLOW_TRACKING_TOKEN", "secretKeyRef"]),
        ("a password as plain env", "env: [{name: PGPASSWORD, value: abc}]", ["PGPASSWORD", "secretKeyRef"]),
        ("an artifacts URI naming an undefined variable", "mlflow: {artifactsDestination: \"sftp://user:$(SFTP_PW)@sftp.example.com/mlflow\"}", ["mlflow.artifactsDestination", "$(SFTP_PW)", "mlflow.uriVariables"]),
        ("a next-line character in an annotation", "podAnnotations: {note: \"a\\u0085b\"}", ["podAnnotations.note", "U+0085"]),
        ("an extra object that is not YAML", "extraObjects: [\"kind: ConfigMap\\n metadata: {name: x}: y\"]", ["extraObjects[0]", "YAML"]),
        ("a mount of a volume the pod lacks", "extraVolumeMounts: [{name: certs, mountPath: /etc/certs}]", ["extraVolumeMounts[0]", "certs", "extraVolumes"]),
        ("a GC mount of a volume the GC pod lacks", "garbageCollection: {enabled: true, extraVolumeMounts: [{name: scratch, mountPath: /scratch}]}", ["garbageCollection.extraVolumeMounts[0]", "scratch"]),
        ("a cron schedule with a key in it", "garbageCollection: {schedule: \"0 2 * * 0\\n  suspend: true\"}", ["schedule"]),
        ("a fullname override that starts with a digit", "fullnameOverride: 1tracking", ["fullnameOverride=\"1tracking\"", "DNS-1035"]),
        ("an image repository with a newline", "image: {repository: \"ghcr.io/mlflow/mlflow\\n  command: [sh]\"}", ["repository"]),
        ("a route without a host", "route: {enabled: true}", ["route.host", "403"]),
        ("a route host with a scheme", "route: {enabled: true, host: \"https://m.apps.example.com\"}", ["route.host", "DNS name"]),
        ("a route and an ingress of one host", "route: {enabled: true, host: m.example.com}\ningress: {enabled: true, hosts: [{host: m.example.com}]}", ["route.host=m.example.com", "ingress.hosts[0].host", "not both"]),
        ("an edge route to a TLS server", "tls: {enabled: true, secretName: t}\nroute: {enabled: true, host: m.example.com, tls: {termination: edge}}", ["route.tls.termination=edge", "reencrypt"]),
        ("a passthrough route to a plain server", "route: {enabled: true, host: m.example.com, tls: {termination: passthrough}}", ["route.tls.termination=passthrough", "tls.enabled=true"]),
        ("a passthrough route with a path", "tls: {enabled: true, secretName: t}\nroute: {enabled: true, host: m.example.com, path: /mlflow, tls: {termination: passthrough}}", ["passthrough", "route.path"]),
        ("a passthrough route that allows HTTP", "tls: {enabled: true, secretName: t}\nroute: {enabled: true, host: m.example.com, tls: {termination: passthrough, insecureEdgeTerminationPolicy: Allow}}", ["insecureEdgeTerminationPolicy=Allow", "Redirect"]),
        ("a destination CA without reencrypt", "route: {enabled: true, host: m.example.com, tls: {destinationCACertificate: x}}", ["route.tls.destinationCACertificate", "reencrypt"]),
        ("an unknown security context adaptation", "openshift: {adaptSecurityContext: always}", ["adaptSecurityContext"]),
        ("a store URI over two lines", "mlflow: {backendStoreUri: \"postgresql://db:5432/mlflow\\n  x: y\"}", ["backendStoreUri"]),
    ];

    public static TheoryData<string, HelmVersion> Cases
    {
        get
        {
            var data = new TheoryData<string, HelmVersion>();
            foreach (var row in Rows)
            {
                data.Add(row.Name, HelmVersion.Helm3);
                data.Add(row.Name, HelmVersion.Helm4);
            }

            return data;
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_with_a_message_naming_the_value(string row, HelmVersion helm)
    {
        var (_, values, words) = Rows.Single(r => r.Name == row);

        var render = await Helm.TemplateAsync(helm, values);

        render.Succeeded.Should().BeFalse($"'{row}' must not render; it rendered:\n{render.Manifest}");
        foreach (var word in words)
        {
            render.Error.Should().Contain(word, $"the error for '{row}' must name it");
        }
    }

    [Fact]
    public void Every_row_has_a_unique_name()
    {
        Rows.Select(r => r.Name).Should().OnlyHaveUniqueItems();
        Rows.Length.Should().BeGreaterThanOrEqualTo(40);
    }
}
