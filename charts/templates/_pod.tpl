{{/*
The chart's two pod templates, built from small shared defines:
  "mlflow.serverPod"  the tracking server (Deployment)
  "mlflow.jobPod"     the migration Job, the GC CronJob and the helm test Pod
Shared: "mlflow.pod.metadata", "mlflow.pod.spec" (service account, pull secrets, pod security),
"mlflow.container.common" (image, security) and "mlflow.container.env" (HOME, USER, stores).
*/}}

{{/* Pod metadata. Call with (dict "settings" $s "component" "server" "labels" map "annotations" map "name" "..."). */}}
{{- define "mlflow.pod.metadata" -}}
metadata:
  {{- with .name }}
  name: {{ . | quote }}
  {{- end }}
  labels:
    {{- index .settings.labels .component | nindent 4 }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* The head of every pod spec. Call with (dict "root" $ "settings" $s "serviceAccountName" "..." "automount" bool). */}}
{{- define "mlflow.pod.spec" -}}
{{- $v := .root.Values -}}
serviceAccountName: {{ .serviceAccountName | default .settings.serviceAccountName | quote }}
automountServiceAccountToken: {{ .automount | toJson }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- .settings.fragments.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Image and security of a container running the MLflow image. Call with (dict "root" $ "settings" $s). */}}
{{- define "mlflow.container.common" -}}
image: {{ .settings.fragments.image }}
imagePullPolicy: {{ .root.Values.image.pullPolicy | quote }}
securityContext:
  {{- .settings.fragments.securityContext | nindent 2 }}
{{- end }}

{{/* env of a main container: HOME and USER, the stores, the pod's own (.extraEnv, YAML text), then the user's env. */}}
{{- define "mlflow.container.env" -}}
env:
  # The image has no USER and UID 1000 has no passwd entry: give Python a home on the
  # writable /tmp and a user name (PyMySQL fails on import without one).
  - name: HOME
    value: /tmp
  - name: USER
    value: mlflow
  {{- .settings.fragments.storeEnv | nindent 2 }}
  {{- if .extraEnv }}
  {{- .extraEnv | nindent 2 }}
  {{- end }}
  {{- if .settings.fragments.env }}
  {{- .settings.fragments.env | nindent 2 }}
  {{- end }}
{{- with .root.Values.envFrom }}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The data claim, mounted where the stores expect it. */}}
{{- define "mlflow.volume.data" -}}
- name: data
  persistentVolumeClaim:
    claimName: {{ .claimName | quote }}
{{- end }}

