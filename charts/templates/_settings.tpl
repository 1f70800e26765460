{{/*
The settings derived from the values, one part per define. Each is called by "mlflow.settings"
with (dict "root" $ "s" $s), in this order, and adds its keys to $s (the table of keys is at the
top of _helpers.tpl). A later part may read what an earlier one wrote; none fails.
*/}}

{{/* names: every object's name, fitted to the limit of its kind, and the label blocks. */}}
{{- define "mlflow.settings.names" -}}
{{- $root := .root -}}
{{- $fullname := include "mlflow.fullname" $root -}}
{{- $_ := set .s "name" (include "mlflow.name" $root) }}
{{- $_ := set .s "fullname" $fullname }}
{{- $sa := $root.Values.serviceAccount }}
{{- $_ := set .s "serviceAccountName" (default ($sa.create | ternary $fullname "default") $sa.name) }}
{{- /* Limits: Job and Pod names 63 (they become labels and host names), a CronJob 52 (its Jobs
add 11 characters), other objects 253. Only a name that does not fit changes. */ -}}
{{- $_ := set .s "names" (dict
      "migrate" (include "mlflow.fit" (dict "name" $fullname "suffix" "-migrate" "max" 63))
      "gc" (include "mlflow.fit" (dict "name" $fullname "suffix" "-gc" "max" 52))
      "test" (include "mlflow.fit" (dict "name" $fullname "suffix" "-test" "max" 63))
      "data" $fullname
      "auth" (printf "%s-auth" $fullname)
      "dashboard" (printf "%s-dashboard" $fullname)
      "clusterRole" (printf "%s-%s" $root.Release.Namespace $fullname)) }}
{{- /* One label block, written for the server; the others differ only in their component. */ -}}
{{- $server := include "mlflow.labels" (list $root "server") -}}
{{- $labels := dict "server" $server -}}
{{- range $component := list "migrate" "gc" "test" }}
{{- $_ := set $labels $component (replace "app.kubernetes.io/component: \"server\"" (printf "app.kubernetes.io/component: %q" $component) $server) }}
{{- end }}
{{- $_ := set .s "labels" $labels }}
{{- $_ := set .s "selectorLabels" (include "mlflow.selectorLabels" (list $root "server")) }}
{{- /* The Deployment's and the Service's selector: name and instance, as the upstream chart writes
it, so its releases upgrade in place. A live Deployment of this release keeps the selector it was
created with (0.1 and 0.2 added the component), since a selector cannot change. */ -}}
{{- $workload := printf "app.kubernetes.io/name: %s\napp.kubernetes.io/instance: %s" (.s.name | quote) ($root.Release.Name | quote) -}}
{{- $live := lookup "apps/v1" "Deployment" $root.Release.Namespace $fullname -}}
{{- with dig "spec" "selector" "matchLabels" dict $live }}
{{- $podLabels := $server | fromYaml }}
{{- $fits := true }}
{{- range $k, $val := . }}{{ if ne (toString (index $podLabels $k)) (toString $val) }}{{ $fits = false }}{{ end }}{{ end }}
{{- if and $fits (eq (dig "metadata" "annotations" "meta.helm.sh/release-name" "" $live) $root.Release.Name) }}
{{- $workload = toYaml . | trim }}
{{- end }}
{{- end }}
{{- $_ := set .s "workloadSelector" $workload }}
{{- $_ := set .s "rbac" (or (not (empty $root.Values.namespace_rbac.extraRules)) (not (empty $root.Values.cluster_rbac.extraRules))) }}
{{- end }}

