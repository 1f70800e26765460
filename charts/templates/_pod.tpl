{{/*
The one pod template every MLflow workload of the chart is built from, so the image, the
security settings, the store environment and the volumes are written once.

Call with a dict:
  root       the chart's root context ($)
  settings   the derived settings (.Values.__mlflowSettings, see "mlflow.settings")
  component  app.kubernetes.io/component of the pod ("server", "migrate", ...)
  name       the main container's name
  command    the main container's command, as a YAML list string (default: mlflow)
  args       the main container's args, as a YAML list string
  server     true for the tracking server: ports, probes, sidecars, user init containers, the
             basic-auth config, metrics, and the server's own scheduling and annotations
  trustServer  true for clients of the server (GC, helm test): mounts only what verifies the
             server under TLS (tls.caKey, or else the served certificate)
  serviceAccountName  overrides the chart's ServiceAccount (hook pods that run before it exists)
  podName    metadata.name, for a bare Pod
  data       false keeps the data claim out of a pod that only talks to the server
  resources  the main container's resources
  extraEnv   env entries added to what every pod has, as YAML list text
  extraVolumes, extraVolumeMounts  lists added to what every pod has
  annotations  extra pod annotations (e.g. checksums)
  affinity   affinity for a non-server pod, as YAML text
  restartPolicy  set for Job pods
*/}}
{{- define "mlflow.pod" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $s := .settings -}}
{{- $f := $s.fragments -}}
{{- $authConfig := and .server $s.auth -}}
{{- $data := and $s.storage (ne (toString .data) "false") -}}
{{- $annotations := merge (dict) (.annotations | default dict) (ternary $v.podAnnotations dict (not (not .server))) -}}
metadata:
  {{- with .podName }}
  name: {{ . }}
  {{- end }}
  labels:
    {{- index $s.labels .component | nindent 4 }}
    {{- if .server }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ .serviceAccountName | default $s.serviceAccountName }}
  {{- $automount := $v.serviceAccount.automountServiceAccountToken }}
  {{- if and .server $s.rbac }}{{ $automount = true }}{{ end }}
  automountServiceAccountToken: {{ $automount }}
  {{- if .server }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- end }}
  {{- with .restartPolicy }}
  restartPolicy: {{ . }}
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- $f.podSecurityContext | nindent 4 }}
  {{- if or $authConfig (and .server $v.extraInitContainers) }}
  initContainers:
    {{- if $authConfig }}
    # Writes the basic-auth INI from the chart's Secret plus the credentials of your Secrets,
    # into a memory-backed volume: no credential reaches values, argv or a ConfigMap.
    - name: auth-config
      image: {{ $f.image }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      command:
        - python
        - -c
        - |
          import configparser, os
          config = configparser.ConfigParser(interpolation=None)
          config.read("/etc/mlflow/auth-base/basic_auth.ini")
          for key in ("admin_username", "admin_password", "database_uri"):
              value = os.environ.get("AUTH_" + key.upper())
              if value:
                  config["mlflow"][key] = value.replace("%", "%%")
          with open("/etc/mlflow/auth/basic_auth.ini", "w") as ini:
              config.write(ini)
          os.chmod("/etc/mlflow/auth/basic_auth.ini", 0o400)
      env:
        {{- with $v.auth.admin.existingSecret }}
        - name: AUTH_ADMIN_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $v.auth.admin.usernameKey }}
        - name: AUTH_ADMIN_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $v.auth.admin.passwordKey }}
        {{- end }}
        {{- if or $s.authFromSecret (contains "$(" $s.authUri) }}
        {{- if contains "$(" $s.authUri }}
        {{- toYaml $v.mlflow.uriVariables | nindent 8 }}
        {{- end }}
        {{- include "mlflow.authDatabaseEnv" (dict "settings" $s "name" "AUTH_DATABASE_URI") | nindent 8 }}
        {{- end }}
      securityContext:
        {{- $f.securityContext | nindent 8 }}
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
    {{- if .server }}
    {{- with $v.extraInitContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
  {{- end }}
  containers:
    - name: {{ .name }}
      image: {{ $f.image }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      command:
        {{- .command | default "- mlflow" | nindent 8 }}
      args:
        {{- .args | nindent 8 }}
      env:
        # The image has no USER and UID 1000 has no passwd entry: give Python a home on the
        # writable /tmp and a user name (PyMySQL fails on import without one).
        - name: HOME
          value: /tmp
        - name: USER
          value: mlflow
        {{- $f.storeEnv | nindent 8 }}
        {{- if $authConfig }}
        - name: MLFLOW_AUTH_CONFIG_PATH
          value: /etc/mlflow/auth/basic_auth.ini
        {{- with $v.auth.secretKey.existingSecret }}
        - name: MLFLOW_FLASK_SERVER_SECRET_KEY
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $v.auth.secretKey.key }}
        {{- end }}
        {{- end }}
        {{- with .extraEnv }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $f.env }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- with $v.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- $f.securityContext | nindent 8 }}
      {{- if .server }}
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
          path: {{ $s.healthPath }}
          port: {{ $s.portName }}
          scheme: {{ $s.scheme }}
        {{- end }}
        initialDelaySeconds: {{ $p.initialDelaySeconds }}
        periodSeconds: {{ $p.periodSeconds }}
        timeoutSeconds: {{ $p.timeoutSeconds }}
        failureThreshold: {{ $p.failureThreshold }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- if and .server (gt (int $v.preStopSleepSeconds) 0) }}
      lifecycle:
        # Keep serving while the endpoints and load balancers drop the pod, then stop.
        preStop:
          exec:
            command: ["sleep", "{{ $v.preStopSleepSeconds }}"]
      {{- end }}
      {{- with .resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $data }}
        - name: data
          mountPath: {{ $s.mountPath }}
        {{- end }}
        {{- if and .server $v.metrics.enabled }}
        - name: metrics
          mountPath: /var/run/mlflow/metrics
        {{- end }}
        {{- if and $s.tls (or .server .trustServer) }}
        - name: tls
          mountPath: /etc/mlflow/tls
          readOnly: true
        {{- end }}
        {{- if $authConfig }}
        - name: auth
          mountPath: /etc/mlflow/auth
          readOnly: true
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
    {{- if $data }}
    - name: data
      persistentVolumeClaim:
        claimName: {{ $s.claimName }}
    {{- end }}
    {{- if and .server $v.metrics.enabled }}
    - name: metrics
      emptyDir: {}
    {{- end }}
    {{- if and .server $s.tls }}
    - name: tls
      secret:
        secretName: {{ $v.tls.secretName }}
        defaultMode: 0440
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- else if and .trustServer $s.tls }}
    # What clients verify the server with: the CA of tls.caKey, or else the served certificate
    # itself (pinned); never the private key.
    - name: tls
      secret:
        secretName: {{ $v.tls.secretName }}
        defaultMode: 0440
        items:
          - key: {{ $v.tls.caKey | default "tls.crt" }}
            path: ca.crt
    {{- end }}
    {{- if $authConfig }}
    - name: auth-base
      secret:
        secretName: {{ $s.fullname }}-auth
        defaultMode: 0440
    - name: auth
      emptyDir:
        medium: Memory
        sizeLimit: 1Mi
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
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    - {{ toYaml (merge (dict "labelSelector" (dict "matchLabels" ($s.selectorLabels | fromYaml))) .) | indent 6 | trim }}
    {{- end }}
  {{- end }}
  {{- else }}
  {{- with .affinity }}
  affinity:
    {{- . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end }}
