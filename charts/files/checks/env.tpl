{{- /*
The env list: credentials named as such, variables the chart sets itself, MLFLOW_WORKSPACE and an
INI path without basic auth.
*/ -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $s := .settings -}}
{{- range $i, $e := $v.env }}
{{- if and $e.value (regexMatch "(?i)(PASSWORD|PASSWD|SECRET|TOKEN|_KEY$)" $e.name) (not (regexMatch "(?i)_(FILE|PATH|DIR)$" $e.name)) (not (regexMatch "^\\$\\([A-Za-z_][A-Za-z0-9_]*\\)$" $e.value)) }}
{{- fail (printf "mlflow: env[%d] sets %s as plain text, and its name says it holds a credential, which anyone who can read the pod spec would see; take it from a Secret: {name: %s, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}} (names ending in _FILE, _PATH or _DIR are locations and may be plain)" $i $e.name $e.name) }}
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
