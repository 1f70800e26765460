#!/usr/bin/env bash
# The one command that runs the whole suite on a fresh machine: fetches Helm 3 and Helm 4 when
# they are missing, restores and builds the C# solution, runs every test, and ends with the line
#   N passed, N failed, N skipped
# Extra arguments go to the xunit runner (e.g. -class MlflowChart.Tests.QuickStartTests).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

eval "$(bash scripts/setup-helm.sh)"
export HELM3_BIN HELM4_BIN KUBECTL_BIN
echo "helm 3: $("$HELM3_BIN" version --template '{{.Version}}')  helm 4: $("$HELM4_BIN" version --template '{{.Version}}')"
# kube-apiserver, etcd and kubectl for the API-server tests (skipped, with the reason, when missing).
eval "$(bash scripts/setup-k8s.sh)"
export KUBEBUILDER_ASSETS MLFLOW_CRDS
# A real OCI registry and GnuPG for the release tests (skipped, with the reason, when missing).
eval "$(bash scripts/setup-release-tools.sh)"
export MLFLOW_REGISTRY_BIN MLFLOW_GPG_BIN

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build mlflow-helm.sln -c Release -nologo -clp:ErrorsOnly -v:quiet

results="$root/TestResults"
mkdir -p "$results"
rm -f "$results/tests.xml"
set +e
dotnet "tests/MlflowChart.Tests/bin/Release/net10.0/MlflowChart.Tests.dll" -noLogo -noColor -result-xml "$results/tests.xml" "$@"
status=$?
set -e

if [ ! -s "$results/tests.xml" ]; then
  echo "test.sh: the test runner wrote no results (exit $status)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# xunit's XML report carries the counts on the <assembly> element.
count() { sed -nE "s/.*<assembly [^>]* $1=\"([0-9]+)\".*/\1/p" "$results/tests.xml" | head -1; }
passed=$(count passed); failed=$(count failed); skipped=$(count skipped); errors=$(count errors)
failed=$(( ${failed:-0} + ${errors:-0} ))
if [ -n "${MLFLOW_PRINT_FIGURES:-}" ] && [ -s "$MLFLOW_PRINT_FIGURES" ]; then
  echo "figures (helm, scenario, what, value):"
  cut -f2- "$MLFLOW_PRINT_FIGURES" | sed 's/^/  /'
fi
echo "${passed:-0} passed, ${failed} failed, ${skipped:-0} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