{{/* stores: where runs and artifacts live, and whether the chart's claim is mounted. */}}
{{- define "mlflow.settings.stores" -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $fromSecret := not (empty (dig "secretKeyRef" "name" "" ($m.backendStoreUriFrom | default dict))) -}}
{{- $embedded := and (not $fromSecret) (empty $m.backendStoreUri) -}}
{{- $mountPath := trimSuffix "/" (toString $v.storage.mountPath) -}}
{{- $backendUri := toString ($m.backendStoreUri | default "") -}}
{{- if $embedded }}{{ $backendUri = printf "sqlite:///%s/mlflow.db" $mountPath }}{{ end -}}
{{- $backendKind := "database" -}}
{{- if $fromSecret }}{{ $backendKind = "secret" }}
{{- else if hasPrefix "sqlite:" $backendUri }}{{ $backendKind = "sqlite" }}
{{- else if or (hasPrefix "file:" $backendUri) (hasPrefix "/" $backendUri) }}{{ $backendKind = "file" }}
{{- end -}}
{{- $backendPath := "" -}}
{{- if not $fromSecret }}{{ $backendPath = include "mlflow.localPath" $backendUri }}{{ end -}}
{{- $artifactsPath := include "mlflow.localPath" $m.artifactsDestination -}}
{{- $storage := $v.storage.enabled -}}
{{- if kindIs "invalid" $storage }}{{ $storage = or $embedded (ne $backendPath "") (ne $artifactsPath "") }}{{ end -}}
{{- $flags := $v.server.flag_options | default list -}}
{{- $noServe := or (has "no_serve_artifacts" $flags) (has "no-serve-artifacts" $flags) (eq (toString (index $vo "serve_artifacts")) "false") (eq (toString (index $vo "no_serve_artifacts")) "true") -}}
{{- $artifacts := $m.artifactsDestination | default "" -}}
{{- if and (empty $artifacts) $storage (not $noServe) }}{{ $artifacts = printf "%s/artifacts" $mountPath }}{{ $artifactsPath = $artifacts }}{{ end -}}
{{- $_ := set .s "embedded" $embedded }}
{{- $_ := set .s "backendKind" $backendKind }}
{{- $_ := set .s "backendUri" $backendUri }}
{{- $_ := set .s "backendPath" $backendPath }}
{{- $_ := set .s "artifactsDestination" $artifacts }}
{{- $_ := set .s "artifactsPath" $artifactsPath }}
{{- $_ := set .s "serveArtifacts" (not $noServe) }}
{{- $_ := set .s "storage" $storage }}
{{- /* The claim is named like the upstream chart's, so its releases keep their data. A release
of this chart's 0.1 or 0.2 keeps the `<fullname>-data` claim it made (helm upgrade looks it up;
under helm template, set storage.existingClaim). */ -}}
{{- $claim := .s.names.data -}}
{{- if and $storage (empty $v.storage.existingClaim) }}
{{- $legacy := printf "%s-data" .s.fullname }}
{{- if eq (dig "metadata" "annotations" "meta.helm.sh/release-name" "" (lookup "v1" "PersistentVolumeClaim" .root.Release.Namespace $legacy)) .root.Release.Name }}
{{- $claim = $legacy }}
{{- end }}
{{- end }}
{{- $_ := set .s "claimName" (default $claim $v.storage.existingClaim) }}
{{- /* SQLite on the chart's own claim is migrated by an init container of the (single) server pod:
a hook Job would wait on a claim that helm install, an upgrade from another chart, or an Argo CD
first sync only creates after the hooks. */ -}}
{{- $_ := set .s "migrateInPod" (and $v.migrations.enabled (eq $backendKind "sqlite") $storage (empty $v.storage.existingClaim)) }}
{{- $_ := set .s "mountPath" $mountPath }}
{{- $_ := set .s "readWriteOnce" (and $storage (has $v.storage.accessMode (list "ReadWriteOnce" "ReadWriteOncePod"))) }}
{{- $_ := set .s "localStore" (or (eq $backendKind "sqlite") (eq $backendKind "file")) }}
{{- $_ := set .s "workspaces" (or (has "enable_workspaces" $flags) (has "enable-workspaces" $flags) (eq (toString (index $vo "enable_workspaces")) "true")) }}
{{- end }}

