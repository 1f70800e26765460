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

{{- if eq $v.image.tag "latest" }}
{{- fail (printf "mlflow: image.tag=latest is a moving target: pods restarted on different days would run different MLflow versions against one database schema; pin a release such as v%s-full, or leave image.tag empty for the chart's appVersion" .root.Chart.AppVersion) }}
{{- end }}

{{- /* U+0085 (NEXT LINE): Helm's toYaml writes it as a space, so a value holding it cannot arrive as written. */ -}}
{{- $user := omit $v "__mlflowSettings" -}}
{{- if contains "\u0085" (toJson $user) }}
{{- include "mlflow.refuseNextLine" (dict "value" $user "path" "") }}
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
only costs for the values that are set. Each kind is one match over all its values; the loop
that names the culprit only runs when that match fails. */ -}}
{{- /* Most releases set none of them: one lazy `or` skips the whole section then. */ -}}
{{- if or $v.tls.enabled $v.ingress.className $v.auth.secretKey.existingSecret $v.auth.admin.existingSecret $v.serviceMonitor.basicAuthSecret
      $v.externalSecrets.provider $v.externalSecrets.secretName $v.storage.existingClaim $v.storage.storageClassName $v.priorityClassName
      $v.serviceAccount.name $v.serviceMonitor.namespace $v.grafanaDashboard.namespace $v.imagePullSecrets $v.ingress.tls $v.httpRoute.parentRefs
      $m.backendStoreUriFrom $m.registryStoreUriFrom $v.auth.databaseUriFrom $m.uriVariables $v.podLabels $v.nodeSelector $v.podAnnotations
      $v.auth.oidc.clientSecret.existingSecret $v.auth.oidc.serviceAccount.existingSecret $v.auth.oidc.databaseUriFrom $v.auth.oidc.redisUrlFrom
      $v.service.annotations $v.serviceAccount.annotations $v.ingress.annotations $v.httpRoute.labels $v.httpRoute.annotations
      $v.route.labels $v.route.annotations $v.serviceMonitor.labels $v.prometheusRule.labels $v.grafanaDashboard.labels $v.grafanaDashboard.annotations }}
{{- $refs := list $m.backendStoreUriFrom $m.registryStoreUriFrom $v.auth.databaseUriFrom -}}
{{- $refPaths := list "mlflow.backendStoreUriFrom" "mlflow.registryStoreUriFrom" "auth.databaseUriFrom" -}}
{{- range $i, $u := $m.uriVariables }}{{ with $u.valueFrom }}{{ $refs = append $refs . }}{{ $refPaths = append $refPaths (printf "mlflow.uriVariables[%d].valueFrom" $i) }}{{ end }}{{ end -}}
{{- $names := list (list "tls.secretName" $v.tls.secretName) (list "ingress.className" $v.ingress.className)
      (list "auth.secretKey.existingSecret" $v.auth.secretKey.existingSecret) (list "auth.admin.existingSecret" $v.auth.admin.existingSecret)
      (list "serviceMonitor.basicAuthSecret" $v.serviceMonitor.basicAuthSecret) (list "externalSecrets.provider.name" $v.externalSecrets.provider.name)
      (list "externalSecrets.secretName" $v.externalSecrets.secretName) (list "storage.existingClaim" $v.storage.existingClaim)
      (list "priorityClassName" $v.priorityClassName) (list "serviceAccount.name" $v.serviceAccount.name)
      (list "auth.oidc.clientSecret.existingSecret" $v.auth.oidc.clientSecret.existingSecret) (list "auth.oidc.serviceAccount.existingSecret" $v.auth.oidc.serviceAccount.existingSecret)
      (list "auth.oidc.databaseUriFrom.secretKeyRef.name" (dig "secretKeyRef" "name" "" ($v.auth.oidc.databaseUriFrom | default dict)))
      (list "auth.oidc.redisUrlFrom.secretKeyRef.name" (dig "secretKeyRef" "name" "" ($v.auth.oidc.redisUrlFrom | default dict))) -}}
{{- if ne (toString $v.storage.storageClassName) "-" }}{{ $names = append $names (list "storage.storageClassName" $v.storage.storageClassName) }}{{ end -}}
{{- $keys := list (list "tls.caKey" $v.tls.caKey) -}}
{{- if $v.auth.secretKey.existingSecret }}{{ $keys = append $keys (list "auth.secretKey.key" $v.auth.secretKey.key) }}{{ end -}}
{{- if $v.auth.admin.existingSecret }}{{ $keys = concat $keys (list (list "auth.admin.usernameKey" $v.auth.admin.usernameKey) (list "auth.admin.passwordKey" $v.auth.admin.passwordKey)) }}{{ end -}}
{{- range $i, $ref := $refs }}{{ with (dig "secretKeyRef" nil ($ref | default dict)) }}
{{- $names = append $names (list (printf "%s.secretKeyRef.name" (index $refPaths $i)) .name) }}
{{- $keys = append $keys (list (printf "%s.secretKeyRef.key" (index $refPaths $i)) .key) }}
{{- end }}{{ end -}}
{{- range $i, $s := $v.imagePullSecrets }}{{ $names = append $names (list (printf "imagePullSecrets[%d].name" $i) $s.name) }}{{ end -}}
{{- range $i, $t := $v.ingress.tls }}{{ $names = append $names (list (printf "ingress.tls[%d].secretName" $i) $t.secretName) }}{{ end -}}
{{- $namespaces := list (list "serviceMonitor.namespace" $v.serviceMonitor.namespace) (list "grafanaDashboard.namespace" $v.grafanaDashboard.namespace) -}}
{{- range $i, $r := $v.httpRoute.parentRefs }}
{{- range $field := list "name" "sectionName" "group" }}{{ $names = append $names (list (printf "httpRoute.parentRefs[%d].%s" $i $field) (index $r $field)) }}{{ end }}
{{- $namespaces = append $namespaces (list (printf "httpRoute.parentRefs[%d].namespace" $i) $r.namespace) }}
{{- end -}}
{{- $hosts := list -}}
{{- range $i, $t := $v.ingress.tls }}{{ range $j, $h := $t.hosts }}{{ $hosts = append $hosts (list (printf "ingress.tls[%d].hosts[%d]" $i $j) $h) }}{{ end }}{{ end -}}
{{- $labelKeys := list -}}
{{- $labelValues := list -}}
{{- range $map := list "podLabels" "nodeSelector" "httpRoute.labels" "route.labels" "serviceMonitor.labels" "prometheusRule.labels" "grafanaDashboard.labels" "podAnnotations" "service.annotations" "serviceAccount.annotations" "ingress.annotations" "httpRoute.annotations" "route.annotations" "grafanaDashboard.annotations" }}
{{- $parts := splitList "." $map }}
{{- $entries := index $v (first $parts) }}{{ if gt (len $parts) 1 }}{{ $entries = index ($entries | default dict) (last $parts) }}{{ end }}
{{- range $key, $val := $entries | default dict }}
{{- $labelKeys = append $labelKeys (list $map $key) }}
{{- if not (contains "nnotations" $map) }}{{ $labelValues = append $labelValues (list (printf "%s.%s" $map $key) $val) }}{{ end }}
{{- end }}
{{- end -}}
{{- $segment := "[a-z0-9]([-a-z0-9]*[a-z0-9])?" -}}
{{- $subdomain := printf "%s(\\.%s)*" $segment $segment -}}
{{- range $kind := list
      (list $names $subdomain 253 "mlflow: %s=%q is not a Kubernetes object name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters), and Kubernetes would refuse it")
      (list $namespaces $segment 63 "mlflow: %s=%q is not a namespace name (lowercase letters, digits and '-', at most 63 characters), and Kubernetes would refuse it")
      (list $keys "[-._a-zA-Z0-9]+" 253 "mlflow: %s=%q is not a key a Secret can have (letters, digits, '-', '_' and '.'), and Kubernetes would refuse it")
      (list $hosts (printf "(\\*\\.)?%s" $subdomain) 253 "mlflow: %s=%q is not a host name (lowercase, without scheme, port or path, at most 253 characters), and Kubernetes would refuse it")
      (list $labelKeys (printf "(%s/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?" $subdomain) 316 "mlflow: %s has the key %q, which is not a qualified name (an optional DNS prefix and '/', then letters, digits, '-', '_' and '.', starting and ending with a letter or digit), and Kubernetes would refuse it")
      (list $labelValues "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?" 63 "mlflow: %s=%q is not a label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), and Kubernetes would refuse it") }}
{{- $set := list }}
{{- range index $kind 0 }}{{ if ne (toString (index . 1 | default "")) "" }}{{ $set = append $set . }}{{ end }}{{ end }}
{{- if $set }}
{{- $values := list }}{{ range $set }}{{ $values = append $values (toString (index . 1)) }}{{ end }}
{{- $long := false }}{{ range $values }}{{ if gt (len .) (int (index $kind 2)) }}{{ $long = true }}{{ end }}{{ end }}
{{- if or $long (not (regexMatch (printf "^(%s)(\x00(%s))*$" (index $kind 1) (index $kind 1)) (join "\x00" $values))) }}
{{- range $set }}
{{- $value := toString (index . 1) }}
{{- if or (gt (len $value) (int (index $kind 2))) (not (regexMatch (printf "^%s$" (index $kind 1)) $value)) }}
{{- fail (printf (index $kind 3) (index . 0) $value) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
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
{{- range $i, $e := $v.env }}
{{- if and $e.value (regexMatch "(?i)(PASSWORD|PASSWD|SECRET|TOKEN|_KEY$)" $e.name) (not (regexMatch "(?i)_(FILE|PATH|DIR)$" $e.name)) (not (regexMatch "^\\$\\([A-Za-z_][A-Za-z0-9_]*\\)$" $e.value)) }}
{{- fail (printf "mlflow: env[%d] sets %s as plain text, and its name says it holds a credential, which anyone who can read the pod spec would see; take it from a Secret: {name: %s, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}} (names ending in _FILE, _PATH or _DIR are locations and may be plain)" $i $e.name $e.name) }}
{{- end }}
{{- end }}
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
{{- if regexMatch "^[a-z0-9+]+://[^/@:]*:[^/@]*@" $uri }}
{{- $password := regexReplaceAll "^[a-z0-9+]+://[^/@:]*:([^/@]*)@.*$" $uri "${1}" }}
{{- $variable := regexReplaceAll "^\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)$" $password "${1}" }}
{{- if eq $variable $password }}
{{- fail (printf "mlflow: %s carries a password in plain text, where it would be visible in the pod spec; store the URI in a Secret and reference it with %sFrom.secretKeyRef, or keep the password in a Secret and write it as $(NAME) with NAME in mlflow.uriVariables" $key $key) }}
{{- end }}
{{- end }}
{{- if regexMatch "^sqlite:///[^/]" $uri }}
{{- fail (printf "mlflow: %s=%q is a relative SQLite path, which lands on the read-only root filesystem; use four slashes for an absolute path on the volume, e.g. sqlite:///%s/mlflow.db" $key $uri $s.mountPath) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $s.auth (not (hasPrefix "sqlite:" $s.authUri)) (not $s.authFromSecret) (hasPrefix "/" (include "mlflow.localPath" $s.authUri)) }}
{{- fail "mlflow: auth.databaseUri must be a database URI (sqlite:////path/basic_auth.db or a server database), not a plain path" }}
{{- end }}
{{- with $m.artifactsDestination }}
{{- if not (regexMatch "^(/|file:/|[a-z][a-z0-9+.-]*://)" .) }}
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

{{- /* TLS */ -}}
{{- if and $v.tls.enabled (not $v.tls.secretName) }}
{{- fail "mlflow: tls.enabled=true but tls.secretName is empty, so the server has no certificate; create one with kubectl create secret tls mlflow-tls --cert=tls.crt --key=tls.key and set tls.secretName=mlflow-tls" }}
{{- end }}
{{- if and $v.tls.enabled (index $vo "waitress_opts") }}
{{- fail "mlflow: tls.enabled=true cannot work with server.value_options.waitress_opts: waitress serves no HTTPS; remove waitress_opts (the default uvicorn server takes the certificate)" }}
{{- end }}
{{- if and $v.tls.enabled (or (index $vo "dev") (has "dev" $v.server.flag_options)) }}
{{- fail "mlflow: tls.enabled=true cannot work with the dev option (Flask's development server takes no certificate); remove dev" }}
{{- end }}

{{- /* Single sign-on (the mlflow-oidc-auth plugin) */ -}}
{{- if $s.oidc }}
{{- $o := $v.auth.oidc }}
{{- if $v.auth.enabled }}
{{- fail "mlflow: auth.enabled=true (basic auth) and auth.oidc.enabled=true (single sign-on) both ask for the server's one auth app; keep one of them (the SSO plugin also takes user names with access tokens, for scripts)" }}
{{- end }}
{{- with index $vo "app_name" }}{{ if ne (toString .) "oidc-auth" }}
{{- fail (printf "mlflow: auth.oidc.enabled=true turns on the oidc-auth app but server.value_options.app_name=%v asks for another; remove one of them" .) }}
{{- end }}{{ end }}
{{- range $key := list "discoveryUrl" "clientId" }}
{{- if empty (index $o $key) }}
{{- fail (printf "mlflow: single sign-on needs auth.oidc.%s; take it from your provider's client registration (the discovery URL ends in /.well-known/openid-configuration)" $key) }}
{{- end }}
{{- end }}
{{- if empty $o.clientSecret.existingSecret }}
{{- fail "mlflow: single sign-on needs the client secret, and the chart takes it only from a Secret; create one with kubectl create secret generic mlflow-oidc --from-literal=client-secret=<secret> and set auth.oidc.clientSecret.existingSecret=mlflow-oidc" }}
{{- end }}
{{- if empty $v.auth.secretKey.existingSecret }}
{{- fail "mlflow: single sign-on needs a session key shared by every worker and replica (a random one per process would end sessions at every other request); create one with kubectl create secret generic mlflow-auth-secret --from-literal=secret-key=\"$(openssl rand -hex 32)\" and set auth.secretKey.existingSecret=mlflow-auth-secret" }}
{{- end }}
{{- /* Shapes, checked here rather than by schema patterns, which Helm compiles on every render. */}}
{{- range $check := list
      (list "discoveryUrl" $o.discoveryUrl "^https?://[^\\s]+$" "an http(s) URL, e.g. https://keycloak.example.com/realms/mlflow/.well-known/openid-configuration")
      (list "redirectUri" ($o.redirectUri | default "") "^(|https?://[^\\s]+/callback)$" "an http(s) URL ending in /callback, the plugin's callback path")
      (list "clientId" $o.clientId "^[^\\s]+$" "the client ID, without spaces")
      (list "groupsClaim" $o.groupsClaim "^[^\\s]+$" "a claim name, without spaces")
      (list "audience" ($o.audience | default "") "^[^\\s]*$" "one audience, without spaces")
      (list "providerDisplayName" ($o.providerDisplayName | default "") "^[^\\n\\r]*$" "one line of text") }}
{{- if not (regexMatch (index $check 2) (toString (index $check 1))) }}
{{- fail (printf "mlflow: auth.oidc.%s=%q is not %s" (index $check 0) (toString (index $check 1)) (index $check 3)) }}
{{- end }}
{{- end }}
{{- range $list := list "scopes" "groups" "adminGroups" "trustedProxies" }}
{{- range $i, $item := index $o $list }}
{{- $pattern := ternary "^([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$" (ternary "^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$" "^[^,\\n\\r]+$" (eq $list "scopes")) (eq $list "trustedProxies") }}
{{- if not (regexMatch $pattern (toString $item)) }}
{{- fail (printf "mlflow: auth.oidc.%s[%d]=%q is not %s" $list $i (toString $item) (ternary "an IP address or CIDR" (ternary "a scope (printable, no spaces or quotes)" "a group name (no commas: the plugin takes a comma-separated list)" (eq $list "scopes")) (eq $list "trustedProxies"))) }}
{{- end }}
{{- end }}
{{- end }}
{{- if empty $o.groups }}
{{- fail "mlflow: auth.oidc.groups is empty, so the plugin would let nobody in; list the provider groups whose members may log in, e.g. [mlflow]" }}
{{- end }}
{{- if eq $s.oidcSource "" }}
{{- fail "mlflow: single sign-on keeps its users and permissions in a database, and there is none: the tracking store is not a database server, no claim is mounted (storage) and auth.oidc.databaseUri(From) is empty; set auth.oidc.databaseUriFrom.secretKeyRef to a PostgreSQL URI in a Secret, or set storage.enabled=true for SQLite on the claim" }}
{{- end }}
{{- /* Beyond the store URI rules above: the plugin takes no file store. */}}
{{- if and (eq $s.oidcSource "uri") (not (regexMatch "^(sqlite:////.+|(postgresql|mysql|mssql)(\\+[a-z0-9_]+)?://[^/]+/.+)$" $s.oidcUri)) }}
{{- fail (printf "mlflow: auth.oidc.databaseUri=%q is not a database URI the plugin understands; use sqlite:////absolute/path/oidc_auth.db or postgresql://host:5432/db (a password belongs in a Secret: auth.oidc.databaseUriFrom)" $s.oidcUri) }}
{{- end }}
{{- if and (hasPrefix "sqlite:" $s.oidcUri) $s.manyReplicas }}
{{- fail "mlflow: single sign-on with several replicas (replicaCount above 1 or autoscaling) needs a users database every pod shares, and SQLite is a file one pod can use; set auth.oidc.databaseUriFrom.secretKeyRef to a PostgreSQL URI in a Secret" }}
{{- end }}
{{- if and $v.garbageCollection.enabled (not $o.serviceAccount.existingSecret) }}
{{- fail "mlflow: garbageCollection under single sign-on needs a non-browser identity to call the server with; set auth.oidc.serviceAccount.existingSecret (a Secret with the keys username and token; the migration step creates that service account)" }}
{{- end }}
{{- end }}

{{- /* Basic auth */ -}}
{{- if $s.auth }}
{{- with index $vo "app_name" }}
{{- if ne (toString .) "basic-auth" }}
{{- fail (printf "mlflow: auth.enabled=true turns on the basic-auth app but server.value_options.app_name=%v asks for another; remove one of them" .) }}
{{- end }}
{{- end }}
{{- $envKey := false }}
{{- range $v.env }}{{ if eq .name "MLFLOW_FLASK_SERVER_SECRET_KEY" }}{{ $envKey = true }}{{ end }}{{ end }}
{{- if not (or $v.auth.secretKey.existingSecret $envKey) }}
{{- fail "mlflow: basic auth needs a Flask secret key shared by every worker and replica, or the workers crash-loop; create one with kubectl create secret generic mlflow-auth-secret --from-literal=secret-key=\"$(openssl rand -hex 32)\" and set auth.secretKey.existingSecret=mlflow-auth-secret (or pass MLFLOW_FLASK_SERVER_SECRET_KEY through env from that Secret)" }}
{{- end }}
{{- if $s.authIni }}
{{- range $key := list "databaseUri" "databaseUriFrom" }}
{{- if not (empty (index $v.auth $key)) }}
{{- fail (printf "mlflow: env sets MLFLOW_AUTH_CONFIG_PATH, so MLflow reads your INI and the chart writes none, but auth.%s is set too and would be ignored; put database_uri in your INI, or remove MLFLOW_AUTH_CONFIG_PATH from env and let the chart write the INI from auth.*" $key) }}
{{- end }}
{{- end }}
{{- if ne $v.auth.defaultPermission "READ" }}
{{- fail "mlflow: env sets MLFLOW_AUTH_CONFIG_PATH, so MLflow reads your INI and the chart writes none, but auth.defaultPermission is set too and would be ignored; put default_permission in your INI, or remove MLFLOW_AUTH_CONFIG_PATH from env" }}
{{- end }}
{{- $path := "" }}
{{- range $v.env }}{{ if eq .name "MLFLOW_AUTH_CONFIG_PATH" }}{{ $path = toString (.value | default "") }}{{ end }}{{ end }}
{{- if $path }}
{{- $mounted := false }}
{{- range $v.extraVolumeMounts }}{{ if or (eq (toString .mountPath) $path) (hasPrefix (printf "%s/" (trimSuffix "/" (toString .mountPath))) $path) }}{{ $mounted = true }}{{ end }}{{ end }}
{{- if not $mounted }}
{{- fail (printf "mlflow: env MLFLOW_AUTH_CONFIG_PATH=%q names a file no volume provides, and the image has none; mount your INI with extraVolumes (a Secret) and extraVolumeMounts at that path, or remove MLFLOW_AUTH_CONFIG_PATH and let the chart write the INI from auth.*" $path) }}
{{- end }}
{{- end }}
{{- else if and (not $s.authFromSecret) (empty $s.authUri) }}
{{- fail "mlflow: basic auth needs a users database, and with a SQLite backend store and no volume MLflow's default (a relative SQLite file) lands on the read-only root filesystem and the server never becomes healthy; set auth.databaseUriFrom.secretKeyRef to a database URI in a Secret, use a database server for mlflow.backendStoreUriFrom (the users then live in it), or set storage.enabled=true" }}
{{- end }}
{{- end }}

{{- /* Workspaces */ -}}
{{- if $s.workspaces }}
{{- if eq $s.backendKind "file" }}
{{- fail "mlflow: workspaces (enable_workspaces) need a SQL backend store, but mlflow.backendStoreUri is a file store; use PostgreSQL, MySQL, MSSQL or SQLite (mlflow.backendStoreUriFrom or sqlite:////mlflow/mlflow.db)" }}
{{- end }}
{{- if not $m.defaultArtifactRoot }}
{{- fail "mlflow: workspaces (enable_workspaces) need mlflow.defaultArtifactRoot, the root under which each workspace gets its artifacts; set it, e.g. mlflow.defaultArtifactRoot=s3://bucket/mlflow or mlflow-artifacts:/ while the server proxies artifacts" }}
{{- end }}
{{- end }}
{{- /* Variables the chart sets in its pods: a second entry of the same name is refused by Helm 4's
server-side apply ("duplicate entries") and would quietly win or lose under Helm 3. */ -}}
{{- $own := dict "HOME" "the chart (the image has no user)" "USER" "the chart (the image has no user)"
      "MLFLOW_BACKEND_STORE_URI" "mlflow.backendStoreUri or mlflow.backendStoreUriFrom"
      "MLFLOW_SERVER_ENABLE_JOB_EXECUTION" "server.jobExecution"
      "MLFLOW_TRACKING_URI" "the chart, for GC and helm test" -}}
{{- if or $m.registryStoreUri (dig "secretKeyRef" "name" "" ($m.registryStoreUriFrom | default dict)) }}{{ $_ := set $own "MLFLOW_REGISTRY_STORE_URI" "mlflow.registryStoreUri or mlflow.registryStoreUriFrom" }}{{ end -}}
{{- if $m.defaultArtifactRoot }}{{ $_ := set $own "MLFLOW_DEFAULT_ARTIFACT_ROOT" "mlflow.defaultArtifactRoot" }}{{ end -}}
{{- if $s.artifactsDestination }}{{ $_ := set $own "MLFLOW_ARTIFACTS_DESTINATION" "mlflow.artifactsDestination" }}{{ end -}}
{{- if not $s.auth }}
{{- range $v.env }}
{{- if eq .name "MLFLOW_AUTH_CONFIG_PATH" }}
{{- fail "mlflow: env sets MLFLOW_AUTH_CONFIG_PATH, but basic auth is off, so MLflow would never read that INI; set auth.enabled=true (or server.value_options.app_name=basic-auth), or remove it from env" }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $s.auth $v.auth.secretKey.existingSecret }}{{ $_ := set $own "MLFLOW_FLASK_SERVER_SECRET_KEY" "auth.secretKey.existingSecret" }}{{ end -}}
{{- range $m.uriVariables }}{{ $_ := set $own .name "mlflow.uriVariables" }}{{ end -}}
{{- range $v.env }}
{{- if hasKey $own .name }}
{{- fail (printf "mlflow: env sets %s, which the chart already sets from %s; a second entry of one name is refused by Helm 4 (duplicate entries) and ambiguous under Helm 3; remove it from env and use that value" .name (index $own .name)) }}
{{- end }}
{{- if eq .name "MLFLOW_WORKSPACE" }}
{{- fail "mlflow: env sets MLFLOW_WORKSPACE, and the MLflow server refuses to start with it; remove it from env (clients choose their workspace, the server serves all)" }}
{{- end }}
{{- end }}

{{- /* Ingress, HTTPRoute and allowed hosts */ -}}
{{- $hostPattern := "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" }}
{{- if $v.ingress.enabled }}
{{- if not $v.ingress.hosts }}
{{- fail "mlflow: ingress.enabled=true but ingress.hosts is empty; add a host, e.g. ingress.hosts[0].host=mlflow.example.com (it is also added to MLflow's allowed hosts)" }}
{{- end }}
{{- range $i, $h := $v.ingress.hosts }}
{{- if or (gt (len (toString $h.host)) 253) (not (regexMatch $hostPattern (toString $h.host))) }}
{{- fail (printf "mlflow: ingress.hosts[%d].host=%q is not a DNS name; give a lowercase host of at most 253 characters such as mlflow.example.com, without scheme, port or path" $i (toString $h.host)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $v.httpRoute.enabled }}
{{- if not $v.httpRoute.parentRefs }}
{{- fail "mlflow: httpRoute.enabled=true but httpRoute.parentRefs is empty, so the route attaches to no Gateway; set httpRoute.parentRefs, e.g. [{name: public, namespace: gateway-system}]" }}
{{- end }}
{{- range $i, $h := $v.httpRoute.hostnames }}
{{- if or (gt (len (toString $h)) 253) (not (regexMatch $hostPattern (toString $h))) }}
{{- fail (printf "mlflow: httpRoute.hostnames[%d]=%q is not a DNS name; give a lowercase host of at most 253 characters such as mlflow.example.com, without scheme, port or path" $i (toString $h)) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $v.route }}{{ if .enabled }}
{{- if not .host }}
{{- fail "mlflow: route.enabled=true needs route.host: MLflow answers 403 to a host it was not told about, so the host OpenShift would generate cannot be used; set route.host, e.g. mlflow.apps.example.com" }}
{{- end }}
{{- if or (gt (len (toString .host)) 253) (not (regexMatch $hostPattern (toString .host))) (hasPrefix "*" (toString .host)) }}
{{- fail (printf "mlflow: route.host=%q is not a DNS name; give a lowercase host of at most 253 characters such as mlflow.apps.example.com, without scheme, port or path" (toString .host)) }}
{{- end }}
{{- $host := .host }}
{{- if $v.ingress.enabled }}{{ range $i, $h := $v.ingress.hosts }}{{ if eq (toString $h.host) (toString $host) }}
{{- fail (printf "mlflow: route.host=%s is also ingress.hosts[%d].host: two routers would claim one name; keep the Route (OpenShift) or the Ingress, not both" $host $i) }}
{{- end }}{{ end }}{{ end }}
{{- $termination := .tls.termination | default (ternary "reencrypt" "edge" $s.tls) }}
{{- if and (eq $termination "edge") $s.tls }}
{{- fail "mlflow: route.tls.termination=edge with tls.enabled=true: the router would call the server's HTTPS port over plain HTTP; use reencrypt (or passthrough), or leave route.tls.termination empty" }}
{{- end }}
{{- if and (has $termination (list "reencrypt" "passthrough")) (not $s.tls) }}
{{- fail (printf "mlflow: route.tls.termination=%s needs the server to serve HTTPS, but tls.enabled=false; set tls.enabled=true with tls.secretName, or use edge" $termination) }}
{{- end }}
{{- if and (eq $termination "passthrough") (or .path $v.server.staticPrefix) }}
{{- fail "mlflow: route.tls.termination=passthrough cannot match a path (the router sees only encrypted bytes); remove route.path and server.staticPrefix, or use reencrypt" }}
{{- end }}
{{- if and (eq $termination "passthrough") (eq .tls.insecureEdgeTerminationPolicy "Allow") }}
{{- fail "mlflow: route.tls.insecureEdgeTerminationPolicy=Allow does not work with passthrough (the router cannot serve plain HTTP for it); use Redirect or None" }}
{{- end }}
{{- if and .tls.destinationCACertificate (ne $termination "reencrypt") }}
{{- fail (printf "mlflow: route.tls.destinationCACertificate only applies to reencrypt, but the termination is %s; remove it" $termination) }}
{{- end }}
{{- end }}{{ end }}
{{- /* One match over them all; the loop only runs to name the culprit. */ -}}
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

{{- /* Metrics, monitoring and operations */ -}}
{{- if hasKey $vo "expose_prometheus" }}
{{- fail "mlflow: server.value_options.expose_prometheus is set by the chart; use metrics.enabled=true (the chart gives the exporter a writable directory)" }}
{{- end }}
{{- range $what := list "serviceMonitor" "prometheusRule" "grafanaDashboard" }}
{{- if and (index $v $what).enabled (not $v.metrics.enabled) }}
{{- fail (printf "mlflow: %s.enabled=true needs the metrics it is built on; set metrics.enabled=true" $what) }}
{{- end }}
{{- end }}
{{- if and $v.serviceMonitor.enabled $s.auth (not (or $v.serviceMonitor.basicAuthSecret $v.auth.admin.existingSecret)) }}
{{- fail "mlflow: serviceMonitor.enabled=true under basic auth needs credentials, since /metrics answers 401 without them; set serviceMonitor.basicAuthSecret (keys username and password) or auth.admin.existingSecret" }}
{{- end }}
{{- if and $v.serviceMonitor.enabled $v.server.allowedHosts.derive (not $v.server.allowedHosts.privateNetworks) }}
{{- fail "mlflow: serviceMonitor.enabled=true with server.allowedHosts.privateNetworks=false: Prometheus scrapes pods by IP, and MLflow would answer it 403; set server.allowedHosts.privateNetworks=true or list your pod network in server.value_options.allowed_hosts with privateNetworks left on" }}
{{- end }}
{{- $gc := $v.garbageCollection }}
{{- if $gc.enabled }}
{{- if and $gc.allWorkspaces (not $s.workspaces) }}
{{- fail "mlflow: garbageCollection.allWorkspaces=true but workspaces are not enabled; add enable_workspaces to server.flag_options or set garbageCollection.allWorkspaces=false" }}
{{- end }}
{{- if not (has (trimSuffix "" $s.serviceHost) $s.allowedHosts) }}
{{- fail (printf "mlflow: garbageCollection calls the server as %s, which MLflow's allowed hosts do not admit, so every run would get HTTP 403; keep server.allowedHosts.derive=true or add that host to server.value_options.allowed_hosts" $s.serviceHost) }}
{{- end }}
{{- if and $s.auth (not $v.auth.admin.existingSecret) }}
{{- fail "mlflow: garbageCollection under basic auth needs a user to call the server with; set auth.admin.existingSecret (a Secret with the keys username and password)" }}
{{- end }}
{{- end }}
{{- range $i, $peer := $v.networkPolicy.ingressFrom }}
{{- if and (hasKey $peer "namespaceSelector") (empty $peer.namespaceSelector) }}
{{- fail (printf "mlflow: networkPolicy.ingressFrom[%d] has an empty namespaceSelector, which admits every namespace; select the namespace, e.g. {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}" $i) }}
{{- end }}
{{- end }}
{{- if $v.autoscaling.enabled }}
{{- if $s.localStore }}
{{- fail (printf "mlflow: autoscaling.enabled=true with a %s backend store would let several pods write one database file; use PostgreSQL or MySQL (mlflow.backendStoreUriFrom) or turn autoscaling off" (eq $s.backendKind "sqlite" | ternary "SQLite" "file")) }}
{{- end }}
{{- if $s.readWriteOnce }}
{{- fail (printf "mlflow: autoscaling.enabled=true with storage.accessMode=%s cannot add pods on other nodes (Multi-Attach error); keep artifacts in an object store and set storage.enabled=false, or use storage.accessMode=ReadWriteMany" $v.storage.accessMode) }}
{{- end }}
{{- if gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas) }}
{{- fail (printf "mlflow: autoscaling.minReplicas=%d is above autoscaling.maxReplicas=%d; raise maxReplicas" (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- end }}
{{- if not (or $v.autoscaling.targetCPUUtilizationPercentage $v.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "mlflow: autoscaling.enabled=true without a target; set autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage" }}
{{- end }}
{{- end }}
{{- if $v.externalSecrets.enabled }}
{{- if not (and $v.externalSecrets.provider.name $v.externalSecrets.secretName $v.externalSecrets.data) }}
{{- fail "mlflow: externalSecrets.enabled=true needs externalSecrets.provider.name (the SecretStore), externalSecrets.secretName (the Secret to create) and externalSecrets.data (the keys to fetch)" }}
{{- end }}
{{- end }}

{{- /* Server options */ -}}
{{- range $key, $values := dict "backend_store_uri" "mlflow.backendStoreUri or mlflow.backendStoreUriFrom" "registry_store_uri" "mlflow.registryStoreUri or mlflow.registryStoreUriFrom" "default_artifact_root" "mlflow.defaultArtifactRoot" "artifacts_destination" "mlflow.artifactsDestination" "static_prefix" "server.staticPrefix" }}
{{- if hasKey $vo $key }}
{{- fail (printf "mlflow: server.value_options.%s is set by the chart from %s (store settings travel as environment variables, not on the command line); move the value there" $key $values) }}
{{- end }}
{{- end }}
{{- $host := index $vo "host" }}
{{- if and (not (kindIs "invalid" $host)) (not (has (toString $host) (list "0.0.0.0" "::"))) }}
{{- fail (printf "mlflow: server.value_options.host=%v would stop the server listening on the pod's address, and the probes and Service could not reach it; remove it (the chart uses 0.0.0.0), or use \"::\" for IPv6" $host) }}
{{- end }}
{{- $port := index $vo "port" }}
{{- if and (not (kindIs "invalid" $port)) (ne (toString $port) "5000") }}
{{- fail (printf "mlflow: server.value_options.port=%v would move the server off the container port 5000 that the probes and Service use; remove it, and set service.port to change the port clients connect to" $port) }}
{{- end }}
{{- $workers := index $vo "workers" }}
{{- if and (not (kindIs "invalid" $workers)) (or (not (regexMatch "^[0-9]+$" (toString $workers))) (lt (int $workers) 1)) }}
{{- fail (printf "mlflow: server.value_options.workers=%v is not a positive whole number; set it to 1 or more (or use server.workers)" $workers) }}
{{- end }}
{{- $opts := list -}}
{{- range $key := list "uvicorn_opts" "gunicorn_opts" "waitress_opts" }}{{ if index $vo $key }}{{ $opts = append $opts $key }}{{ end }}{{ end -}}
{{- if gt (len $opts) 1 }}
{{- fail (printf "mlflow: server.value_options sets %s; mlflow server takes at most one of uvicorn_opts, gunicorn_opts and waitress_opts; keep the one for the server you want" (join " and " $opts)) }}
{{- end }}
{{- if and (or (index $vo "dev") (has "dev" $v.server.flag_options)) (or (index $vo "app_name") $opts) }}
{{- fail "mlflow: the dev option cannot be combined with server.value_options.app_name or a *_opts option (mlflow server refuses it); remove dev, which is for local development only" }}
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

{{/* Fails naming the first value under .value (a map, list or string at .path) that holds U+0085. */}}
{{- define "mlflow.refuseNextLine" -}}
{{- $path := .path -}}
{{- if kindIs "map" .value }}
{{- range $key, $val := .value }}{{ include "mlflow.refuseNextLine" (dict "value" $val "path" (ternary $key (printf "%s.%s" $path $key) (eq $path ""))) }}{{ end }}
{{- else if kindIs "slice" .value }}
{{- range $i, $val := .value }}{{ include "mlflow.refuseNextLine" (dict "value" $val "path" (printf "%s[%d]" $path $i)) }}{{ end }}
{{- else if and (kindIs "string" .value) (contains "\u0085" .value) }}
{{- fail (printf "mlflow: %s holds the character U+0085 (NEXT LINE), which YAML reads as a line break, so the value could not arrive as written; remove it (write \\n for a line break)" $path) }}
{{- end }}
{{- end }}