{{/*
The tracking server's pod. Call with (dict "root" $ "settings" $s "annotations" map).
*/}}
{{- define "mlflow.serverPod" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $s := .settings -}}
{{- $annotations := merge (dict) (.annotations | default dict) ($v.podAnnotations | default dict) -}}
{{ include "mlflow.pod.metadata" (dict "settings" $s "component" "server" "labels" $v.podLabels "annotations" $annotations) }}
spec:
  {{- include "mlflow.pod.spec" (dict "root" $root "settings" $s "automount" (or $v.serviceAccount.automountServiceAccountToken $s.rbac)) | nindent 2 }}
  terminationGracePeriodSeconds: {{ int $v.terminationGracePeriodSeconds }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- $ownIni := and $s.auth (not $s.authIni) }}
  {{- if or $ownIni $s.migrateInPod $s.oidcInPod $v.extraInitContainers }}
  initContainers:
    {{- if or $s.migrateInPod $s.oidcInPod }}
    {{- /* What the step migrates: the tracking stores when they are SQLite on the claim, the SSO
    plugin's users database when that is; the rest is the migration Job's. */}}
    {{- $migrateEnv := ternary (include "mlflow.migrateEnv" .) "- name: MLFLOW_MIGRATE_TRACKING\n  value: \"false\"" $s.migrateInPod }}
    {{- if $s.oidcInPod }}{{ $migrateEnv = printf "%s\n%s" $migrateEnv (include "mlflow.oidcMigrateEnv" .) }}{{ end }}
    # Prepares the SQLite databases on the claim before the server starts (the schema of a new
    # database, mlflow db upgrade of an existing one, the basic-auth users, the SSO plugin's
    # users database and service account); one pod runs at a time, so no worker races to do it.
    - name: migrate
      {{- include "mlflow.container.common" . | nindent 6 }}
      command:
        - python
        - -c
      args:
        - |
          {{- $root.Files.Get "files/migrate.py" | trimSuffix "\n" | nindent 10 }}
      {{- include "mlflow.container.env" (dict "root" $root "settings" $s "extraEnv" $migrateEnv) | nindent 6 }}
      {{- with $v.migrations.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $s.storage }}
        - name: data
          mountPath: {{ $s.mountPath | quote }}
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- end }}
    {{- if $ownIni }}
    # Writes the basic-auth INI from the chart's Secret plus the credentials of your Secrets,
    # into a memory-backed volume: no credential reaches values, argv or a ConfigMap.
    - name: auth-config
      {{- include "mlflow.container.common" . | nindent 6 }}
      command:
        - python
        - -c
        - |
          {{- $root.Files.Get "files/auth-config.py" | trimSuffix "\n" | nindent 10 }}
      env:
        {{- if $v.auth.admin.existingSecret }}
        {{- include "mlflow.adminEnv" (dict "root" $root "prefix" "AUTH_ADMIN_") | nindent 8 }}
        {{- end }}
        {{- if contains "$(" $s.authUri }}
        {{- toYaml $v.mlflow.uriVariables | nindent 8 }}
        {{- end }}
        {{- if or $s.authFromSecret (contains "$(" $s.authUri) }}
        {{- include "mlflow.authDatabaseEnv" (dict "settings" $s "name" "AUTH_DATABASE_URI") | nindent 8 }}
        {{- end }}
      resources:
        requests:
          cpu: 10m
          memory: 64Mi
        limits:
          memory: 256Mi
      volumeMounts:
        - name: auth-base
          mountPath: /etc/mlflow/auth-base
          readOnly: true
        - name: auth
          mountPath: /etc/mlflow/auth
    {{- end }}
    {{- with $v.extraInitContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    - name: mlflow
      {{- include "mlflow.container.common" . | nindent 6 }}
      command:
        - mlflow
      args:
        {{- include "mlflow.serverArgs" . | nindent 8 }}
      {{- include "mlflow.container.env" (dict "root" $root "settings" $s "extraEnv" (include "mlflow.serverEnv" .)) | nindent 6 }}
      ports:
        - name: {{ $s.portName }}
          containerPort: 5000
          protocol: TCP
      {{- range $kind := list "startup" "liveness" "readiness" }}
      {{- $p := index $v.probes $kind }}
      {{- if $p.enabled }}
      {{ $kind }}Probe:
        {{- if eq $kind "liveness" }}
        # A TCP check: it answers while the server accepts connections and never waits in line
        # behind busy workers, so load alone does not get the container killed.
        tcpSocket:
          port: {{ $s.portName }}
        {{- else }}
        httpGet:
          path: {{ $s.healthPath | quote }}
          port: {{ $s.portName }}
          scheme: {{ $s.scheme }}
        {{- end }}
        initialDelaySeconds: {{ int $p.initialDelaySeconds }}
        periodSeconds: {{ int $p.periodSeconds }}
        timeoutSeconds: {{ int $p.timeoutSeconds }}
        failureThreshold: {{ int $p.failureThreshold }}
      {{- end }}
      {{- end }}
      {{- if gt (int $v.preStopSleepSeconds) 0 }}
      lifecycle:
        # Keep serving while the endpoints and load balancers drop the pod, then stop.
        preStop:
          exec:
            command: ["sleep", {{ int $v.preStopSleepSeconds | toString | quote }}]
      {{- end }}
      {{- with $s.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $s.storage }}
        - name: data
          mountPath: {{ $s.mountPath | quote }}
        {{- end }}
        {{- if $v.metrics.enabled }}
        - name: metrics
          mountPath: /var/run/mlflow/metrics
        {{- end }}
        {{- if $s.tls }}
        - name: tls
          mountPath: /etc/mlflow/tls
          readOnly: true
        {{- end }}
        {{- if $ownIni }}
        - name: auth
          mountPath: /etc/mlflow/auth
          readOnly: true
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with $v.extraContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: tmp
      emptyDir: {}
    {{- if $s.storage }}
    {{- include "mlflow.volume.data" $s | nindent 4 }}
    {{- end }}
    {{- if $v.metrics.enabled }}
    - name: metrics
      emptyDir: {}
    {{- end }}
    {{- if $s.tls }}
    - name: tls
      secret:
        secretName: {{ $v.tls.secretName | quote }}
        defaultMode: 0440
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- end }}
    {{- if $ownIni }}
    - name: auth-base
      secret:
        secretName: {{ $s.names.auth | quote }}
        defaultMode: 0440
    - name: auth
      emptyDir:
        medium: Memory
        sizeLimit: 1Mi
    {{- end }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    - {{ toYaml (merge (dict "labelSelector" (dict "matchLabels" ($s.selectorLabels | fromYaml))) .) | indent 6 | trim }}
    {{- end }}
  {{- end }}
{{- end }}

{{/*
A pod that runs once and ends: the migration Job, a GC run, the helm test. Call with a dict:
  root, settings  as everywhere
  component       app.kubernetes.io/component ("migrate", "gc", "test")
  name            the container's name
  podName         metadata.name, for a bare Pod
  annotations     pod annotations
  serviceAccountName  overrides the chart's ServiceAccount (hook pods that run before it exists)
  command, args   YAML list text (command defaults to mlflow)
  script          a file under files/ to run with python -c instead of command and args
  env             env entries beyond HOME, USER and the stores, as YAML list text
  resources       the container's resources
  data            true mounts the data claim (when the chart has one)
  trustServer     true mounts what verifies the server under TLS (tls.caKey, or else the served certificate)
  extraVolumes, extraVolumeMounts  lists added to the pod
  affinity        YAML text
*/}}
{{- define "mlflow.jobPod" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $s := .settings -}}
{{- $data := and $s.storage .data -}}
{{- $trust := and $s.tls .trustServer -}}
{{ include "mlflow.pod.metadata" (dict "settings" $s "component" .component "annotations" .annotations "name" .podName) }}
spec:
  {{- include "mlflow.pod.spec" (dict "root" $root "settings" $s "serviceAccountName" .serviceAccountName "automount" $v.serviceAccount.automountServiceAccountToken) | nindent 2 }}
  restartPolicy: Never
  containers:
    - name: {{ .name }}
      {{- include "mlflow.container.common" . | nindent 6 }}
      {{- if .script }}
      command:
        - python
        - -c
      args:
        - |
          {{- $root.Files.Get .script | trimSuffix "\n" | nindent 10 }}
      {{- else }}
      command:
        - mlflow
      args:
        {{- .args | nindent 8 }}
      {{- end }}
      {{- include "mlflow.container.env" (dict "root" $root "settings" $s "extraEnv" .env) | nindent 6 }}
      {{- with .resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $data }}
        - name: data
          mountPath: {{ $s.mountPath | quote }}
        {{- end }}
        {{- if $trust }}
        - name: tls
          mountPath: /etc/mlflow/tls
          readOnly: true
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with .extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir: {}
    {{- if $data }}
    {{- include "mlflow.volume.data" $s | nindent 4 }}
    {{- end }}
    {{- if $trust }}
    # What clients verify the server with: the CA of tls.caKey, or else the served certificate
    # itself (pinned); never the private key.
    - name: tls
      secret:
        secretName: {{ $v.tls.secretName | quote }}
        defaultMode: 0440
        items:
          - key: {{ $v.tls.caKey | default "tls.crt" | quote }}
            path: ca.crt
    {{- end }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if .affinity }}
  affinity:
    {{- .affinity | nindent 4 }}
  {{- end }}
{{- end }}