{{/* sizing: workers, the job runner, and the resources sized from them. */}}
{{- define "mlflow.settings.sizing" -}}
{{- $v := .root.Values -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $workers := $v.server.workers -}}
{{- if not (kindIs "invalid" (index $vo "workers")) }}{{ $workers = index $vo "workers" }}{{ end -}}
{{- $manyReplicas := or (gt (int $v.replicaCount) 1) $v.autoscaling.enabled -}}
{{- $jobs := $v.server.jobExecution -}}
{{- if kindIs "invalid" $jobs }}{{ $jobs = not $manyReplicas }}{{ end -}}
{{- /* Idle memory measured on MLflow 3.11 (PSS, MiB): about 200 + 160 per worker + 1070 for the job runner. */ -}}
{{- $idle := add 200 (mul 160 (int64 $workers)) (ternary 1070 0 $jobs) -}}
{{- /* Peak working set under 10 requests/s, measured on the same server (MiB): 172 + 172 per
worker + about 1140 for the job runner, which grows under load; rounded up here. */ -}}
{{- $peak := add 180 (mul 175 (int64 $workers)) (ternary 1150 0 $jobs) -}}
{{- $request := mul (div (add (div (mul $idle 12) 10) 63) 64) 64 -}}
{{- $limit := mul (div (add (div (mul $idle 16) 10) 255) 256) 256 -}}
{{- $resources := $v.resources -}}
{{- if empty $resources }}
{{- $resources = dict "requests" (dict "cpu" "250m" "memory" (printf "%dMi" $request)) "limits" (dict "memory" (printf "%dMi" $limit)) }}
{{- end -}}
{{- $_ := set .s "workers" (int64 $workers) }}
{{- $_ := set .s "jobExecution" $jobs }}
{{- $_ := set .s "manyReplicas" $manyReplicas }}
{{- $_ := set .s "idleMiB" $idle }}
{{- $_ := set .s "peakMiB" $peak }}
{{- $_ := set .s "requestMiB" $request }}
{{- $_ := set .s "limitMiB" $limit }}
{{- $_ := set .s "resources" $resources }}
{{- end }}

{{/*
auth: basic auth and its users database: auth.databaseUri(From) when given, else the backend
store's database when it is a database server (MLflow's auth tables and their
alembic_version_auth table do not collide with the tracking schema), else SQLite on the claim.
A Secret-held URI travels as authSecretRef.
*/}}
{{- define "mlflow.settings.auth" -}}
{{- $v := .root.Values -}}
{{- $s := .s -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $auth := or $v.auth.enabled (eq (toString (index $vo "app_name")) "basic-auth") -}}
{{- $secretRef := dict -}}
{{- $uri := toString ($v.auth.databaseUri | default "") -}}
{{- $source := "auth.databaseUri" -}}
{{- if not (empty (dig "secretKeyRef" "name" "" ($v.auth.databaseUriFrom | default dict))) }}
{{- $secretRef = $v.auth.databaseUriFrom.secretKeyRef }}{{ $uri = "" }}{{ $source = "auth.databaseUriFrom" }}
{{- else if and $auth (empty $uri) (eq $s.backendKind "secret") }}
{{- $secretRef = $v.mlflow.backendStoreUriFrom.secretKeyRef }}{{ $source = "backend" }}
{{- else if and $auth (empty $uri) (eq $s.backendKind "database") }}
{{- $uri = $s.backendUri }}{{ $source = "backend" }}
{{- else if and $auth (empty $uri) $s.storage }}
{{- $uri = printf "sqlite:///%s/basic_auth.db" $s.mountPath }}{{ $source = "claim" }}
{{- end -}}
{{- /* The upstream chart's way: the user's own INI, mounted, named by env MLFLOW_AUTH_CONFIG_PATH.
Then the chart writes no INI, and the users database and admin are whatever that INI says. */ -}}
{{- $userIni := "" -}}
{{- if $auth }}{{ range $v.env }}{{ if eq .name "MLFLOW_AUTH_CONFIG_PATH" }}{{ $userIni = toString (.value | default "(from valueFrom)") }}{{ end }}{{ end }}{{ end -}}
{{- if $userIni }}{{ $uri = "" }}{{ $secretRef = dict }}{{ $source = "ini" }}{{ end -}}
{{- $_ := set $s "auth" $auth }}
{{- $_ := set $s "authIni" $userIni }}
{{- $_ := set $s "authUri" $uri }}
{{- $_ := set $s "authFromSecret" (not (empty $secretRef)) }}
{{- $_ := set $s "authSecretRef" $secretRef }}
{{- $_ := set $s "authSource" $source }}
{{- end }}

