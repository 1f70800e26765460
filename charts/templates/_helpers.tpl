{{/*
Helpers shared by every template. Kept few on purpose: names, labels, the image, the derived
settings, the server's argv and the store environment.
*/}}

{{- define "mlflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* `<release>-mlflow`, also when the release itself is called mlflow (svc/mlflow-mlflow). */}}
{{- define "mlflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "mlflow.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Selector labels: name, instance and component only. They are immutable on upgrade. Call with (list $ "component"); templates read the server's as $s.selectorLabels. */}}
{{- define "mlflow.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "mlflow.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* All labels of an object. Call with (list $ "component"); templates read them as $s.labels.<component>, written once per render by "mlflow.settings". */}}
{{- define "mlflow.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mlflow.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: mlflow
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- end }}

{{- define "mlflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mlflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: repository:tag, or repository@digest when a digest is pinned. */}}
{{- define "mlflow.image" -}}
{{- $i := .Values.image -}}
{{- if $i.digest }}
{{- printf "%s@%s" $i.repository $i.digest }}
{{- else }}
{{- printf "%s:%s" $i.repository (default (printf "v%s-full" .Chart.AppVersion) $i.tag) }}
{{- end }}
{{- end }}

{{/*
A local filesystem path named by a store URI, or "" when the store is remote.
sqlite:////abs/path -> /abs/path; file:///abs -> /abs; /abs -> /abs. A relative sqlite path
(three slashes) comes back relative, for the validation to refuse.
*/}}
{{- define "mlflow.localPath" -}}
{{- if hasPrefix "sqlite:///" . }}
{{- trimPrefix "sqlite:///" . }}
{{- else if hasPrefix "file://" . }}
{{- trimPrefix "file://" . }}
{{- else if hasPrefix "file:" . }}
{{- trimPrefix "file:" . }}
{{- else if hasPrefix "/" . }}
{{- . }}
{{- end }}
{{- end }}

{{/*
Settings derived from the values, computed in one place. Every template starts with
  {{- include "mlflow.settings" . }}{{- $s := .Values.__mlflowSettings }}
The first call computes them and keeps the map beside the values; later calls find it there
and do nothing. So a render derives them once, not once per template, and never passes them
through YAML text. (Helm validated the values against the schema before rendering, and it never
stores what templates add.) The map is shared: templates read it and never change it. Nothing
here fails: _validate.tpl refuses what cannot work.

Besides the derived settings, the map holds what every object repeats: the names, the label
block of each component (labels.server, labels.gc, ...) and the server's selector labels; and in
`fragments`, the YAML every pod repeats (server, migration, GC, helm test).
*/}}
{{- define "mlflow.settings" -}}
{{- if not (hasKey .Values "__mlflowSettings") }}
{{- include "mlflow.computeSettings" . }}
{{- $s := .Values.__mlflowSettings }}
{{- $_ := set $s "fragments" (dict
      "image" (include "mlflow.image" . | quote)
      "podSecurityContext" (toYaml .Values.podSecurityContext)
      "securityContext" (toYaml .Values.securityContext)
      "env" (ternary (toYaml .Values.env) "" (not (empty .Values.env)))
      "storeEnv" (include "mlflow.storeEnv" (dict "root" . "settings" $s))
    ) }}
{{- end }}
{{- end }}

{{- define "mlflow.computeSettings" -}}
{{- $v := .Values -}}
{{- $fullname := include "mlflow.fullname" . -}}
{{- $m := $v.mlflow -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $fromSecret := not (empty (dig "secretKeyRef" "name" "" ($m.backendStoreUriFrom | default dict))) -}}
{{- $embedded := and (not $fromSecret) (empty $m.backendStoreUri) -}}
{{- $mountPath := trimSuffix "/" $v.storage.mountPath -}}
{{- $backendUri := $m.backendStoreUri -}}
{{- if $embedded }}{{ $backendUri = printf "sqlite:///%s/mlflow.db" $mountPath }}{{ end -}}
{{- $backendKind := "database" -}}
{{- if $fromSecret }}{{ $backendKind = "secret" }}
{{- else if hasPrefix "sqlite:" $backendUri }}{{ $backendKind = "sqlite" }}
{{- else if or (hasPrefix "file:" $backendUri) (hasPrefix "/" $backendUri) }}{{ $backendKind = "file" }}
{{- end -}}
{{- $backendPath := "" -}}
{{- if not $fromSecret }}{{ $backendPath = include "mlflow.localPath" $backendUri }}{{ end -}}
{{- $artifactsPath := include "mlflow.localPath" $m.artifactsDestination -}}
{{- $storage := $v.storage.enabled -}}
{{- if kindIs "invalid" $storage }}{{ $storage = or $embedded (ne $backendPath "") (ne $artifactsPath "") }}{{ end -}}
{{- $noServe := or (has "no_serve_artifacts" $v.server.flag_options) (has "no-serve-artifacts" $v.server.flag_options) (eq (toString (index $vo "serve_artifacts")) "false") (eq (toString (index $vo "no_serve_artifacts")) "true") -}}
{{- $artifacts := $m.artifactsDestination -}}
{{- if and (empty $artifacts) $storage (not $noServe) }}{{ $artifacts = printf "%s/artifacts" $mountPath }}{{ $artifactsPath = $artifacts }}{{ end -}}
{{- $rwo := and $storage (has $v.storage.accessMode (list "ReadWriteOnce" "ReadWriteOncePod")) -}}
{{- $localStore := or (eq $backendKind "sqlite") (eq $backendKind "file") -}}
{{- $workers := $v.server.workers -}}
{{- if not (kindIs "invalid" (index $vo "workers")) }}{{ $workers = index $vo "workers" }}{{ end -}}
{{- $manyReplicas := or (gt (int $v.replicaCount) 1) $v.autoscaling.enabled -}}
{{- $jobs := $v.server.jobExecution -}}
{{- if kindIs "invalid" $jobs }}{{ $jobs = not $manyReplicas }}{{ end -}}
{{- /* Idle memory measured on MLflow 3.11 (PSS, MiB): about 200 + 160 per worker + 1070 for the job runner. */ -}}
{{- $idle := add 200 (mul 160 (int64 $workers)) (ternary 1070 0 $jobs) -}}
{{- $request := mul (div (add (div (mul $idle 12) 10) 63) 64) 64 -}}
{{- $limit := mul (div (add (div (mul $idle 16) 10) 255) 256) 256 -}}
{{- $resources := $v.resources -}}
{{- if empty $resources }}
{{- $resources = dict "requests" (dict "cpu" "250m" "memory" (printf "%dMi" $request)) "limits" (dict "memory" (printf "%dMi" $limit)) }}
{{- end -}}
{{- $auth := or $v.auth.enabled (eq (toString (index $vo "app_name")) "basic-auth") -}}
{{- /* The users database: auth.databaseUri(From) when given, else the backend store's database when it
is a database server (MLflow's auth tables and their alembic_version_auth table do not collide with
the tracking schema), else SQLite on the claim. A Secret-held URI travels as authSecretRef. */ -}}
{{- $authSecretRef := dict -}}
{{- $authUri := $v.auth.databaseUri -}}
{{- $authSource := "auth.databaseUri" -}}
{{- if not (empty (dig "secretKeyRef" "name" "" ($v.auth.databaseUriFrom | default dict))) }}
{{- $authSecretRef = $v.auth.databaseUriFrom.secretKeyRef }}{{ $authUri = "" }}{{ $authSource = "auth.databaseUriFrom" }}
{{- else if and $auth (empty $authUri) (eq $backendKind "secret") }}
{{- $authSecretRef = $m.backendStoreUriFrom.secretKeyRef }}{{ $authSource = "backend" }}
{{- else if and $auth (empty $authUri) (eq $backendKind "database") }}
{{- $authUri = $backendUri }}{{ $authSource = "backend" }}
{{- else if and $auth (empty $authUri) $storage }}
{{- $authUri = printf "sqlite:///%s/basic_auth.db" $mountPath }}{{ $authSource = "claim" }}
{{- end -}}
{{- $authFromSecret := not (empty $authSecretRef) -}}
{{- $workspaces := or (has "enable_workspaces" $v.server.flag_options) (has "enable-workspaces" $v.server.flag_options) (eq (toString (index $vo "enable_workspaces")) "true") -}}
{{- /* Allowed hosts: MLflow answers 403 to any other Host header, and an explicit list replaces its defaults. */ -}}
{{- $hosts := list -}}
{{- $userHosts := index $vo "allowed_hosts" | default list -}}
{{- if not (kindIs "slice" $userHosts) }}{{ $userHosts = splitList "," (toString $userHosts) }}{{ end -}}
{{- range $userHosts }}{{ $h := trim (toString .) }}{{ if $h }}{{ $hosts = append $hosts $h }}{{ end }}{{ end -}}
{{- if $v.server.allowedHosts.derive }}
{{- if $v.ingress.enabled }}{{ range $v.ingress.hosts }}{{ $hosts = append $hosts .host }}{{ end }}{{ end }}
{{- if $v.httpRoute.enabled }}{{ $hosts = concat $hosts $v.httpRoute.hostnames }}{{ end }}
{{- range $name := list $fullname (printf "%s.%s" $fullname $.Release.Namespace) (printf "%s.%s.svc" $fullname $.Release.Namespace) (printf "%s.%s.svc.%s" $fullname $.Release.Namespace $v.clusterDomain) }}
{{- $hosts = append $hosts $name }}
{{- $hosts = append $hosts (printf "%s:%v" $name $v.service.port) }}
{{- end }}
{{- $hosts = concat $hosts (list "localhost" "localhost:*" "127.0.0.1" "127.0.0.1:*" "[::1]" "[[]::1]:*") }}
{{- if $v.server.allowedHosts.privateNetworks }}
{{- /* The RFC 1918 ranges, where pod IPs live: Prometheus and kubelet probes call pods by IP. */}}
{{- $hosts = concat $hosts (list "10.*"
      "172.16.*" "172.17.*" "172.18.*" "172.19.*" "172.20.*" "172.21.*" "172.22.*" "172.23.*"
      "172.24.*" "172.25.*" "172.26.*" "172.27.*" "172.28.*" "172.29.*" "172.30.*" "172.31.*"
      "192.168.*") }}
{{- end }}
{{- end -}}
{{- $strategy := $v.deploymentStrategy -}}
{{- if empty $strategy }}
{{- if or $localStore $rwo }}
{{- $strategy = dict "type" "Recreate" }}
{{- else }}
{{- $strategy = dict "type" "RollingUpdate" "rollingUpdate" (dict "maxSurge" 1 "maxUnavailable" 0) }}
{{- end }}
{{- end -}}
{{- $svcHost := printf "%s.%s.svc.%s:%v" $fullname .Release.Namespace $v.clusterDomain $v.service.port -}}
{{- $_ := set .Values "__mlflowSettings" (dict
      "name" (include "mlflow.name" .)
      "fullname" $fullname
      "serviceAccountName" (include "mlflow.serviceAccountName" .)
      "labels" (dict
        "server" (include "mlflow.labels" (list . "server"))
        "migrate" (include "mlflow.labels" (list . "migrate"))
        "gc" (include "mlflow.labels" (list . "gc"))
        "test" (include "mlflow.labels" (list . "test")))
      "selectorLabels" (include "mlflow.selectorLabels" (list . "server"))
      "embedded" $embedded
      "backendKind" $backendKind
      "backendUri" $backendUri
      "backendPath" $backendPath
      "artifactsDestination" $artifacts
      "artifactsPath" $artifactsPath
      "serveArtifacts" (not $noServe)
      "storage" $storage
      "claimName" (default (printf "%s-data" $fullname) $v.storage.existingClaim)
      "mountPath" $mountPath
      "readWriteOnce" $rwo
      "localStore" $localStore
      "workers" (int64 $workers)
      "jobExecution" $jobs
      "idleMiB" $idle
      "requestMiB" $request
      "limitMiB" $limit
      "resources" $resources
      "strategy" $strategy
      "healthPath" (printf "%s/health" (trimSuffix "/" $v.server.staticPrefix))
      "tls" $v.tls.enabled
      "portName" (ternary "https" "http" $v.tls.enabled)
      "scheme" (ternary "HTTPS" "HTTP" $v.tls.enabled)
      "auth" $auth
      "authUri" $authUri
      "authFromSecret" $authFromSecret
      "authSecretRef" $authSecretRef
      "authSource" $authSource
      "workspaces" $workspaces
      "allowedHosts" (uniq $hosts)
      "manyReplicas" $manyReplicas
      "rbac" (or (not (empty $v.namespace_rbac.extraRules)) (not (empty $v.cluster_rbac.extraRules)))
      "serviceHost" $svcHost
      "trackingUri" (printf "%s://%s%s" (ternary "https" "http" $v.tls.enabled) $svcHost (trimSuffix "/" $v.server.staticPrefix))
    ) }}
{{- end }}

{{/*
A memory quantity in MiB, rounded down, or -1 when it cannot be read (e.g. "2Gi" -> 2048,
"1500M" -> 1430, 2147483648 -> 2048).
*/}}
{{- define "mlflow.mebibytes" -}}
{{- $q := . -}}
{{- if or (kindIs "float64" $q) (kindIs "int64" $q) (kindIs "int" $q) }}{{ $q = printf "%.0f" (float64 $q) }}{{ end -}}
{{- $q = toString $q -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $factors := dict "" 0.00000095367431640625 "k" 0.0009765625 "Ki" 0.0009765625 "M" 0.95367431640625 "Mi" 1.0 "G" 953.67431640625 "Gi" 1024.0 "T" 953674.31640625 "Ti" 1048576.0 -}}
{{- $unit := trimPrefix $number $q -}}
{{- if and $number (hasKey $factors $unit) }}
{{- mulf (float64 $number) (index $factors $unit) | floor | int64 }}
{{- else }}-1{{ end }}
{{- end }}

{{/*
Arguments of `mlflow server`. value_options keys render as --dashed-keys in sorted order;
true is a bare flag; false, null and "" render nothing; lists are comma-joined. host, port and
workers are the chart's own (checked in _validate.tpl), store URIs never reach argv.
Call with (dict "root" $ "settings" $s).
*/}}
{{- define "mlflow.serverArgs" -}}
{{- $v := .root.Values -}}
{{- $s := .settings -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- /* The options as MLflow gets them: the user's, with the chart's own merged in. */ -}}
{{- $opts := omit $vo "host" "port" "workers" "allowed_hosts" -}}
{{- if $v.metrics.enabled }}{{ $_ := set $opts "expose_prometheus" "/var/run/mlflow/metrics" }}{{ end -}}
{{- with $s.allowedHosts }}{{ $_ := set $opts "allowed_hosts" . }}{{ end -}}
{{- if and $s.auth (not (index $vo "app_name")) }}{{ $_ := set $opts "app_name" "basic-auth" }}{{ end -}}
{{- if $s.tls }}
{{- /* One *_opts only: the user's server options and the certificate merged. */ -}}
{{- if index $vo "gunicorn_opts" }}
{{- $_ := set $opts "gunicorn_opts" (printf "%s --certfile=/etc/mlflow/tls/tls.crt --keyfile=/etc/mlflow/tls/tls.key" (index $vo "gunicorn_opts")) }}
{{- else }}
{{- $_ := set $opts "uvicorn_opts" (trim (printf "%s --ssl-certfile=/etc/mlflow/tls/tls.crt --ssl-keyfile=/etc/mlflow/tls/tls.key" (toString (index $vo "uvicorn_opts" | default "")))) }}
{{- end }}
{{- end -}}
- server
- --host
- {{ index $vo "host" | default "0.0.0.0" | quote }}
- --port
- "5000"
- --workers={{ $s.workers }}
{{- with $v.server.staticPrefix }}
- --static-prefix={{ trimSuffix "/" . }}
{{- end }}
{{- range $key, $val := $opts }}
{{- $flag := printf "--%s" ($key | replace "_" "-") }}
{{- if kindIs "bool" $val }}
{{- if $val }}
- {{ $flag }}
{{- end }}
{{- else if kindIs "slice" $val }}
{{- if $val }}
- {{ printf "%s=%s" $flag (join "," $val) | quote }}
{{- end }}
{{- else if not (or (kindIs "invalid" $val) (eq (toString $val) "")) }}
{{- if and (kindIs "float64" $val) (eq (float64 (int64 $val)) $val) }}{{ $val = int64 $val }}{{ end }}
- {{ printf "%s=%v" $flag $val | quote }}
{{- end }}
{{- end }}
{{- range $v.server.flag_options }}
- {{ printf "--%s" (trimPrefix "--" . | replace "_" "-") | quote }}
{{- end }}
{{- end }}

{{/*
Store settings as MLflow's environment variables: plain values or Secret references, never
argv. Shared by every pod that talks to the stores. Call with (dict "root" $ "settings" $s).
*/}}
{{- define "mlflow.storeEnv" -}}
{{- $m := .root.Values.mlflow -}}
{{- $s := .settings -}}
{{- with $m.uriVariables }}{{ toYaml . }}
{{ end -}}
- name: MLFLOW_BACKEND_STORE_URI
{{- if eq $s.backendKind "secret" }}
  valueFrom:
    secretKeyRef: {{- toYaml $m.backendStoreUriFrom.secretKeyRef | nindent 6 }}
{{- else }}
  value: {{ $s.backendUri | quote }}
{{- end }}
{{- if dig "secretKeyRef" "name" "" ($m.registryStoreUriFrom | default dict) }}
- name: MLFLOW_REGISTRY_STORE_URI
  valueFrom:
    secretKeyRef: {{- toYaml $m.registryStoreUriFrom.secretKeyRef | nindent 6 }}
{{- else if $m.registryStoreUri }}
- name: MLFLOW_REGISTRY_STORE_URI
  value: {{ $m.registryStoreUri | quote }}
{{- end }}
{{- with $m.defaultArtifactRoot }}
- name: MLFLOW_DEFAULT_ARTIFACT_ROOT
  value: {{ . | quote }}
{{- end }}
{{- with $s.artifactsDestination }}
- name: MLFLOW_ARTIFACTS_DESTINATION
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The basic-auth users database URI as MLFLOW_AUTH_DATABASE_URI (the chart's own name). Call with (dict "root" $ "settings" $s). */}}
{{- define "mlflow.authDatabaseEnv" -}}
- name: {{ .name | default "MLFLOW_AUTH_DATABASE_URI" }}
{{- if .settings.authFromSecret }}
  valueFrom:
    secretKeyRef: {{- toYaml .settings.authSecretRef | nindent 6 }}
{{- else }}
  value: {{ .settings.authUri | quote }}
{{- end }}
{{- end }}

{{/*
The basic-auth INI as the chart writes it. admin_username/admin_password are MLflow's public
defaults unless auth.admin.existingSecret is set, in which case the init container replaces
them; database_uri likewise when it comes from a Secret. Call with (dict "root" $ "settings" $s).
*/}}
{{- define "mlflow.authIni" -}}
{{- $a := .root.Values.auth -}}
[mlflow]
default_permission = {{ $a.defaultPermission }}
database_uri = {{ .settings.authUri }}
admin_username = admin
admin_password = password1234
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
auth_cache_ttl_seconds = {{ int $a.cacheTtlSeconds }}
{{- end }}

{{/*
The database preparation script of the migration hook, run once per install or upgrade before
any server pod starts:
- a store with tables gets `mlflow db upgrade`;
- then every store is initialized as `mlflow server` does at start (initialize_backend_stores):
  on a brand-new database that creates the schema and the default experiment, here, once,
  instead of in every server pod at the same moment (two pods creating one schema collide on
  unique constraints, and `mlflow db upgrade` alone fails on an empty database);
- the basic-auth users database is created or upgraded (its own alembic_version_auth table),
  and with auth.admin.existingSecret the admin user is given that Secret's password, since
  MLflow itself only reads the admin credentials when it creates the user.
The URIs come from the environment (Secret references) and are handed to MLflow in-process, so
they never appear in a command line.
*/}}
{{- define "mlflow.migrateScript" -}}
- |
  import os, sys
  import sqlalchemy
  from mlflow.cli import cli

  def fail(text):
      print(f"FAILED: {text}", flush=True)
      sys.exit(1)

  def has_tables(uri):
      engine = sqlalchemy.create_engine(uri)
      try:
          return bool(sqlalchemy.inspect(engine).get_table_names())
      finally:
          engine.dispose()

  backend = os.environ["MLFLOW_BACKEND_STORE_URI"]
  registry = os.environ.get("MLFLOW_REGISTRY_STORE_URI") or backend
  auth = os.environ.get("MLFLOW_AUTH_DATABASE_URI")
  for name, uri in (("backend store", backend), ("registry store", registry), ("users database", auth)):
      if uri and uri.split(":", 1)[0] == "postgres":
          fail(f"the {name} URI has the scheme postgres, an alias SQLAlchemy refuses; write it as postgresql in the Secret")

  stores = [("backend store", backend)] + ([("registry store", registry)] if registry != backend else [])
  for name, uri in stores:
      if has_tables(uri):
          print(f"{name}: upgrading the schema", flush=True)
          cli.main(args=["db", "upgrade", uri], standalone_mode=False)
      else:
          print(f"{name}: empty database, creating the schema", flush=True)

  from mlflow.server.handlers import initialize_backend_stores
  from mlflow.utils.server_cli_utils import resolve_default_artifact_root
  root = resolve_default_artifact_root(True, os.environ.get("MLFLOW_DEFAULT_ARTIFACT_ROOT"), backend)
  initialize_backend_stores(backend, registry, root)
  print("tracking stores ready", flush=True)

  if auth:
      from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
      users = SqlAlchemyStore()
      users.init_db(auth)
      print("users database ready", flush=True)
      admin, password = os.environ.get("MLFLOW_AUTH_ADMIN_USERNAME"), os.environ.get("MLFLOW_AUTH_ADMIN_PASSWORD")
      if admin and password:
          if not users.has_user(admin):
              users.create_user(admin, password, is_admin=True)
              print(f"admin user {admin!r} created from auth.admin.existingSecret", flush=True)
          elif users.authenticate_user(admin, password):
              print(f"admin user {admin!r} already has the password of auth.admin.existingSecret", flush=True)
          else:
              users.update_user(admin, password=password, is_admin=True)
              print(f"admin user {admin!r}: password set from auth.admin.existingSecret", flush=True)
  print("migrations done", flush=True)
{{- end }}

{{/*
Arguments of `mlflow gc`. It takes the backend store only as --backend-store-uri (there is no
environment variable for it), so the argument names the pod's MLFLOW_BACKEND_STORE_URI and the
kubelet fills it in when the container starts: the object itself carries no credential. The
tracking URI, artifacts destination and credentials come from MLflow's environment variables.
*/}}
{{- define "mlflow.gcArgs" -}}
{{- $gc := .Values.garbageCollection -}}
- gc
- --backend-store-uri
- $(MLFLOW_BACKEND_STORE_URI)
{{- with $gc.olderThan }}
- --older-than
- {{ . | quote }}
{{- end }}
{{- if $gc.allWorkspaces }}
- --all-workspaces
{{- end }}
{{- end }}

{{/*
Environment of a pod that calls the server as a client (GC, helm test): where the server is,
how to trust its certificate, and the admin credentials under basic auth.
Call with (dict "root" $ "settings" $s).
*/}}
{{- define "mlflow.clientEnv" -}}
{{- $v := .root.Values -}}
- name: MLFLOW_TRACKING_URI
  value: {{ .settings.trackingUri | quote }}
{{- if .settings.tls }}
- name: MLFLOW_TRACKING_SERVER_CERT_PATH
  value: /etc/mlflow/tls/ca.crt
{{- end }}
{{- if and .settings.auth $v.auth.admin.existingSecret }}
- name: MLFLOW_TRACKING_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.admin.existingSecret }}
      key: {{ $v.auth.admin.usernameKey }}
- name: MLFLOW_TRACKING_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.admin.existingSecret }}
      key: {{ $v.auth.admin.passwordKey }}
{{- end }}
{{- end }}

{{/* Pod affinity that puts a pod on the node of a server pod: the one way to share a ReadWriteOnce claim. */}}
{{- define "mlflow.nextToServer" -}}
podAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- .Values.__mlflowSettings.selectorLabels | nindent 10 }}
{{- end }}

{{/* The preferred form of the same: near a server pod when the scheduler can, elsewhere when it cannot. */}}
{{- define "mlflow.nearServer" -}}
podAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .Values.__mlflowSettings.selectorLabels | nindent 12 }}
{{- end }}

