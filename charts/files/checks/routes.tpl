{{- /*
Ingress, HTTPRoute and OpenShift Route: hosts Kubernetes takes, and the combinations that cannot work.
*/ -}}
{{- $v := .root.Values -}}
{{- $s := .settings -}}
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
