{{/*
The one pod template every MLflow workload of the chart is built from, so the image, the
security settings, the store environment and the volumes are written once.

Call with a dict:
  root       the chart's root context ($)
  settings   the derived settings (include "mlflow.settings")
  component  app.kubernetes.io/component of the pod ("server", ...)
  name       the main container's name
  args       the main container's args, as a YAML list string (the command is always `mlflow`)
  server     true for the tracking server: ports, probes, sidecars, init containers and the
             server's own scheduling and annotations
  resources  the main container's resources
  extraEnv, extraVolumes, extraVolumeMounts  lists added to what every pod has
  restartPolicy  set for Job pods
*/}}
{{- define "mlflow.pod" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $s := .settings -}}
metadata:
  labels:
    {{- include "mlflow.labels" (list $root .component) | nindent 4 }}
    {{- if .server }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
  {{- if and .server $v.podAnnotations }}
  annotations:
    {{- toYaml $v.podAnnotations | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "mlflow.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $v.serviceAccount.automountServiceAccountToken }}
  {{- with .restartPolicy }}
  restartPolicy: {{ . }}
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- if and .server $v.extraInitContainers }}
  initContainers:
    {{- toYaml $v.extraInitContainers | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ .name }}
      image: {{ include "mlflow.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      command:
        - mlflow
      args:
        {{- .args | nindent 8 }}
      env:
        # The image has no USER and UID 1000 has no passwd entry: give Python a home on the
        # writable /tmp and a user name (PyMySQL fails on import without one).
        - name: HOME
          value: /tmp
        - name: USER
          value: mlflow
        {{- include "mlflow.storeEnv" (dict "root" $root "settings" $s) | nindent 8 }}
        {{- with .extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $v.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      {{- if .server }}
      ports:
        - name: http
          containerPort: 5000
          protocol: TCP
      {{- range $kind := list "startup" "liveness" "readiness" }}
      {{- $p := index $v.probes $kind }}
      {{- if $p.enabled }}
      {{ $kind }}Probe:
        httpGet:
          path: {{ $s.healthPath }}
          port: http
          scheme: HTTP
        initialDelaySeconds: {{ $p.initialDelaySeconds }}
        periodSeconds: {{ $p.periodSeconds }}
        timeoutSeconds: {{ $p.timeoutSeconds }}
        failureThreshold: {{ $p.failureThreshold }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- with .resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $s.storage }}
        - name: data
          mountPath: {{ $s.mountPath }}
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with .extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- if and .server $v.extraContainers }}
    {{- toYaml $v.extraContainers | nindent 4 }}
    {{- end }}
  volumes:
    - name: tmp
      emptyDir: {}
    {{- if $s.storage }}
    - name: data
      persistentVolumeClaim:
        claimName: {{ $s.claimName }}
    {{- end }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if .server }}
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
  {{- end }}
{{- end }}
