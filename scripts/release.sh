#!/usr/bin/env bash
# Releases the chart version named in charts/Chart.yaml: checks, packages, signs, pushes, indexes.
#
#   bash scripts/release.sh --registry oci://REGISTRY/charts [--out DIR] [--repo-url URL]
#                           [--plain-http] [--skip-suite]
#
# It refuses, in one line, a tree with uncommitted changes, a Chart.yaml version that is not the
# newest section of CHANGELOG.md, and a version the registry already has. Then it runs
# `helm lint --strict` and the render suite's fast checks (--skip-suite leaves those to CI), and
# packages charts/ as mlflow-<version>.tgz with Helm provenance (.prov: the package's SHA-256,
# signed with GPG). The packaged Chart.yaml gets its artifacthub.io/changes from the newest
# CHANGELOG section, so the changes are written once. The package and its provenance are pushed
# to the registry (`helm push`), and DIR/index.yaml is written or merged for `helm repo add`
# users (their URL is --repo-url, default file://DIR).
#
# Signing: MLFLOW_SIGN_KEY names the key (its user ID or e-mail); MLFLOW_SIGN_KEYRING is a secret
# keyring in the format Helm reads (`gpg --export-secret-keys KEY > secring.gpg`; default
# ~/.gnupg/secring.gpg); MLFLOW_SIGN_PASSPHRASE or MLFLOW_SIGN_PASSPHRASE_FILE holds its
# passphrase. HELM names the helm binary (default: helm on PATH).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
helm=${HELM:-helm}
registry="" out="$root/dist" repo_url="" plain=() suite=1
refuse() { echo "release: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --registry) registry=${2:?--registry needs oci://HOST/PATH}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --repo-url) repo_url=${2:?--repo-url needs a URL}; shift 2 ;;
    --plain-http) plain=(--plain-http); shift ;;
    --skip-suite) suite=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) refuse "unknown option $1 (see --help)" ;;
  esac
