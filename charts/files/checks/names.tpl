{{- /*
Names, Secret keys, namespaces, hosts, label keys and values, which Kubernetes refuses when they
do not fit its rules. Each kind is one match over all its values; the loop that names the
culprit only runs when that match fails.
*/ -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
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
