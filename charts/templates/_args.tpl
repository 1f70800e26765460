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
{{- if and $s.oidc (not (index $vo "app_name")) }}{{ $_ := set $opts "app_name" "oidc-auth" }}{{ end -}}
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
- {{ index $vo "host" | default "0.0.0.0" | toString | quote }}
- --port
- "5000"
- {{ printf "--workers=%d" $s.workers | quote }}
{{- with $v.server.staticPrefix }}
- {{ printf "--static-prefix=%s" (trimSuffix "/" .) | quote }}
{{- end }}
{{- range $key, $val := $opts }}
{{- $flag := printf "--%s" ($key | replace "_" "-") }}
{{- if kindIs "bool" $val }}
{{- if $val }}
- {{ $flag | quote }}
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
