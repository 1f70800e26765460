{{/*
Environment blocks, as YAML lists. Each define takes (dict "root" $ "settings" $s) unless it
says otherwise. Credentials only ever travel as secretKeyRef.
*/}}

{{/* Store settings as MLflow's environment variables: plain values or Secret references, never argv. Every pod that talks to the stores has them. */}}
{{- define "mlflow.storeEnv" -}}
{{- $m := .root.Values.mlflow -}}
{{- $s := .settings -}}
{{- with $m.uriVariables }}
{{ toYaml . }}
{{- end }}
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

{{/* The basic-auth users database URI, as MLFLOW_AUTH_DATABASE_URI or the name given in .name. */}}
{{- define "mlflow.authDatabaseEnv" -}}
- name: {{ .name | default "MLFLOW_AUTH_DATABASE_URI" | quote }}
{{- if .settings.authFromSecret }}
  valueFrom:
    secretKeyRef: {{- toYaml .settings.authSecretRef | nindent 6 }}
{{- else }}
  value: {{ .settings.authUri | quote }}
{{- end }}
{{- end }}

{{/* A user name and its password from one Secret, as .prefix USERNAME and .prefix PASSWORD. Takes (dict "prefix" "secret" "usernameKey" "passwordKey"). */}}
{{- define "mlflow.userEnv" -}}
- name: {{ printf "%sUSERNAME" .prefix | quote }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .usernameKey | quote }}
- name: {{ printf "%sPASSWORD" .prefix | quote }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .passwordKey | quote }}
{{- end }}

{{/* The admin user of auth.admin.existingSecret, under the names given in .prefix. */}}
{{- define "mlflow.adminEnv" -}}
{{- $a := .root.Values.auth.admin -}}
{{ include "mlflow.userEnv" (dict "prefix" .prefix "secret" $a.existingSecret "usernameKey" $a.usernameKey "passwordKey" $a.passwordKey) }}
{{- end }}

{{/* The server container's own variables beyond the stores: the job runner, and the basic-auth configuration. */}}
{{- define "mlflow.serverEnv" -}}
{{- $v := .root.Values -}}
{{- $s := .settings -}}
{{- if $s.auth }}
{{- if not $s.authIni }}
- name: MLFLOW_AUTH_CONFIG_PATH
  value: /etc/mlflow/auth/basic_auth.ini
{{- end }}
{{- with $v.auth.secretKey.existingSecret }}
- name: MLFLOW_FLASK_SERVER_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $v.auth.secretKey.key | quote }}
{{- end }}
{{- end }}
{{- if $s.oidc }}
{{ include "mlflow.oidcEnv" . }}
{{- end }}
- name: MLFLOW_SERVER_ENABLE_JOB_EXECUTION
  value: {{ toString $s.jobExecution | quote }}
{{- end }}

{{/* The plugin's users database, as OIDC_USERS_DB_URI: a plain URI or a Secret reference. */}}
{{- define "mlflow.oidcDatabaseEnv" -}}
- name: OIDC_USERS_DB_URI
{{- if .settings.oidcFromSecret }}
  valueFrom:
    secretKeyRef: {{- toYaml .settings.oidcSecretRef | nindent 6 }}
{{- else }}
  value: {{ .settings.oidcUri | quote }}
{{- end }}
{{- if eq .settings.oidcSource "backend" }}
{{- /* Beside MLflow's tables, which keep their revision in alembic_version. */}}
- name: OIDC_ALEMBIC_VERSION_TABLE
  value: "alembic_version_oidc_auth"
{{- end }}
{{- end }}

{{/*
What the mlflow-oidc-auth plugin reads in the server pod: the provider, the client (its secret
only as a Secret reference), the groups, the session key (auth.secretKey, the same in every worker
and replica), the users database and the cookie settings.
*/}}
{{- define "mlflow.oidcEnv" -}}
{{- $v := .root.Values -}}
{{- $o := $v.auth.oidc -}}
{{- $s := .settings -}}
- name: OIDC_DISCOVERY_URL
  value: {{ $o.discoveryUrl | quote }}
- name: OIDC_CLIENT_ID
  value: {{ $o.clientId | quote }}
- name: OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $o.clientSecret.existingSecret | quote }}
      key: {{ $o.clientSecret.key | quote }}
{{- /* Space-separated, as OAuth 2.0 writes scopes: a comma-joined list reaches the provider as one unknown scope (oidc-provider then answers access_denied). */}}
- name: OIDC_SCOPE
  value: {{ join " " $o.scopes | quote }}
- name: OIDC_GROUPS_ATTRIBUTE
  value: {{ $o.groupsClaim | quote }}
- name: OIDC_GROUP_NAME
  value: {{ join "," $o.groups | quote }}
- name: OIDC_ADMIN_GROUP_NAME
  value: {{ join "," $o.adminGroups | quote }}
- name: DEFAULT_MLFLOW_PERMISSION
  value: {{ $o.defaultPermission | quote }}
{{- with $s.redirectUri }}
- name: OIDC_REDIRECT_URI
  value: {{ . | quote }}
