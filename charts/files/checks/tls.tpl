{{- /*
TLS: the server serves HTTPS itself, with the certificate of tls.secretName.
*/ -}}
{{- $v := .root.Values -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- if and $v.tls.enabled (not $v.tls.secretName) }}
{{- fail "mlflow: tls.enabled=true but tls.secretName is empty, so the server has no certificate; create one with kubectl create secret tls mlflow-tls --cert=tls.crt --key=tls.key and set tls.secretName=mlflow-tls" }}
{{- end }}
{{- if and $v.tls.enabled (index $vo "waitress_opts") }}
{{- fail "mlflow: tls.enabled=true cannot work with server.value_options.waitress_opts: waitress serves no HTTPS; remove waitress_opts (the default uvicorn server takes the certificate)" }}
{{- end }}
{{- if and $v.tls.enabled (or (index $vo "dev") (has "dev" $v.server.flag_options)) }}
{{- fail "mlflow: tls.enabled=true cannot work with the dev option (Flask's development server takes no certificate); remove dev" }}
{{- end }}