{{/*
hosts: how the server is reached, and MLflow's allowed hosts (it answers 403 to any other Host
header, and an explicit list replaces its defaults).
*/}}
{{- define "mlflow.settings.hosts" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $s := .s -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $prefix := trimSuffix "/" (toString ($v.server.staticPrefix | default "")) -}}
{{- $hosts := list -}}
{{- $userHosts := index $vo "allowed_hosts" | default list -}}
{{- if not (kindIs "slice" $userHosts) }}{{ $userHosts = splitList "," (toString $userHosts) }}{{ end -}}
{{- range $userHosts }}{{ $h := trim (toString .) }}{{ if $h }}{{ $hosts = append $hosts $h }}{{ end }}{{ end -}}
{{- if $v.server.allowedHosts.derive }}
{{- if $v.ingress.enabled }}{{ range $v.ingress.hosts }}{{ $hosts = append $hosts (toString .host) }}{{ end }}{{ end }}
{{- if $v.httpRoute.enabled }}{{ range $v.httpRoute.hostnames }}{{ $hosts = append $hosts (toString .) }}{{ end }}{{ end }}
{{- if and $v.route.enabled $v.route.host }}{{ $hosts = append $hosts (toString $v.route.host) }}{{ end }}
{{- range $name := list $s.fullname (printf "%s.%s" $s.fullname $root.Release.Namespace) (printf "%s.%s.svc" $s.fullname $root.Release.Namespace) (printf "%s.%s.svc.%s" $s.fullname $root.Release.Namespace $v.clusterDomain) }}
{{- $hosts = append $hosts $name }}
{{- $hosts = append $hosts (printf "%s:%d" $name (int $v.service.port)) }}
{{- end }}
{{- $hosts = concat $hosts (list "localhost" "localhost:*" "127.0.0.1" "127.0.0.1:*" "[::1]" "[[]::1]:*") }}
{{- if $v.server.allowedHosts.privateNetworks }}
{{- /* The RFC 1918 ranges, where pod IPs live: Prometheus and kubelet probes call pods by IP. */}}
{{- $hosts = concat $hosts (list "10.*"
      "172.16.*" "172.17.*" "172.18.*" "172.19.*" "172.20.*" "172.21.*" "172.22.*" "172.23.*"
      "172.24.*" "172.25.*" "172.26.*" "172.27.*" "172.28.*" "172.29.*" "172.30.*" "172.31.*"
      "192.168.*") }}
{{- end }}
{{- end -}}
{{- $svcHost := printf "%s.%s.svc.%s:%d" $s.fullname $root.Release.Namespace $v.clusterDomain (int $v.service.port) -}}
{{- $_ := set $s "tls" $v.tls.enabled }}
{{- $_ := set $s "portName" (ternary "https" "http" $v.tls.enabled) }}
{{- $_ := set $s "scheme" (ternary "HTTPS" "HTTP" $v.tls.enabled) }}
{{- $_ := set $s "healthPath" (printf "%s/health" $prefix) }}
{{- $_ := set $s "allowedHosts" (uniq $hosts) }}
{{- $_ := set $s "serviceHost" $svcHost }}
{{- $_ := set $s "trackingUri" (printf "%s://%s%s" (ternary "https" "http" $v.tls.enabled) $svcHost $prefix) }}
{{- end }}