- name: SESSION_COOKIE_SECURE
  value: {{ hasPrefix "https://" . | toString | quote }}
{{- end }}
{{- with $o.providerDisplayName }}
- name: OIDC_PROVIDER_DISPLAY_NAME
  value: {{ . | quote }}
{{- end }}
{{- with $o.audience }}
- name: OIDC_AUDIENCE
  value: {{ . | quote }}
{{- end }}
{{- with $o.trustedProxies }}
- name: TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
{{- with dig "secretKeyRef" "name" "" ($o.redisUrlFrom | default dict) }}
- name: CACHE_BACKEND
  value: "redis"
- name: CACHE_REDIS_URL
  valueFrom:
    secretKeyRef: {{- toYaml $o.redisUrlFrom.secretKeyRef | nindent 6 }}
{{- end }}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.auth.secretKey.existingSecret | quote }}
      key: {{ $v.auth.secretKey.key | quote }}
{{ include "mlflow.oidcDatabaseEnv" . }}
{{- end }}

{{/* The service account of auth.oidc.serviceAccount.existingSecret, under the names given in .prefix (its token is its password). */}}
{{- define "mlflow.oidcServiceAccountEnv" -}}
{{- $a := .root.Values.auth.oidc.serviceAccount -}}
{{ include "mlflow.userEnv" (dict "prefix" .prefix "secret" $a.existingSecret "usernameKey" $a.usernameKey "passwordKey" $a.tokenKey) }}
{{- end }}

{{/* The plugin's migration step: its users database, and the service account to create. Where it runs says settings.oidcInPod. */}}
{{- define "mlflow.oidcMigrateEnv" -}}
{{ include "mlflow.oidcDatabaseEnv" . }}
{{- if .root.Values.auth.oidc.serviceAccount.existingSecret }}
{{ include "mlflow.oidcServiceAccountEnv" (dict "root" .root "prefix" "MLFLOW_OIDC_SERVICE_ACCOUNT_") }}
{{- end }}
{{- end }}

{{/* The migration Job's variables beyond the stores: workspaces, the users database and its admin. */}}
{{- define "mlflow.migrateEnv" -}}
{{- $s := .settings -}}
{{- if $s.workspaces }}
- name: MLFLOW_ENABLE_WORKSPACES
  value: "true"
{{- end }}
{{- if and $s.oidc (not $s.oidcInPod) }}
{{ include "mlflow.oidcMigrateEnv" . }}
{{- end }}
{{- if and $s.auth (not $s.authIni) }}
{{ include "mlflow.authDatabaseEnv" (dict "settings" $s) }}
{{- if .root.Values.auth.admin.existingSecret }}
{{ include "mlflow.adminEnv" (dict "root" .root "prefix" "MLFLOW_AUTH_ADMIN_") }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment of a pod that calls the server as a client (GC, helm test): where the server is,
how to trust its certificate, and the admin credentials under basic auth.
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
{{ include "mlflow.adminEnv" (dict "root" .root "prefix" "MLFLOW_TRACKING_") }}
{{- end }}
{{- if and .settings.oidc $v.auth.oidc.serviceAccount.existingSecret }}
{{ include "mlflow.oidcServiceAccountEnv" (dict "root" .root "prefix" "MLFLOW_TRACKING_") }}
{{- end }}
{{- end }}

{{/* The helm test pod: a client, plus what to say when no server answers, and whether it has a user to log in with. */}}
{{- define "mlflow.testEnv" -}}
{{- $v := .root.Values -}}
{{- $s := .settings -}}
{{- $ns := .root.Release.Namespace -}}
{{- /* What to look at when no server pod answers: most often a pod that never started. */ -}}
{{- $hint := printf "Look at the server pods: kubectl get pods,pvc -n %s -l app.kubernetes.io/instance=%s, and kubectl describe the one that is not Ready." $ns .root.Release.Name -}}
{{- if and $s.storage (not $v.storage.existingClaim) }}
{{- $hint = printf "%s A pod stays Pending while its claim %s is unbound: the claim asks for %s, which must exist (kubectl get storageclass)." $hint $s.claimName (ternary "the cluster's default storage class" (printf "storage class %q" $v.storage.storageClassName) (empty $v.storage.storageClassName)) }}
{{- end -}}
{{ include "mlflow.clientEnv" . }}
- name: MLFLOW_TEST_NOT_SERVING_HINT
  value: {{ $hint | quote }}
{{- if or (and $s.auth (not $v.auth.admin.existingSecret)) (and $s.oidc (not $v.auth.oidc.serviceAccount.existingSecret)) }}
- name: MLFLOW_TEST_AUTH_WITHOUT_USER
  value: "true"
{{- end }}
{{- end }}

{{/*
The basic-auth INI as the chart writes it (text, not YAML: the Secret places it with toYaml).
admin_username/admin_password are MLflow's public defaults unless auth.admin.existingSecret is
set, in which case the init container replaces them; database_uri likewise when it comes from a
Secret. The URI cannot break a line: _validate.tpl only admits single-line store URIs.
*/}}
{{- define "mlflow.authIni" -}}
{{- $a := .root.Values.auth -}}
{{- list "[mlflow]"
      (printf "default_permission = %s" $a.defaultPermission)
      (printf "database_uri = %s" .settings.authUri)
      "admin_username = admin"
      "admin_password = password1234"
      "authorization_function = mlflow.server.auth:authenticate_request_basic_auth"
      (printf "auth_cache_ttl_seconds = %d" (int $a.cacheTtlSeconds)) | join "\n" }}
{{- end }}
