{{/*
The chart's shared helpers. Where things are:

  _helpers.tpl   names, labels, the image, the settings entry point (this file)
  _settings.tpl  the settings derived from the values, in named parts (stores, sizing, auth,
                 hosts, oidc, strategy)
  _env.tpl       env blocks every pod shares (stores, clients, the users database)
  _args.tpl      argv of `mlflow server` and `mlflow gc`
  _pod.tpl       the server pod and the job pod, built from small shared defines
  _validate.tpl  every check on a combination of values, and "mlflow.checks"
  files/checks/  the checks of one feature each (TLS, SSO, routes, ...), run by _validate.tpl
                 only when the feature is on
  files/objects/ the templates of optional objects (Ingress, GC CronJob, ...); templates/<name>.yaml
                 only says when its object is wanted and runs it with "mlflow.object"
  files/         the Python the pods run (migration, helm test, the basic-auth INI writer)

Why the split: Helm parses every file in templates/ on every render, and parsing is most of what a
render costs. What lives in files/checks and files/objects is parsed (by tpl) only for a release
that uses it.

Every template starts with
  {{- include "mlflow.settings" . }}{{- $s := .Values.__mlflowSettings }}
and reads its derived values from $s. The keys of $s:

  part      key                   what it holds
  names     name fullname         app.kubernetes.io/name; <release>-<name>, a DNS-1035 label
            names.<object>        every other object's name, fitted to its kind's limit:
                                  migrate (Job), gc (CronJob), test (Pod), data (claim),
                                  auth (Secret), dashboard (ConfigMap), clusterRole
            serviceAccountName    the server pods' ServiceAccount
            labels.<component>    the label block of server, migrate, gc and test objects
            selectorLabels        the server pods' labels (PDB, NetworkPolicy, affinity)
            workloadSelector      the Deployment's and Service's selector: name and instance
                                  (upstream's), or the live Deployment's (immutable)
  stores    embedded              true when the built-in SQLite default is used
            backendKind           sqlite | file | database | secret (URI in a Secret)
            backendUri backendPath  the backend URI, and its local path when it has one
            artifactsDestination artifactsPath serveArtifacts
            storage claimName mountPath readWriteOnce localStore workspaces
  sizing    workers jobExecution manyReplicas idleMiB peakMiB requestMiB limitMiB resources
  auth      auth authUri authFromSecret authSecretRef authSource
  hosts     tls portName scheme healthPath allowedHosts serviceHost trackingUri
  oidc      oidc oidcUri oidcFromSecret oidcSecretRef oidcSource (claim|uri|secret)
            oidcInPod (its users database migrated in the server pod) redirectUri
  strategy  strategy rbac
  openshift true when pods leave their IDs to OpenShift (openshift.adaptSecurityContext)
  fragments YAML every pod repeats: image podSecurityContext securityContext env storeEnv

Rules every template keeps: a user string reaches the output only through quote, toJson or
toYaml (a test greps for raw placements); numbers through int; nothing here fails (that is
_validate.tpl's job).
*/}}

{{/*
An object whose template is files/objects/<name>.yaml. templates/<name>.yaml only says when the
object is wanted: Helm parses every file in templates/ on every render, so the template of an
object a release does not have costs it nothing. Call with (dict "root" $ "name" "ingress").
*/}}
{{- define "mlflow.object" -}}
{{- tpl (.root.Files.Get (printf "files/objects/%s.yaml" .name)) .root }}
{{- end }}

{{- define "mlflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
`<release>-<name>` (release mlflow gives svc/mlflow-mlflow), or fullnameOverride. A name longer
than 63 characters keeps 57 of them and a hash of the whole, so two long names stay apart.
*/}}
{{- define "mlflow.fullname" -}}
{{- $full := .Values.fullnameOverride | default (printf "%s-%s" .Release.Name (include "mlflow.name" .)) -}}
{{- include "mlflow.fit" (dict "name" $full "suffix" "" "max" 63) }}
{{- end }}

{{/*
name + suffix, at most max characters. When it does not fit, the name is cut and a five-character
hash of the uncut name goes before the suffix: `<cut>-<hash><suffix>`. Call with
(dict "name" "..." "suffix" "-migrate" "max" 63).
*/}}
{{- define "mlflow.fit" -}}
{{- $whole := printf "%s%s" .name .suffix -}}
{{- if le (len $whole) (int .max) }}
{{- $whole }}
{{- else }}
{{- $keep := sub (sub (int .max) (len .suffix)) 6 | int }}
{{- printf "%s-%s%s" (.name | trunc $keep | trimSuffix "-") (sha256sum .name | trunc 5) .suffix }}
{{- end }}
{{- end }}