{{/*
The `helm test` script: what the docs' "Connecting the MLflow Client" section does, step by
step, against the Service, failing loudly on the first step that does not work.
*/}}
{{- define "mlflow.testScript" -}}
- |
  import os, sys, time
  import requests
  import mlflow
  from mlflow import MlflowClient

  uri = os.environ["MLFLOW_TRACKING_URI"]
  verify = os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH", True)

  def step(text):
      print(f"--- {text}", flush=True)

  def check(ok, text):
      if not ok:
          print(f"FAILED: {text}", flush=True)
          sys.exit(1)

  step(f"GET {uri}/health")
  try:
      answer = requests.get(f"{uri}/health", timeout=30, verify=verify)
  except requests.exceptions.ConnectionError as error:
      check(False, f"no server answers at {uri} ({type(error).__name__}).\n{os.environ.get('MLFLOW_TEST_NOT_SERVING_HINT', '')}")
  check(answer.status_code == 200 and answer.text.strip() == "OK", f"/health answered {answer.status_code}: {answer.text[:200]}")

  if os.environ.get("MLFLOW_TEST_AUTH_WITHOUT_USER") == "true":
      step("basic auth: the API must refuse a request without credentials")
      answer = requests.get(f"{uri}/api/2.0/mlflow/experiments/search?max_results=1", timeout=30, verify=verify)
      check(answer.status_code == 401, f"expected 401 without credentials, got {answer.status_code}")
      print("Basic auth works. Set auth.admin.existingSecret to let helm test run the full client flow.")
      sys.exit(0)

  mlflow.set_tracking_uri(uri)
  client = MlflowClient()
  step("create an experiment")
  experiment = mlflow.create_experiment(f"helm-test-{int(time.time())}")
  step("start a run, log a parameter and a metric, upload an artifact")
  with mlflow.start_run(experiment_id=experiment) as run:
      mlflow.log_param("learning_rate", 0.01)
      mlflow.log_metric("accuracy", 0.95)
      mlflow.log_text("written by helm test\n", "helm-test/hello.txt")
  step("read the run back")
  stored = client.get_run(run.info.run_id)
  check(stored.data.params.get("learning_rate") == "0.01", f"parameter read back as {stored.data.params}")
  check(stored.data.metrics.get("accuracy") == 0.95, f"metric read back as {stored.data.metrics}")
  step("download the artifact")
  text = mlflow.artifacts.load_text(f"{run.info.artifact_uri}/helm-test/hello.txt")
  check(text == "written by helm test\n", f"artifact read back as {text!r}")
  step("delete the test experiment (mlflow gc removes it for good later)")
  client.delete_experiment(experiment)
  print("helm test: every step passed", flush=True)
{{- end }}
