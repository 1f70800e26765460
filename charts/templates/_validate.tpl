{{/*
Every check on a combination of values lives here. The schema (values.schema.json) refuses
wrong shapes; this refuses what has the right shape but cannot work. Each message names the
value and says how to fix it. Call with (dict "root" $ "settings" $s).
*/}}
{{- define "mlflow.validate" -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $s := .settings -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- /* The features whose checks apply, run together at the end from files/checks/. */ -}}
{{- $checks := list -}}

{{- if eq $v.image.tag "latest" }}
{{- fail (printf "mlflow: image.tag=latest is a moving target: pods restarted on different days would run different MLflow versions against one database schema; pin a release such as v%s-full, or leave image.tag empty for the chart's appVersion" .root.Chart.AppVersion) }}
{{- end }}

{{- /* U+0085 (NEXT LINE): Helm's toYaml writes it as a space, so a value holding it cannot arrive as written. */ -}}
{{- $user := omit $v "__mlflowSettings" -}}
{{- if contains "\u0085" (toJson $user) }}
{{- include "mlflow.checks" (dict "root" .root "names" (list "next-line") "value" $user "path" "") }}
{{- end }}

{{- /* Names: the Service takes the full name, and Kubernetes wants a DNS-1035 label there. */ -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $s.fullname) }}
{{- if $v.fullnameOverride }}
{{- fail (printf "mlflow: fullnameOverride=%q cannot name the Service: Kubernetes wants a DNS-1035 label there (lowercase letters, digits and '-', starting with a letter); choose another, e.g. mlflow" $v.fullnameOverride) }}
{{- else }}
{{- fail (printf "mlflow: the release name %q gives the Service name %q, which Kubernetes refuses: a Service name is a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, no dots); install under another release name, or set fullnameOverride, e.g. fullnameOverride=mlflow" $.root.Release.Name $s.fullname) }}
{{- end }}
{{- end }}

{{- /* Names, keys, hosts and labels Kubernetes refuses. They are checked here rather than by
schema patterns: Helm compiles every pattern of the schema on every render, while a check here
only costs for the values that are set. Most releases set none of them: one lazy `or` skips the
whole section then, and its checks (files/checks/names.tpl) are not even parsed. */ -}}
{{- if or $v.tls.enabled $v.ingress.className $v.auth.secretKey.existingSecret $v.auth.admin.existingSecret $v.serviceMonitor.basicAuthSecret
      $v.externalSecrets.provider $v.externalSecrets.secretName $v.storage.existingClaim $v.storage.storageClassName $v.priorityClassName
      $v.serviceAccount.name $v.serviceMonitor.namespace $v.grafanaDashboard.namespace $v.imagePullSecrets $v.ingress.tls $v.httpRoute.parentRefs
      $m.backendStoreUriFrom $m.registryStoreUriFrom $v.auth.databaseUriFrom $m.uriVariables $v.podLabels $v.nodeSelector $v.podAnnotations
      $v.auth.oidc.clientSecret.existingSecret $v.auth.oidc.serviceAccount.existingSecret $v.auth.oidc.databaseUriFrom $v.auth.oidc.redisUrlFrom
      $v.service.annotations $v.serviceAccount.annotations $v.ingress.annotations $v.httpRoute.labels $v.httpRoute.annotations
      $v.route.labels $v.route.annotations $v.serviceMonitor.labels $v.prometheusRule.labels (and $v.grafanaDashboard.enabled (or $v.grafanaDashboard.labels $v.grafanaDashboard.annotations)) }}
{{- $checks = append $checks "names" }}
{{- end }}