{{/* Selector labels: name, instance and component only. They are immutable on upgrade. Call with (list $ "component"); templates read the server's as $s.selectorLabels. */}}
{{- define "mlflow.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "mlflow.name" $root | quote }}
app.kubernetes.io/instance: {{ $root.Release.Name | quote }}
app.kubernetes.io/component: {{ index . 1 | quote }}
{{- end }}

{{/* All labels of an object. Call with (list $ "component"); templates read them as $s.labels.<component>, written once per render by "mlflow.settings". */}}
{{- define "mlflow.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{ include "mlflow.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: mlflow
app.kubernetes.io/managed-by: {{ $root.Release.Service | quote }}
{{- end }}

{{/* The image reference: repository:tag, or repository@digest when a digest is pinned. */}}
{{- define "mlflow.image" -}}
{{- $i := .Values.image -}}
{{- if $i.digest }}
{{- printf "%s@%s" $i.repository $i.digest }}
{{- else }}
{{- printf "%s:%s" $i.repository (default (printf "v%s-full" .Chart.AppVersion) $i.tag) }}
{{- end }}
{{- end }}

{{/*
A local filesystem path named by a store URI, or "" when the store is remote.
sqlite:////abs/path -> /abs/path; file:///abs -> /abs; /abs -> /abs. A relative sqlite path
(three slashes) comes back relative, for the validation to refuse.
*/}}
{{- define "mlflow.localPath" -}}
{{- $uri := toString (. | default "") -}}
{{- if hasPrefix "sqlite:///" $uri }}
{{- trimPrefix "sqlite:///" $uri }}
{{- else if hasPrefix "file://" $uri }}
{{- trimPrefix "file://" $uri }}
{{- else if hasPrefix "file:" $uri }}
{{- trimPrefix "file:" $uri }}
{{- else if hasPrefix "/" $uri }}
{{- $uri }}
{{- end }}
{{- end }}

{{/*
Settings derived from the values, computed once per render. The first call restores the
defaults of any section left empty, computes the settings and keeps the map beside the values;
later calls find it there and do nothing. (Helm validated the values against the schema before
rendering, and it never stores what templates add.) The map is shared: templates read it and
never change it.
*/}}
{{- define "mlflow.settings" -}}
{{- if not (hasKey .Values "__mlflowSettings") }}
{{- /* Only when a section is missing are the defaults read (_sections.tpl checks them all). */}}
{{- if not (include "mlflow.sectionsPresent" .Values) }}
{{- include "mlflow.restoreSections" (dict "values" .Values "defaults" (.Files.Get "files/defaults.json" | fromJson)) }}
{{- end }}
{{- $s := dict }}
{{- $_ := set .Values "__mlflowSettings" $s }}
{{- $in := dict "root" . "s" $s }}
{{- include "mlflow.settings.names" $in }}
{{- include "mlflow.settings.stores" $in }}
{{- include "mlflow.settings.sizing" $in }}
{{- include "mlflow.settings.auth" $in }}
{{- include "mlflow.settings.hosts" $in }}
{{- include "mlflow.settings.oidc" $in }}
{{- include "mlflow.settings.strategy" $in }}
{{- /* OpenShift's restricted-v2 assigns UID, GID and fsGroup per namespace and refuses pods that name others. */}}
{{- $mode := .Values.openshift.adaptSecurityContext }}
{{- $openshift := or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) }}
{{- $_ := set $s "openshift" $openshift }}
{{- $_ := set $s "fragments" (dict
      "image" (include "mlflow.image" . | quote)
      "podSecurityContext" (toYaml (ternary (omit (.Values.podSecurityContext | default dict) "runAsUser" "runAsGroup" "fsGroup") .Values.podSecurityContext $openshift))
      "securityContext" (toYaml (ternary (omit (.Values.securityContext | default dict) "runAsUser" "runAsGroup") .Values.securityContext $openshift))
      "env" (ternary (toYaml .Values.env) "" (not (empty .Values.env)))
      "storeEnv" (include "mlflow.storeEnv" (dict "root" . "settings" $s))
    ) }}
{{- end }}
{{- end }}

{{/*
A section written with nothing under it (`ingress:` after its lines were commented out) reaches
the templates as missing: Helm drops a null. Every section whose default is a map gets its
defaults back, at any depth; a null leaf keeps Helm's meaning (the default is removed).
files/defaults.json holds values.yaml's defaults and _sections.tpl the check of every section;
tools/ValuesDoc writes both and the suite checks them.
*/}}
{{- define "mlflow.restoreSections" -}}
{{- $values := .values -}}
{{- range $key, $default := .defaults }}
{{- if kindIs "map" $default }}
{{- $have := index $values $key }}
{{- if kindIs "map" $have }}
{{- include "mlflow.restoreSections" (dict "values" $have "defaults" $default) }}
{{- else if kindIs "invalid" $have }}
{{- $_ := set $values $key (deepCopy $default) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A memory quantity in MiB, rounded down, or -1 when it cannot be read (e.g. "2Gi" -> 2048,
"1500M" -> 1430, 2147483648 -> 2048).
*/}}
{{- define "mlflow.mebibytes" -}}
{{- $q := . -}}
{{- if or (kindIs "float64" $q) (kindIs "int64" $q) (kindIs "int" $q) }}{{ $q = printf "%.0f" (float64 $q) }}{{ end -}}
{{- $q = toString $q -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $factors := dict "" 0.00000095367431640625 "k" 0.0009765625 "Ki" 0.0009765625 "M" 0.95367431640625 "Mi" 1.0 "G" 953.67431640625 "Gi" 1024.0 "T" 953674.31640625 "Ti" 1048576.0 -}}
{{- $unit := trimPrefix $number $q -}}
{{- if and $number (hasKey $factors $unit) }}
{{- mulf (float64 $number) (index $factors $unit) | floor | int64 }}
{{- else }}-1{{ end }}
{{- end }}

{{/* A count or a percentage as Kubernetes takes it: a number ("1" given as text becomes 1) or a quoted "25%". */}}
{{- define "mlflow.intOrPercent" -}}
{{- if regexMatch "^[0-9]+$" (toString .) }}{{ int64 . }}{{ else }}{{ toString . | quote }}{{ end }}
{{- end }}

{{/* Pod affinity that puts a pod on the node of a server pod: the one way to share a ReadWriteOnce claim. */}}
{{- define "mlflow.nextToServer" -}}
podAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- .Values.__mlflowSettings.selectorLabels | nindent 10 }}
{{- end }}

{{/* The preferred form of the same: near a server pod when the scheduler can, elsewhere when it cannot. */}}
{{- define "mlflow.nearServer" -}}
podAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .Values.__mlflowSettings.selectorLabels | nindent 12 }}
{{- end }}