done
[[ $registry == oci://* ]] || refuse "give the registry as --registry oci://HOST/PATH, e.g. oci://ghcr.io/OWNER/charts"
registry=${registry%/}

cd "$root"
version=$(sed -n 's/^version:[[:space:]]*//p' charts/Chart.yaml | tr -d '"')
name=$(sed -n 's/^name:[[:space:]]*//p' charts/Chart.yaml | tr -d '"')
[ -n "$version" ] && [ -n "$name" ] || refuse "charts/Chart.yaml has no name or version"

# 1. A committed tree: what is released is what the repository says.
dirty=$(git status --porcelain --untracked-files=normal 2>/dev/null | head -1) || refuse "$root is not a git checkout"
[ -z "$dirty" ] || refuse "the tree has uncommitted changes (${dirty:3} and maybe more); commit or stash them, then release"

# 2. The version is the newest CHANGELOG section.
newest=$(sed -n 's/^## \([^ ]*\).*/\1/p' CHANGELOG.md | head -1)
[ "$newest" = "$version" ] ||
  refuse "charts/Chart.yaml says version $version, but the newest section of CHANGELOG.md is ## ${newest:-(none)}; add a ## $version section saying what changed, or raise the version"

# 3. The registry does not have it yet.
if shown=$("$helm" show chart "$registry/$name" --version "$version" "${plain[@]}" 2>&1); then
  refuse "$name $version is already in $registry; a released version never changes: raise version in charts/Chart.yaml and add its CHANGELOG section"
elif ! grep -qiE 'not found|manifest unknown|name unknown|404' <<<"$shown"; then
  refuse "cannot ask $registry whether $name $version exists: $(tr '\n' ' ' <<<"$shown")"
fi

# 4. The signing key.
key=${MLFLOW_SIGN_KEY:-}
keyring=${MLFLOW_SIGN_KEYRING:-$HOME/.gnupg/secring.gpg}
[ -n "$key" ] || refuse "MLFLOW_SIGN_KEY is not set: name the GPG key to sign with (its user ID or e-mail)"
[ -s "$keyring" ] || refuse "no secret keyring at $keyring: export one with gpg --export-secret-keys \"$key\" > secring.gpg and set MLFLOW_SIGN_KEYRING"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passphrase_file=${MLFLOW_SIGN_PASSPHRASE_FILE:-}
if [ -z "$passphrase_file" ]; then
  [ -n "${MLFLOW_SIGN_PASSPHRASE:-}" ] || refuse "set MLFLOW_SIGN_PASSPHRASE or MLFLOW_SIGN_PASSPHRASE_FILE to the signing key's passphrase"
  passphrase_file=$work/passphrase
  (umask 077; printf '%s' "$MLFLOW_SIGN_PASSPHRASE" >"$passphrase_file")
fi

# The project's published key (scripts/release-key.sh writes it): only that key may sign.
if [ -s signing/mlflow-helm.asc ]; then
  mkdir -p "$work/gnupg" && chmod 700 "$work/gnupg"
  published=$(gpg --homedir "$work/gnupg" --with-colons --import-options show-only --import signing/mlflow-helm.asc 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }')
  annotated=$(sed -n 's/^[[:space:]]*fingerprint:[[:space:]]*//p' charts/Chart.yaml | head -1)
  [ "$published" = "$annotated" ] ||
    refuse "Chart.yaml's artifacthub.io/signKey names ${annotated:-no key}, but signing/mlflow-helm.asc is $published; make them the same key"
  gpg --homedir "$work/gnupg" --batch --import "$keyring" >/dev/null 2>&1 || refuse "cannot read the secret keyring $keyring"
  signing=$(gpg --homedir "$work/gnupg" --with-colons --fingerprint "$key" 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }')
  [ "$signing" = "$published" ] ||
    refuse "MLFLOW_SIGN_KEY \"$key\" is key ${signing:-(not in $keyring)}, but the project's published key is $published (signing/mlflow-helm.asc); sign with that key"
fi

# 5. Lint and the fast checks.
"$helm" lint --strict charts >/dev/null || { "$helm" lint --strict charts >&2; refuse "helm lint --strict failed"; }
if [ "$suite" = 1 ]; then
  bash scripts/test.sh -class MlflowChart.Tests.ScenarioPolicyTests -class MlflowChart.Tests.BadInputTests \
    -class MlflowChart.Tests.TemplateQuotingTests -class MlflowChart.Tests.DocsTests -class MlflowChart.Tests.ReleaseFileTests ||
    refuse "the render suite's fast checks failed (output above)"
fi

# 6. Package a copy whose Chart.yaml carries the newest CHANGELOG section as artifacthub.io/changes.
mkdir -p "$work/$name" "$out"
cp -R charts/. "$work/$name/"
changes=$(bash scripts/changes.sh "$version")
awk -v changes="$changes" '{ print } /^annotations:[[:space:]]*$/ { print "  artifacthub.io/changes: |"; print changes }' \
  charts/Chart.yaml >"$work/$name/Chart.yaml"
"$helm" package "$work/$name" -d "$out" --sign --key "$key" --keyring "$keyring" --passphrase-file "$passphrase_file" >/dev/null
package=$out/$name-$version.tgz
[ -s "$package" ] && [ -s "$package.prov" ] || refuse "helm package wrote no $package and .prov"

# 7. Push (helm push takes the .prov beside the package along) and index.
"$helm" push "$package" "$registry" "${plain[@]}" >/dev/null
if [ -s "$out/index.yaml" ]; then
  "$helm" repo index "$out" --url "${repo_url:-file://$out}" --merge "$out/index.yaml"
else
  "$helm" repo index "$out" --url "${repo_url:-file://$out}"
fi

echo "released $name $version: $registry/$name:$version ($(stat -c %s "$package") bytes, sha256 $(sha256sum "$package" | cut -d' ' -f1)); $out/index.yaml updated"