{{- /* Credentials in plain text, wherever a value reaches a pod. Store URIs have their own rules below. */ -}}
{{- $places := list (list "mlflow.artifactsDestination" $m.artifactsDestination) (list "mlflow.defaultArtifactRoot" $m.defaultArtifactRoot) -}}
{{- range $key, $val := $vo }}
{{- range $i, $item := (kindIs "slice" $val | ternary $val (list $val)) }}
{{- $places = append $places (list (printf "server.value_options.%s" $key) $item) }}
{{- end }}
{{- end }}
{{- range $i, $e := $v.env }}{{ if hasKey $e "value" }}{{ $places = append $places (list (printf "env[%d] (%s)" $i $e.name) $e.value) }}{{ end }}{{ end }}
{{- range $places }}
{{- $what := include "mlflow.credentialIn" (index . 1) }}
{{- if $what }}
{{- fail (printf "mlflow: %s carries %s in plain text, where anyone who can read the pod spec sees it; keep the secret in a Secret, define it as a variable in mlflow.uriVariables ({name: NAME, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}}) and write $(NAME) in its place" (index . 0) $what) }}
{{- end }}
{{- end }}
{{- if $v.env }}{{ $checks = append $checks "env" }}{{ end }}
{{- /* A $(NAME) in a URI is filled in by the kubelet from mlflow.uriVariables, which must define it. */ -}}
{{- $defined := list -}}
{{- range $m.uriVariables }}{{ $defined = append $defined .name }}{{ end -}}
{{- range $key, $uri := dict "mlflow.backendStoreUri" $m.backendStoreUri "mlflow.registryStoreUri" $m.registryStoreUri "auth.databaseUri" $v.auth.databaseUri "auth.oidc.databaseUri" $v.auth.oidc.databaseUri "mlflow.artifactsDestination" $m.artifactsDestination "mlflow.defaultArtifactRoot" $m.defaultArtifactRoot }}
{{- range (contains "$(" (toString $uri) | ternary (regexFindAll "\\$\\([A-Za-z_][A-Za-z0-9_]*\\)" (toString $uri) -1) list) }}
{{- $variable := trimSuffix ")" (trimPrefix "$(" .) }}
{{- if not (has $variable $defined) }}
{{- fail (printf "mlflow: %s names $(%s), but mlflow.uriVariables defines no %s; add {name: %s, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}} to mlflow.uriVariables" $key $variable $variable $variable) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* Stores */ -}}
{{- if and (eq (toString $v.storage.enabled) "false") $s.embedded }}
{{- fail "mlflow: no backend store is configured and storage.enabled=false, so the built-in SQLite database has nowhere to live; set mlflow.backendStoreUri (or mlflow.backendStoreUriFrom for a URI with credentials), or set storage.enabled=true" }}
{{- end }}
{{- range $key, $uri := dict "mlflow.backendStoreUri" $m.backendStoreUri "mlflow.registryStoreUri" $m.registryStoreUri "auth.databaseUri" $v.auth.databaseUri "auth.oidc.databaseUri" $v.auth.oidc.databaseUri }}
{{- if $uri }}
{{- if hasPrefix "postgres://" $uri }}
{{- fail (printf "mlflow: %s starts with postgres://, a scheme SQLAlchemy refuses and MLflow does not take for a database; use postgresql://" $key) }}
{{- end }}
{{- if not (regexMatch "^((sqlite|file):/.*|(postgresql|postgres|mysql|mssql)(\\+[a-z0-9_]+)?://[^/]+/.+|/.+)$" $uri) }}
{{- fail (printf "mlflow: %s=%q is not a store URI MLflow understands; use sqlite:////absolute/path.db, postgresql://host:5432/db, mysql+pymysql://host:3306/db, mssql+pyodbc://host/db, or an absolute path for a file store" $key $uri) }}
{{- end }}
{{- if eq (include "mlflow.credentialIn" $uri) "a password-like query parameter" }}
{{- fail (printf "mlflow: %s carries a password in a query parameter, where it would be visible in the pod spec; store the URI in a Secret and reference it with %sFrom.secretKeyRef, or keep the password in a Secret and write it as $(NAME) with NAME in mlflow.uriVariables" $key $key) }}
{{- end }}
{{- if and (contains "@" $uri) (regexMatch "^[a-z0-9+]+://[^/@:]*:[^/@]*@" $uri) }}
{{- $password := regexReplaceAll "^[a-z0-9+]+://[^/@:]*:([^/@]*)@.*$" $uri "${1}" }}
{{- $variable := regexReplaceAll "^\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)$" $password "${1}" }}
{{- if eq $variable $password }}
{{- fail (printf "mlflow: %s carries a password in plain text, where it would be visible in the pod spec; store the URI in a Secret and reference it with %sFrom.secretKeyRef, or keep the password in a Secret and write it as $(NAME) with NAME in mlflow.uriVariables" $key $key) }}
{{- end }}
{{- end }}
{{- if and (hasPrefix "sqlite:///" $uri) (not (hasPrefix "sqlite:////" $uri)) (ne $uri "sqlite:///") }}
{{- fail (printf "mlflow: %s=%q is a relative SQLite path, which lands on the read-only root filesystem; use four slashes for an absolute path on the volume, e.g. sqlite:///%s/mlflow.db" $key $uri $s.mountPath) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $s.auth (not (hasPrefix "sqlite:" $s.authUri)) (not $s.authFromSecret) (hasPrefix "/" (include "mlflow.localPath" $s.authUri)) }}
{{- fail "mlflow: auth.databaseUri must be a database URI (sqlite:////path/basic_auth.db or a server database), not a plain path" }}
{{- end }}
{{- with $m.artifactsDestination }}
{{- if not (or (hasPrefix "/" .) (regexMatch "^(file:/|[a-z][a-z0-9+.-]*://)" .)) }}
{{- fail (printf "mlflow: mlflow.artifactsDestination=%q is neither an absolute path nor a URI; use a path on the volume such as %s/artifacts, or s3://bucket/path, gs://bucket/path, wasbs://container@account.blob.core.windows.net/path" . $s.mountPath) }}
{{- end }}
{{- end }}
{{- $mounts := list -}}
{{- if $s.storage }}{{ $mounts = append $mounts $s.mountPath }}{{ end -}}
{{- range $v.extraVolumeMounts }}{{ $mounts = append $mounts (trimSuffix "/" .mountPath) }}{{ end -}}
{{- $authPath := "" }}
{{- if and $s.auth (not $s.authFromSecret) }}{{ $authPath = include "mlflow.localPath" $s.authUri }}{{ end }}
{{- $oidcPath := "" }}
{{- if and $s.oidc (eq $s.oidcSource "uri") }}{{ $oidcPath = include "mlflow.localPath" $s.oidcUri }}{{ end }}
{{- range $what := list (list "mlflow.backendStoreUri" $s.backendPath) (list "mlflow.artifactsDestination" $s.artifactsPath) (list "auth.databaseUri" $authPath) (list "auth.oidc.databaseUri" $oidcPath) }}
{{- $path := index $what 1 }}
{{- if hasPrefix "/" $path }}
{{- $covered := false }}
{{- range $mounts }}{{ if or (eq $path .) (hasPrefix (printf "%s/" .) $path) }}{{ $covered = true }}{{ end }}{{ end }}
{{- if not $covered }}
{{- fail (printf "mlflow: %s points at %s, which is not on a mounted volume: the root filesystem is read-only and nothing there survives a restart; set storage.enabled=true with storage.mountPath above that path (now %s), or mount a volume there with extraVolumes and extraVolumeMounts" (index $what 0) $path $s.mountPath) }}
{{- end }}
{{- end }}
{{- end }}
{{- /* Every mount names a volume the pods have: extraVolumeMounts go to every pod, GC's own to the GC pod. */ -}}
{{- $volumes := list "tmp" -}}
{{- if $s.storage }}{{ $volumes = append $volumes "data" }}{{ end -}}
{{- range $v.extraVolumes }}{{ $volumes = append $volumes .name }}{{ end -}}
{{- $gcVolumes := $volumes -}}
{{- range $v.garbageCollection.extraVolumes }}{{ $gcVolumes = append $gcVolumes .name }}{{ end -}}
{{- range $what := list (list "extraVolumeMounts" $v.extraVolumeMounts $volumes "extraVolumes") (list "garbageCollection.extraVolumeMounts" $v.garbageCollection.extraVolumeMounts $gcVolumes "garbageCollection.extraVolumes") }}
{{- range $i, $mount := index $what 1 }}
{{- if not (has $mount.name (index $what 2)) }}
{{- fail (printf "mlflow: %s[%d] mounts the volume %q, which the pod does not have, and Kubernetes would refuse the pod; add a volume of that name to %s (e.g. {name: %s, secret: {secretName: ...}}), or mount one of: %s" (index $what 0) $i $mount.name (index $what 3) $mount.name (join ", " (index $what 2))) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $s.serveArtifacts (empty $s.artifactsDestination) }}
{{- fail "mlflow: the server proxies artifacts but mlflow.artifactsDestination is empty, so uploads would go to ./mlartifacts on the read-only root filesystem and fail; set mlflow.artifactsDestination (e.g. s3://bucket/mlflow), or set storage.enabled=true to keep them on the volume" }}
{{- end }}
{{- if and (not $s.serveArtifacts) (empty $m.defaultArtifactRoot) }}
{{- fail "mlflow: the server does not proxy artifacts (no_serve_artifacts) but mlflow.defaultArtifactRoot is empty, so clients have nowhere to write them; set mlflow.defaultArtifactRoot (e.g. s3://bucket/mlflow)" }}
{{- end }}