{{/*
oidc: single sign-on through the mlflow-oidc-auth plugin. Its users database (auth.oidc.databaseUri
or databaseUriFrom; else the tracking database when that is a database server, beside MLflow's
tables with a version table of its own; else SQLite on the claim), where that database is migrated (in the server pod when it is on the
claim or another volume of the server pod, which a hook Job could not mount before it exists; else
in the migration Job), and the
address the provider sends users back to.
*/}}
{{- define "mlflow.settings.oidc" -}}
{{- $v := .root.Values -}}
{{- $s := .s -}}
{{- $o := $v.auth.oidc -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $on := or $o.enabled (eq (toString (index $vo "app_name")) "oidc-auth") -}}
{{- $ref := dict -}}
{{- $uri := toString ($o.databaseUri | default "") -}}
{{- $source := "uri" -}}
{{- if not (empty (dig "secretKeyRef" "name" "" ($o.databaseUriFrom | default dict))) }}
{{- $ref = $o.databaseUriFrom.secretKeyRef }}{{ $uri = "" }}{{ $source = "secret" }}
{{- else if and $on (empty $uri) (eq $s.backendKind "secret") }}
{{- $ref = $v.mlflow.backendStoreUriFrom.secretKeyRef }}{{ $source = "backend" }}
{{- else if and $on (empty $uri) (eq $s.backendKind "database") }}
{{- $uri = $s.backendUri }}{{ $source = "backend" }}
{{- else if and $on (empty $uri) $s.storage }}
{{- $uri = printf "sqlite:///%s/oidc_auth.db" $s.mountPath }}{{ $source = "claim" }}
{{- else if empty $uri }}{{ $source = "" }}
{{- end -}}
{{- $redirect := toString ($o.redirectUri | default "") -}}
{{- $prefix := trimSuffix "/" (toString ($v.server.staticPrefix | default "")) -}}
{{- if and $on (empty $redirect) }}
{{- if and $v.ingress.enabled $v.ingress.hosts }}
{{- $host := toString (index $v.ingress.hosts 0).host }}
{{- $https := false }}
{{- range $v.ingress.tls }}{{ if or (empty .hosts) (has $host .hosts) }}{{ $https = true }}{{ end }}{{ end }}
{{- $redirect = printf "%s://%s%s/callback" (ternary "https" "http" $https) $host $prefix }}
{{- else if and $v.httpRoute.enabled $v.httpRoute.hostnames }}
{{- $redirect = printf "https://%s%s/callback" (toString (index $v.httpRoute.hostnames 0)) $prefix }}
{{- else if and $v.route.enabled $v.route.host }}
{{- $redirect = printf "%s://%s%s/callback" (ternary "http" "https" (eq $v.route.tls.termination "none")) (toString $v.route.host) $prefix }}
{{- end }}
{{- end -}}
{{- $_ := set $s "oidc" $on }}
{{- $_ := set $s "oidcUri" $uri }}
{{- $_ := set $s "oidcFromSecret" (not (empty $ref)) }}
{{- $_ := set $s "oidcSecretRef" $ref }}
{{- $_ := set $s "oidcSource" $source }}
{{- /* A SQLite users database lives on a volume of the server pod, which a hook Job may not be
able to mount (the chart's claim does not exist yet at install): the pod's init container migrates it. */ -}}
{{- $_ := set $s "oidcInPod" (and $on $v.migrations.enabled (hasPrefix "sqlite:" $uri)) }}
{{- $_ := set $s "redirectUri" $redirect }}
{{- end }}

{{/* strategy: Recreate over a local store or a single-node claim, otherwise a rolling update that never drops below the replica count. */}}
{{- define "mlflow.settings.strategy" -}}
{{- $strategy := deepCopy (.root.Values.deploymentStrategy | default dict) -}}
{{- with $strategy.rollingUpdate }}
{{- /* A count given as text ("1") is a count: Kubernetes takes text only as a percentage. */}}
{{- range $key, $val := . }}{{ if regexMatch "^[0-9]+$" (toString $val) }}{{ $_ := set $strategy.rollingUpdate $key (int64 $val) }}{{ end }}{{ end }}
{{- end }}
{{- if empty $strategy }}
{{- if or .s.localStore .s.readWriteOnce }}
{{- $strategy = dict "type" "Recreate" }}
{{- else }}
{{- $strategy = dict "type" "RollingUpdate" "rollingUpdate" (dict "maxSurge" 1 "maxUnavailable" 0) }}
{{- end }}
{{- end -}}
{{- $_ := set .s "strategy" $strategy }}
{{- end }}
