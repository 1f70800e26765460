#!/usr/bin/env bash
# Creates the project's release signing key, once, for the maintainer who will keep it:
#
#   MLFLOW_SIGN_PASSPHRASE=... bash scripts/release-key.sh "mlflow-helm releases <you@example.org>" \
#     --url https://raw.githubusercontent.com/OWNER/REPO/main/signing/mlflow-helm.asc
#
# It generates an RSA key in your GnuPG home (GNUPGHOME, default ~/.gnupg), writes its public half
# to signing/mlflow-helm.asc (armored, for people and Artifact Hub) and signing/mlflow-helm.gpg
# (the keyring `helm --verify --keyring` reads), exports the secret key in the format Helm signs
# with to MLFLOW_SIGN_KEYRING (default ~/.gnupg/secring.gpg, mode 0600), and names the key in
# Chart.yaml's artifacthub.io/signKey. Commit signing/ and Chart.yaml; keep the secret keyring
# and passphrase out of the repository. scripts/release.sh then refuses to sign with any other key.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
uid=${1:-}; shift || true
url=""
while [ $# -gt 0 ]; do
  case $1 in
    --url) url=${2:?--url needs the address of signing/mlflow-helm.asc}; shift 2 ;;
    *) echo "release-key: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$uid" ] || { echo "release-key: give the key's user ID, e.g. \"mlflow-helm releases <you@example.org>\"" >&2; exit 2; }
[ -n "$url" ] || { echo "release-key: give --url, where users download signing/mlflow-helm.asc (Artifact Hub shows it)" >&2; exit 2; }
[ -n "${MLFLOW_SIGN_PASSPHRASE:-}" ] || { echo "release-key: set MLFLOW_SIGN_PASSPHRASE to the passphrase the key gets" >&2; exit 2; }
[ ! -e "$root/signing/mlflow-helm.asc" ] || { echo "release-key: signing/mlflow-helm.asc exists; the project has a key (delete signing/ to replace it)" >&2; exit 2; }
gpg=(gpg --batch --yes --pinentry-mode loopback --passphrase "$MLFLOW_SIGN_PASSPHRASE")
"${gpg[@]}" --quick-gen-key "$uid" rsa3072 sign 3y 2>/dev/null
fingerprint=$(gpg --with-colons --fingerprint "$uid" | awk -F: '/^fpr:/ { print $10; exit }')
mkdir -p "$root/signing"
gpg --armor --export "$uid" >"$root/signing/mlflow-helm.asc"
gpg --export "$uid" >"$root/signing/mlflow-helm.gpg"
keyring=${MLFLOW_SIGN_KEYRING:-${GNUPGHOME:-$HOME/.gnupg}/secring.gpg}
(umask 077; "${gpg[@]}" --export-secret-keys "$uid" >"$keyring")
awk -v fpr="$fingerprint" -v url="$url" '
  { print }
  /^annotations:[[:space:]]*$/ { print "  artifacthub.io/signKey: |"; print "    fingerprint: " fpr; print "    url: " url }
' "$root/charts/Chart.yaml" >"$root/charts/Chart.yaml.new" && mv "$root/charts/Chart.yaml.new" "$root/charts/Chart.yaml"
echo "created key $fingerprint ($uid); secret keyring $keyring; commit signing/ and charts/Chart.yaml"