{{- /* Replicas and the strategy */ -}}
{{- if gt (int $v.replicaCount) 1 }}
{{- if $s.localStore }}
{{- fail (printf "mlflow: replicaCount=%d with a %s backend store would corrupt it (several pods writing one file); use PostgreSQL or MySQL (mlflow.backendStoreUriFrom) or set replicaCount=1" (int $v.replicaCount) (eq $s.backendKind "sqlite" | ternary "SQLite" "file")) }}
{{- end }}
{{- if $s.readWriteOnce }}
{{- fail (printf "mlflow: replicaCount=%d with storage.accessMode=%s cannot work: the volume attaches to one node only (Multi-Attach error); keep artifacts in an object store and set storage.enabled=false, use storage.accessMode=ReadWriteMany, or set replicaCount=1" (int $v.replicaCount) $v.storage.accessMode) }}
{{- end }}
{{- end }}
{{- if and (eq (default "RollingUpdate" $s.strategy.type) "RollingUpdate") (or $s.localStore $s.readWriteOnce) }}
{{- fail (printf "mlflow: deploymentStrategy type RollingUpdate with %s would run the old and new pod together on the same %s; leave deploymentStrategy empty (the chart picks Recreate) or set deploymentStrategy.type=Recreate" ($s.localStore | ternary "a SQLite or file backend store" (printf "storage.accessMode=%s" $v.storage.accessMode)) ($s.localStore | ternary "database file" "volume")) }}
{{- end }}

