#!/usr/bin/env bash
# The cluster tests: installs the chart on a real Kubernetes with the real MLflow image and runs
# the tests of tests/MlflowChart.Tests/Cluster under Helm 3 and Helm 4, ending with the line
#   N passed, N failed, N skipped
#
# Where KUBECONFIG already points at a cluster that answers, that cluster is used (its node must
# have the image MLFLOW_TEST_IMAGE, default localhost/mlflow:v3.11.2.dev0-full). Otherwise the rig
# in ../shared/rig (MLFLOW_RIG) is brought up: a single-node Kubernetes 1.32 with restricted Pod
# Security enforced, and the MLflow image built from source and loaded into its containerd. That
# needs root and the rig's source mirrors (MIRRORS, MICROSHIFT_MIRROR; see the rig's README); the
# first build takes about 12 minutes, later starts seconds.
#
# Extra arguments go to the xunit runner, e.g. -method '*Quick_start*'.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rig=${MLFLOW_RIG:-$root/../shared/rig}
export MLFLOW_RIG=$rig
image=${MLFLOW_TEST_IMAGE:-localhost/mlflow:v3.11.2.dev0-full}
export MLFLOW_TEST_IMAGE=$image

say() { echo "cluster-test: $*" >&2; }

cluster_answers() {
  [ -n "${KUBECONFIG:-}" ] && [ -f "$KUBECONFIG" ] || return 1
  local kubectl
  kubectl=$(command -v kubectl || echo /tmp/k8s/bin/kubectl)
  "$kubectl" --request-timeout=10s get nodes -o name >/dev/null 2>&1
}

if cluster_answers; then
  say "using the cluster of KUBECONFIG=$KUBECONFIG"
else
  [ -x "$rig/k8s/up" ] || { say "no cluster answers at KUBECONFIG and there is no rig at $rig (set MLFLOW_RIG)"; echo "0 passed, 1 failed"; exit 1; }
  [ "$(id -u)" = 0 ] || { say "the rig needs root"; echo "0 passed, 1 failed"; exit 1; }
  say "starting the rig's Kubernetes ($rig/k8s/up; about 8 minutes the first time)"
  eval "$("$rig/k8s/up")"
  export KUBECONFIG
  # The rig's image: build the root filesystem and pack it once, then load it into containerd.
  if [ "$image" = localhost/mlflow:v3.11.2.dev0-full ]; then
    ctr=(ctr --address /tmp/k8s/run/containerd/containerd.sock -n k8s.io)
    if ! "${ctr[@]}" images ls -q 2>/dev/null | grep -qx "$image"; then
      tar=/tmp/mlflow-real/mlflow-image.tar
      if [ ! -s "$tar" ]; then
        say "building the MLflow image ($rig/mlflow/build and image; about 4 minutes the first time)"
        "$rig/mlflow/build" >&2
        "$rig/mlflow/image" --no-verify >&2
      fi
      say "loading $tar into the cluster's containerd"
      "${ctr[@]}" images import "$tar" >&2
    fi
  fi
fi

# What the tests measure (time to Ready, memory, latency under load) is printed before the summary.
rm -f TestResults/cluster-figures.tsv
export MLFLOW_PRINT_FIGURES=TestResults/cluster-figures.tsv
exec bash scripts/test.sh -namespace MlflowChart.Tests.Cluster "$@"
