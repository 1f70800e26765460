{{- /*
Single sign-on (the mlflow-oidc-auth plugin).
*/ -}}
{{- $v := .root.Values -}}
{{- $m := $v.mlflow -}}
{{- $s := .settings -}}
{{- $vo := $v.server.value_options | default dict -}}
{{- $o := $v.auth.oidc -}}
{{- if $v.auth.enabled }}
{{- fail "mlflow: auth.enabled=true (basic auth) and auth.oidc.enabled=true (single sign-on) both ask for the server's one auth app; keep one of them (the SSO plugin also takes user names with access tokens, for scripts)" }}
{{- end }}
{{- with index $vo "app_name" }}{{ if ne (toString .) "oidc-auth" }}
{{- fail (printf "mlflow: auth.oidc.enabled=true turns on the oidc-auth app but server.value_options.app_name=%v asks for another; remove one of them" .) }}
{{- end }}{{ end }}
{{- range $key := list "discoveryUrl" "clientId" }}
{{- if empty (index $o $key) }}
{{- fail (printf "mlflow: single sign-on needs auth.oidc.%s; take it from your provider's client registration (the discovery URL ends in /.well-known/openid-configuration)" $key) }}
{{- end }}
{{- end }}
{{- if empty $o.clientSecret.existingSecret }}
{{- fail "mlflow: single sign-on needs the client secret, and the chart takes it only from a Secret; create one with kubectl create secret generic mlflow-oidc --from-literal=client-secret=<secret> and set auth.oidc.clientSecret.existingSecret=mlflow-oidc" }}
{{- end }}
{{- if empty $v.auth.secretKey.existingSecret }}
{{- fail "mlflow: single sign-on needs a session key shared by every worker and replica (a random one per process would end sessions at every other request); create one with kubectl create secret generic mlflow-auth-secret --from-literal=secret-key=\"$(openssl rand -hex 32)\" and set auth.secretKey.existingSecret=mlflow-auth-secret" }}
{{- end }}
{{- /* Shapes, checked here rather than by schema patterns, which Helm compiles on every render. */}}
{{- range $check := list
      (list "discoveryUrl" $o.discoveryUrl "^https?://[^\\s]+$" "an http(s) URL, e.g. https://keycloak.example.com/realms/mlflow/.well-known/openid-configuration")
      (list "redirectUri" ($o.redirectUri | default "") "^(|https?://[^\\s]+/callback)$" "an http(s) URL ending in /callback, the plugin's callback path")
      (list "clientId" $o.clientId "^[^\\s]+$" "the client ID, without spaces")
      (list "groupsClaim" $o.groupsClaim "^[^\\s]+$" "a claim name, without spaces")
      (list "audience" ($o.audience | default "") "^[^\\s]*$" "one audience, without spaces")
      (list "providerDisplayName" ($o.providerDisplayName | default "") "^[^\\n\\r]*$" "one line of text") }}
{{- if not (regexMatch (index $check 2) (toString (index $check 1))) }}
{{- fail (printf "mlflow: auth.oidc.%s=%q is not %s" (index $check 0) (toString (index $check 1)) (index $check 3)) }}
{{- end }}
{{- end }}
{{- range $list := list "scopes" "groups" "adminGroups" "trustedProxies" }}
{{- range $i, $item := index $o $list }}
{{- $pattern := ternary "^([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$" (ternary "^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$" "^[^,\\n\\r]+$" (eq $list "scopes")) (eq $list "trustedProxies") }}
{{- if not (regexMatch $pattern (toString $item)) }}
{{- fail (printf "mlflow: auth.oidc.%s[%d]=%q is not %s" $list $i (toString $item) (ternary "an IP address or CIDR" (ternary "a scope (printable, no spaces or quotes)" "a group name (no commas: the plugin takes a comma-separated list)" (eq $list "scopes")) (eq $list "trustedProxies"))) }}
{{- end }}
{{- end }}
{{- end }}
{{- if empty $o.groups }}
{{- fail "mlflow: auth.oidc.groups is empty, so the plugin would let nobody in; list the provider groups whose members may log in, e.g. [mlflow]" }}
{{- end }}
{{- if eq $s.oidcSource "" }}
{{- fail "mlflow: single sign-on keeps its users and permissions in a database, and there is none: the tracking store is not a database server, no claim is mounted (storage) and auth.oidc.databaseUri(From) is empty; set auth.oidc.databaseUriFrom.secretKeyRef to a PostgreSQL URI in a Secret, or set storage.enabled=true for SQLite on the claim" }}
{{- end }}
{{- /* Beyond the store URI rules above: the plugin takes no file store. */}}
{{- if and (eq $s.oidcSource "uri") (not (regexMatch "^(sqlite:////.+|(postgresql|mysql|mssql)(\\+[a-z0-9_]+)?://[^/]+/.+)$" $s.oidcUri)) }}
{{- fail (printf "mlflow: auth.oidc.databaseUri=%q is not a database URI the plugin understands; use sqlite:////absolute/path/oidc_auth.db or postgresql://host:5432/db (a password belongs in a Secret: auth.oidc.databaseUriFrom)" $s.oidcUri) }}
{{- end }}
{{- if and (hasPrefix "sqlite:" $s.oidcUri) $s.manyReplicas }}
{{- fail "mlflow: single sign-on with several replicas (replicaCount above 1 or autoscaling) needs a users database every pod shares, and SQLite is a file one pod can use; set auth.oidc.databaseUriFrom.secretKeyRef to a PostgreSQL URI in a Secret" }}
{{- end }}
{{- if and $v.garbageCollection.enabled (not $o.serviceAccount.existingSecret) }}
{{- fail "mlflow: garbageCollection under single sign-on needs a non-browser identity to call the server with; set auth.oidc.serviceAccount.existingSecret (a Secret with the keys username and token; the migration step creates that service account)" }}
{{- end }}