{{- /* Sizing and probe budgets (measured: 7-10 s to /health with defaults, up to 29 s on a cold start under load) */ -}}
{{- if and $v.server.jobExecution $v.autoscaling.enabled }}
{{- fail "mlflow: server.jobExecution=true with autoscaling.enabled=true would run jobs twice once the autoscaler adds a pod: each pod queues jobs in its own local file and a starting pod re-runs every unfinished job; set server.jobExecution=false (or leave it null), or turn autoscaling off" }}
{{- end }}
{{- if and $v.server.jobExecution (gt (int $v.replicaCount) 1) }}
{{- fail (printf "mlflow: server.jobExecution=true with replicaCount=%d would run jobs twice: each pod queues jobs in its own local file, and a pod that starts re-runs every unfinished job in the shared database, including those another pod is running; set server.jobExecution=false (or leave it null, which turns it off for several replicas), or set replicaCount=1" (int $v.replicaCount)) }}
{{- end }}
{{- with dig "limits" "memory" "" ($v.resources | default dict) }}
{{- $limit := include "mlflow.mebibytes" . | int64 }}
{{- if and (ge $limit 0) (lt $limit (int64 $s.idleMiB)) }}
{{- fail (printf "mlflow: resources.limits.memory=%v is below the about %d MiB MLflow uses at idle with %d worker(s) and job execution %s, so the container would be OOM-killed as it starts; raise it to %dMi or more, or lower server.workers (about 160 MiB each) or set server.jobExecution=false (about 1070 MiB)" . (int64 $s.idleMiB) (int64 $s.workers) (ternary "on" "off" $s.jobExecution) (int64 $s.limitMiB)) }}
{{- end }}
{{- end }}
{{- $startup := $v.probes.startup }}
{{- $liveness := $v.probes.liveness }}
{{- if $startup.enabled }}
{{- $budget := add $startup.initialDelaySeconds (mul $startup.periodSeconds $startup.failureThreshold) }}
{{- if lt (int $budget) 60 }}
{{- fail (printf "mlflow: probes.startup gives MLflow %d s to start (initialDelaySeconds + periodSeconds x failureThreshold), but a cold start took up to 29 s on a loaded node and restarts would loop; raise probes.startup.failureThreshold so the budget is at least 60 s" (int $budget)) }}
{{- end }}
{{- else if $liveness.enabled }}
{{- $budget := add $liveness.initialDelaySeconds (mul $liveness.periodSeconds $liveness.failureThreshold) }}
{{- if lt (int $budget) 60 }}
{{- fail (printf "mlflow: probes.startup is off, so probes.liveness judges the start too and would restart MLflow after %d s, while a cold start took up to 29 s on a loaded node; turn probes.startup.enabled back on, or raise probes.liveness.initialDelaySeconds so the budget is at least 60 s" (int $budget)) }}
{{- end }}
{{- end }}

