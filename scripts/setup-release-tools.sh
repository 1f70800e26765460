#!/usr/bin/env bash
# The release tests' tools: a real OCI registry (Debian's docker-registry, 2.8) and GnuPG.
# Installs them when missing and this runs as root with apt-get; prints MLFLOW_REGISTRY_BIN=...
# and MLFLOW_GPG_BIN=... for `eval` (empty when they cannot be had: the release tests then say
# they were skipped and why).
set -uo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-release-tools: installing ${missing[*]}" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; } >/dev/null 2>&1 ||
      echo "setup-release-tools: could not install ${missing[*]}" >&2
    # The package starts its own registry on port 5000 where systemd runs; the tests start theirs.
    command -v systemctl >/dev/null 2>&1 && systemctl disable --now docker-registry >/dev/null 2>&1
  else
    echo "setup-release-tools: ${missing[*]} missing (install as root: apt-get install ${missing[*]})" >&2
  fi
fi
echo "MLFLOW_REGISTRY_BIN=$(command -v docker-registry || true)"
echo "MLFLOW_GPG_BIN=$(command -v gpg || true)"
