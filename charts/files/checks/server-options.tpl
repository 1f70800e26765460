{{- /*
server.value_options: what the chart sets itself, and combinations mlflow server refuses.
*/ -}}
{{- $v := .root.Values -}}
{{- $vo := $v.server.value_options | default dict -}}
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