{{- /* Features with checks of their own, in files/checks/: each is parsed only when its feature is on. */ -}}
{{- if $v.tls.enabled }}{{ $checks = append $checks "tls" }}{{ end }}
{{- if $s.oidc }}{{ $checks = append $checks "sso" }}{{ end }}
{{- if $s.auth }}{{ $checks = append $checks "basic-auth" }}{{ end }}

{{- /* Workspaces */ -}}
{{- if $s.workspaces }}
{{- if eq $s.backendKind "file" }}
{{- fail "mlflow: workspaces (enable_workspaces) need a SQL backend store, but mlflow.backendStoreUri is a file store; use PostgreSQL, MySQL, MSSQL or SQLite (mlflow.backendStoreUriFrom or sqlite:////mlflow/mlflow.db)" }}
{{- end }}
{{- if not $m.defaultArtifactRoot }}
{{- fail "mlflow: workspaces (enable_workspaces) need mlflow.defaultArtifactRoot, the root under which each workspace gets its artifacts; set it, e.g. mlflow.defaultArtifactRoot=s3://bucket/mlflow or mlflow-artifacts:/ while the server proxies artifacts" }}
{{- end }}
{{- end }}

{{- if or $v.ingress.enabled $v.httpRoute.enabled $v.route.enabled }}{{ $checks = append $checks "routes" }}{{ end }}
{{- if or (hasKey $vo "expose_prometheus") $v.serviceMonitor.enabled $v.prometheusRule.enabled $v.grafanaDashboard.enabled
      $v.garbageCollection.enabled $v.networkPolicy.ingressFrom $v.autoscaling.enabled $v.externalSecrets.enabled }}
{{- $checks = append $checks "operations" }}
{{- end }}
{{- if $vo }}{{ $checks = append $checks "server-options" }}{{ end }}
{{- /* The features' own checks, before the allowed hosts: a bad Ingress or Route host is named there, as what it is. */ -}}
{{- include "mlflow.checks" (dict "root" .root "settings" $s "names" $checks) }}
{{- /* Allowed hosts: one match over them all; the loop only runs to name the culprit. */ -}}
{{- if regexMatch "[/\\s@]" (join "," $s.allowedHosts) }}
{{- range $s.allowedHosts }}
{{- if regexMatch "[/\\s@]" . }}
{{- fail (printf "mlflow: server.value_options.allowed_hosts has %q, which is not a host; MLflow compares the Host header, so give bare names or patterns like mlflow.example.com or mlflow.example.com:*" .) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* Migrations */ -}}
{{- if and $v.migrations.enabled (eq $s.backendKind "sqlite") (eq $v.storage.accessMode "ReadWriteOncePod") $s.storage (not $s.migrateInPod) }}
{{- fail "mlflow: migrations.enabled=true on SQLite with storage.accessMode=ReadWriteOncePod would wait forever: the migration Job cannot mount the claim while the server holds it; use storage.accessMode=ReadWriteOnce, or set migrations.enabled=false and run mlflow db upgrade yourself" }}
{{- end }}

{{- end }}

{{/*
Runs the checks of files/checks/<name>.tpl for every name in .names, read as one text: one tpl
call, however many features are on. The dict is their context (it carries "root", and "settings"
or whatever else the checks read). They live outside templates/ because Helm parses every file
there on every render: a feature's checks cost nothing for a release that does not use it.
*/}}
{{- define "mlflow.checks" -}}
{{- if .names }}
{{- $text := list }}
{{- range .names }}{{ $text = append $text ($.root.Files.Get (printf "files/checks/%s.tpl" .)) }}{{ end }}
{{- tpl (join "\n" $text) . }}
{{- end }}
{{- end }}

{{/*
What credential a string carries in plain text, or "" when none: a password in the user part of a
URI of any scheme (scheme://user:password@host), or a password-like query parameter (password=,
sslpassword=, pwd=, token=, sig=, ...). A $(NAME) reference in their place is not a credential:
the kubelet fills it in from a Secret.
*/}}
{{- define "mlflow.credentialIn" -}}
{{- $text := toString (. | default "") -}}
{{- if and (contains "@" $text) (regexMatch "^[A-Za-z][A-Za-z0-9+.-]*://[^/@?#]*:([^/@?#$]|\\$[^(])[^/@?#]*@" $text) }}a password in the user part of a URI
{{- else if and (contains "=" $text) (regexMatch "(?i)[?&;]([a-z0-9_.-]*(password|passwd|secret|token|credential)[a-z0-9_.-]*|pwd|sig)=([^&$]|\\$[^(])" $text) }}a password-like query parameter
{{- end }}
{{- end }}
