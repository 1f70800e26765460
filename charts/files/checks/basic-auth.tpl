{{- /*
Basic auth: the Flask key, the users database, the upstream chart's own INI.
*/ -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $s := .settings -}}
{{- $vo := $v.server.value_options | default dict -}}
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
