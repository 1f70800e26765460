#!/usr/bin/env bash
# Moves the chart to another MLflow release in one step:
#   bash scripts/bump-mlflow.sh 3.17.0
# appVersion and the default image (ghcr.io/mlflow/mlflow:v<version>-full) follow it, and with
# them the artifacthub.io/images annotation, the README, the scenario files that pin the tag, and
# the chart's own version (next minor, since the default image changes). A new CHANGELOG.md
# section is opened for you to finish. Review `git diff`, run bash scripts/test.sh, commit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
new=${1:-}
[[ $new =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "bump-mlflow: give the MLflow version as X.Y.Z, e.g. 3.17.0" >&2; exit 2; }
cd "$root"
old=$(sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' charts/Chart.yaml)
[ "$old" != "$new" ] || { echo "bump-mlflow: the chart already runs MLflow $new" >&2; exit 2; }
chart=$(sed -n 's/^version:[[:space:]]*//p' charts/Chart.yaml)
IFS=. read -r major minor _ <<<"$chart"
next="$major.$((minor + 1)).0"

sed -i -e "s/^appVersion:.*/appVersion: \"$new\"/" -e "s/^version:.*/version: $next/" \
  -e "s|ghcr.io/mlflow/mlflow:v$old-full|ghcr.io/mlflow/mlflow:v$new-full|" charts/Chart.yaml
for file in README.md charts/ci/*.yaml examples/*.yaml; do
  sed -i -e "s/v$old-full/v$new-full/g" -e "s/MLflow $old\b/MLflow $new/g" -e "s/app.kubernetes.io\/version: \"$old\"/app.kubernetes.io\/version: \"$new\"/g" "$file"
done
sed -i "s/mlflow-$chart\b/mlflow-$next/g" charts/ci/*.yaml
awk -v chart_version="$next" -v new="$new" '
  !done && /^## / {
    print "## " chart_version "\n"
    print "- Changed: MLflow " new " by default (`ghcr.io/mlflow/mlflow:v" new "-full`). Say here what else changed."
    print ""
    done = 1
  }
  { print }' CHANGELOG.md >CHANGELOG.md.new && mv CHANGELOG.md.new CHANGELOG.md
echo "MLflow $old -> $new, chart $chart -> $next; finish the ## $next section of CHANGELOG.md, then run bash scripts/test.sh"
