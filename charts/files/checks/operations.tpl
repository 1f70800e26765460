{{- /*
Metrics, monitoring, GC, NetworkPolicy, autoscaling and ExternalSecrets.
*/ -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $s := .settings -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- if hasKey $vo "expose_prometheus" }}
{{- fail "mlflow: server.value_options.expose_prometheus is set by the chart; use metrics.enabled=true (the chart gives the exporter a writable directory)" }}
{{- end }}
{{- range $what := list "serviceMonitor" "prometheusRule" "grafanaDashboard" }}
{{- if and (index $v $what).enabled (not $v.metrics.enabled) }}
{{- fail (printf "mlflow: %s.enabled=true needs the metrics it is built on; set metrics.enabled=true" $what) }}
{{- end }}
{{- end }}
{{- if and $v.serviceMonitor.enabled $s.auth (not (or $v.serviceMonitor.basicAuthSecret $v.auth.admin.existingSecret)) }}
{{- fail "mlflow: serviceMonitor.enabled=true under basic auth needs credentials, since /metrics answers 401 without them; set serviceMonitor.basicAuthSecret (keys username and password) or auth.admin.existingSecret" }}
{{- end }}
{{- if and $v.serviceMonitor.enabled $v.server.allowedHosts.derive (not $v.server.allowedHosts.privateNetworks) }}
{{- fail "mlflow: serviceMonitor.enabled=true with server.allowedHosts.privateNetworks=false: Prometheus scrapes pods by IP, and MLflow would answer it 403; set server.allowedHosts.privateNetworks=true or list your pod network in server.value_options.allowed_hosts with privateNetworks left on" }}
{{- end }}
{{- $gc := $v.garbageCollection }}
{{- if $gc.enabled }}
{{- if and $gc.allWorkspaces (not $s.workspaces) }}
{{- fail "mlflow: garbageCollection.allWorkspaces=true but workspaces are not enabled; add enable_workspaces to server.flag_options or set garbageCollection.allWorkspaces=false" }}
{{- end }}
{{- if not (has (trimSuffix "" $s.serviceHost) $s.allowedHosts) }}
{{- fail (printf "mlflow: garbageCollection calls the server as %s, which MLflow's allowed hosts do not admit, so every run would get HTTP 403; keep server.allowedHosts.derive=true or add that host to server.value_options.allowed_hosts" $s.serviceHost) }}
{{- end }}
{{- if and $s.auth (not $v.auth.admin.existingSecret) }}
{{- fail "mlflow: garbageCollection under basic auth needs a user to call the server with; set auth.admin.existingSecret (a Secret with the keys username and password)" }}
{{- end }}
{{- end }}
{{- range $i, $peer := $v.networkPolicy.ingressFrom }}
{{- if and (hasKey $peer "namespaceSelector") (empty $peer.namespaceSelector) }}
{{- fail (printf "mlflow: networkPolicy.ingressFrom[%d] has an empty namespaceSelector, which admits every namespace; select the namespace, e.g. {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}" $i) }}
{{- end }}
{{- end }}
{{- if $v.autoscaling.enabled }}
{{- if $s.localStore }}
{{- fail (printf "mlflow: autoscaling.enabled=true with a %s backend store would let several pods write one database file; use PostgreSQL or MySQL (mlflow.backendStoreUriFrom) or turn autoscaling off" (eq $s.backendKind "sqlite" | ternary "SQLite" "file")) }}
{{- end }}
{{- if $s.readWriteOnce }}
{{- fail (printf "mlflow: autoscaling.enabled=true with storage.accessMode=%s cannot add pods on other nodes (Multi-Attach error); keep artifacts in an object store and set storage.enabled=false, or use storage.accessMode=ReadWriteMany" $v.storage.accessMode) }}
{{- end }}
{{- if gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas) }}
{{- fail (printf "mlflow: autoscaling.minReplicas=%d is above autoscaling.maxReplicas=%d; raise maxReplicas" (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- end }}
{{- if not (or $v.autoscaling.targetCPUUtilizationPercentage $v.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "mlflow: autoscaling.enabled=true without a target; set autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage" }}
{{- end }}
{{- end }}
{{- if $v.externalSecrets.enabled }}
{{- if not (and $v.externalSecrets.provider.name $v.externalSecrets.secretName $v.externalSecrets.data) }}
{{- fail "mlflow: externalSecrets.enabled=true needs externalSecrets.provider.name (the SecretStore), externalSecrets.secretName (the Secret to create) and externalSecrets.data (the keys to fetch)" }}
{{- end }}
{{- end }}
