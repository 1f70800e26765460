#!/usr/bin/env bash
# Assembles the charts the converter reads values for, so that the corpus test can render each
# corpus file with its own source chart:
#   bash scripts/source-charts.sh DIR
#   MLFLOW_SOURCE_CHARTS=DIR bash scripts/test.sh -class MlflowChart.Tests.MigrationCorpusTests
# It reads bare git mirrors (MIRRORS, default: .mirror beside the checkout's parent, as the rig
# does) of community-charts/helm-charts and bitnami/charts. Their subcharts (bundled databases,
# MinIO) come from registries this machine may not reach, so they are stubbed: a file that turns
# them on still renders the MLflow part. bitnami's library chart `common` is the real one.
# The upstream chart (mlflow/mlflow, folder charts/) is too large a repository to mirror here:
# copy its chart folder to DIR/upstream yourself, or the test skips that chart and says so.
set -euo pipefail

dest=${1:?usage: source-charts.sh DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
mirrors=${MIRRORS:-$(cd "$here/.." && pwd)/.mirror}
mkdir -p "$dest"

stub() { # stub CHART_DIR NAME VERSION
  mkdir -p "$1/charts/$2/templates"
  printf 'apiVersion: v2\nname: %s\nversion: %s\n' "$2" "$3" > "$1/charts/$2/Chart.yaml"
}

repo="$mirrors/community-charts+helm-charts/repo"
if [ -d "$repo" ]; then
  rm -rf "$dest/community" "$dest/.community"
  mkdir -p "$dest/.community"
  git -C "$repo" archive HEAD charts/mlflow | tar -x -C "$dest/.community"
  mv "$dest/.community/charts/mlflow" "$dest/community" && rm -rf "$dest/.community"
  stub "$dest/community" postgresql 18.8.12
  stub "$dest/community" mysql 14.0.3
  stub "$dest/community" minio 5.4.0
  echo "community-charts/mlflow $(grep '^version:' "$dest/community/Chart.yaml") from $(git -C "$repo" rev-parse --short HEAD)"
else
  echo "no mirror of community-charts/helm-charts at $repo (fetch github:community-charts/helm-charts)" >&2
fi

repo="$mirrors/bitnami+charts/repo"
if [ -d "$repo" ]; then
  rm -rf "$dest/bitnami" "$dest/.bitnami"
  mkdir -p "$dest/.bitnami"
  git -C "$repo" archive HEAD bitnami/mlflow bitnami/common | tar -x -C "$dest/.bitnami"
  mv "$dest/.bitnami/bitnami/mlflow" "$dest/bitnami"
  mkdir -p "$dest/bitnami/charts" && mv "$dest/.bitnami/bitnami/common" "$dest/bitnami/charts/common" && rm -rf "$dest/.bitnami"
  stub "$dest/bitnami" postgresql 16.0.0
  stub "$dest/bitnami" minio 17.0.0
  echo "bitnami/mlflow $(grep '^version:' "$dest/bitnami/Chart.yaml") from $(git -C "$repo" rev-parse --short HEAD)"
else
  echo "no mirror of bitnami/charts at $repo (fetch github:bitnami/charts)" >&2
fi

[ -f "$dest/upstream/Chart.yaml" ] || echo "no upstream chart in $dest/upstream: copy mlflow/mlflow's charts/ folder there to render the upstream corpus" >&2
