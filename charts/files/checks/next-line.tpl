{{- /*
Fails naming the first value (a map, list or string at .path, under .value) that holds U+0085.
*/ -}}
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
{{- include "mlflow.refuseNextLine" . }}
