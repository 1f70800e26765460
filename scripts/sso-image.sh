#!/usr/bin/env bash
# The image of the single sign-on cluster tests: the rig's MLflow image plus one layer with
#   - the mlflow-oidc-auth plugin (tag OIDC_PLUGIN_TAG, default v7.3.1: MLflow 3.10 to 3.13),
#     its Python needs Debian does not already put in the MLflow image (python3-authlib,
#     python3-asgiref, python3-httpx), its permission UI built from web-react/ with npm, and the entry point
#     `mlflow server --app-name oidc-auth` looks up;
#   - node and the npm package oidc-provider (9.x), for the OpenID provider pod of the tests.
# The same recipe, on the official image, is the README's "SSO" image recipe with pip instead.
#
# Needs root, the rig's built MLflow root filesystem ($MLFLOW_REAL_BASE/imgroot and
# mlflow-image.tar: ../shared/rig/mlflow/build then image), a bare mirror of
# mlflow-oidc/mlflow-oidc-auth (OIDC_PLUGIN_MIRROR, or $MIRRORS/mlflow-oidc+mlflow-oidc-auth/repo),
# npm and the Debian mirror. Writes $MLFLOW_SSO_BASE/mlflow-sso-image.tar, imports it into the
# rig's containerd and prints the image name. A second run with the same inputs only imports.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base=${MLFLOW_REAL_BASE:-/tmp/mlflow-real}
work=${MLFLOW_SSO_BASE:-/tmp/mlflow-sso}
tag=${OIDC_PLUGIN_TAG:-v7.3.1}
provider=${OIDC_PROVIDER_VERSION:-9}
mirrors=${MIRRORS:-$root/../.mirror}
mirror=${OIDC_PLUGIN_MIRROR:-$mirrors/mlflow-oidc+mlflow-oidc-auth/repo}
containerd=${CONTAINERD_ADDRESS:-/tmp/k8s/run/containerd/containerd.sock}
say() { echo "sso-image: $*" >&2; }

[ "$(id -u)" = 0 ] || { say "needs root (an overlay mount and a chroot)"; exit 1; }
[ -d "$base/imgroot/opt/mlflow" ] && [ -f "$base/mlflow-image.tar" ] || { say "no rig image in $base: run ../shared/rig/mlflow/build and ../shared/rig/mlflow/image first"; exit 1; }
git --git-dir="$mirror" rev-parse -q --verify "$tag^{commit}" >/dev/null || { say "no tag $tag in $mirror: fetch github:mlflow-oidc/mlflow-oidc-auth (the library's fetch) and set OIDC_PLUGIN_MIRROR"; exit 1; }

mlflow_tag=$(sed 's/.*://' "$base/mlflow-image.name" 2>/dev/null || true)
name="localhost/mlflow-sso:${mlflow_tag:-v3.11.2.dev0-full}-oidc-${tag#v}"
out=$work/mlflow-sso-image.tar
stamp="$tag $provider $(sha256sum "$0" | cut -c1-16) $(stat -c %Y "$base/mlflow-image.tar")"
mkdir -p "$work"

if [ ! -f "$out" ] || [ "$(cat "$work/stamp" 2>/dev/null)" != "$stamp" ]; then
  # ---- the plugin's source and its UI ----------------------------------------------------------
  rm -rf "$work/src"; mkdir -p "$work/src"
  git --git-dir="$mirror" archive "$tag" mlflow_oidc_auth web-react LICENSE | tar -x -C "$work/src"
  say "building the plugin's permission UI (npm, web-react/)"
  (cd "$work/src/web-react" && npm install --no-audit --no-fund --loglevel=error >/dev/null && npm run build >/dev/null)
  [ -f "$work/src/mlflow_oidc_auth/ui/index.html" ] || { say "the UI build wrote no mlflow_oidc_auth/ui/index.html"; exit 1; }
  version=${tag#v}

  say "installing oidc-provider@$provider (npm)"
  rm -rf "$work/provider"; mkdir -p "$work/provider"
  npm install --prefix "$work/provider" --no-audit --no-fund --omit=dev --loglevel=error "oidc-provider@$provider" >/dev/null

  # ---- one layer over the rig's root filesystem --------------------------------------------------
  rm -rf "$work/upper" "$work/ovl"; mkdir -p "$work/upper" "$work/ovl" "$work/merged"
  mountpoint -q "$work/merged" && umount "$work/merged"
  mount -t overlay overlay -o "lowerdir=$base/imgroot,upperdir=$work/upper,workdir=$work/ovl" "$work/merged"
  trap 'umount "$work/merged" 2>/dev/null || true' EXIT
  m=$work/merged
  cp "$m/etc/resolv.conf" "$work/resolv.conf.orig" 2>/dev/null || : > "$work/resolv.conf.orig"
  cat /etc/resolv.conf > "$m/etc/resolv.conf"
  say "apt: python3-authlib python3-asgiref python3-httpx"
  unshare --mount --propagation private -- /bin/sh -ec '
    R=$1
    mount -t proc proc "$R/proc"; mount --rbind /dev "$R/dev"
    exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh -ec "
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends python3-authlib python3-asgiref python3-httpx >/dev/null
      apt-get clean"' sh "$m"
  cat "$work/resolv.conf.orig" > "$m/etc/resolv.conf"
  rm -rf "$m/var/lib/apt/lists/"* "$m/var/cache/apt/"* "$m/var/log/"*

  site=$m/opt/mlflow/lib/python3.13/site-packages
  [ -d "$site" ] || site=$(find "$m/opt/mlflow/lib" -maxdepth 2 -name site-packages -type d | head -1)
  cp -a "$work/src/mlflow_oidc_auth" "$site/"
  rm -rf "$site/mlflow_oidc_auth/tests"
  # What pip would write: the distribution's metadata and the entry point MLflow looks up for --app-name.
  info=$site/mlflow_oidc_auth-$version.dist-info
  mkdir -p "$info"
  printf 'Metadata-Version: 2.1\nName: mlflow-oidc-auth\nVersion: %s\nSummary: OpenID Connect (OIDC) auth plugin for MLflow (%s, built by mlflow-helm scripts/sso-image.sh)\nLicense: Apache-2.0\n' "$version" "$tag" > "$info/METADATA"
  printf '[console_scripts]\nmlflow-oidc-server = mlflow_oidc_auth.cli:run\n\n[mlflow.app]\noidc-auth = mlflow_oidc_auth.app:app\n' > "$info/entry_points.txt"
  printf 'mlflow_oidc_auth\n' > "$info/top_level.txt"
  printf 'mlflow-helm/scripts/sso-image.sh\n' > "$info/INSTALLER"
  : > "$info/RECORD"
  cp "$work/src/LICENSE" "$info/LICENSE"

  install -m 0755 "$(command -v node)" "$m/usr/local/bin/node"
  mkdir -p "$m/opt/oidc-provider"
  cp -a "$work/provider/node_modules" "$work/provider/package.json" "$m/opt/oidc-provider/"

  say "checking the layer as UID 1000"
  unshare --mount --propagation private -- /bin/sh -ec '
    R=$1
    mount -t proc proc "$R/proc"; mount --rbind /dev "$R/dev"
    exec chroot "$R" /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups -- /usr/bin/env -i HOME=/tmp USER=mlflow PATH=/opt/mlflow/bin:/usr/local/bin:/usr/bin:/bin sh -ec "
      python3 -c \"from importlib.metadata import entry_points; eps = entry_points(group=\\\"mlflow.app\\\"); assert \\\"oidc-auth\\\" in eps.names, eps; import mlflow_oidc_auth.app; print(\\\"plugin imports\\\")\"
      node --input-type=module -e \"import Provider from \\\"/opt/oidc-provider/node_modules/oidc-provider/lib/index.js\\\"; console.log(\\\"oidc-provider\\\", typeof Provider)\""' sh "$m"
  umount "$m"; trap - EXIT

  # ---- pack: the rig's layer, then this one ------------------------------------------------------
  find "$work/upper" -type c -delete   # overlay whiteouts of files apt removed; nothing the image needs
  rm -rf "$work/oci"; mkdir -p "$work/oci"
  tar -x -C "$work/oci" -f "$base/mlflow-image.tar"
  epoch=$(git --git-dir="$mirror" log -1 --format=%ct "$tag")
  (cd "$work/upper" && tar --sort=name --numeric-owner --mtime="@$epoch" --clamp-mtime \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf - $(ls -A)) > "$work/layer.tar"
  python3 - "$work/oci" "$work/layer.tar" "$name" "$tag" <<'PY'
import gzip, hashlib, json, os, shutil, sys
oci, layer, name, tag = sys.argv[1:]
blobs = os.path.join(oci, "blobs", "sha256")
def read(digest):
    return json.load(open(os.path.join(blobs, digest.split(":", 1)[1])))
def blob(obj):
    data = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return "sha256:" + digest, len(data)
diff = hashlib.sha256(open(layer, "rb").read()).hexdigest()
packed = layer + ".gz"
with open(layer, "rb") as src, open(packed, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as dst:
    shutil.copyfileobj(src, dst)
digest = hashlib.sha256(open(packed, "rb").read()).hexdigest()
shutil.move(packed, os.path.join(blobs, digest))
index = json.load(open(os.path.join(oci, "index.json")))
manifest = read(index["manifests"][0]["digest"])
config = read(manifest["config"]["digest"])
config["rootfs"]["diff_ids"].append("sha256:" + diff)
config["history"].append({"created": config["created"], "created_by": f"mlflow-helm scripts/sso-image.sh: mlflow-oidc-auth {tag}, python3-authlib, python3-asgiref, python3-httpx, node, oidc-provider"})
config["config"]["Labels"]["org.opencontainers.image.description"] += f"; with mlflow-oidc-auth {tag} and oidc-provider"
cd, cs = blob(config)
manifest["config"] = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs}
manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + digest, "size": os.path.getsize(os.path.join(blobs, digest))})
md, ms = blob(manifest)
index["manifests"][0].update({"digest": md, "size": ms})
index["manifests"][0]["annotations"] = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}
json.dump(index, open(os.path.join(oci, "index.json"), "w"), separators=(",", ":"))
json.dump([{"Config": "blobs/sha256/" + cd.split(":")[1], "RepoTags": [name], "Layers": ["blobs/sha256/" + l["digest"].split(":")[1] for l in manifest["layers"]]}],
          open(os.path.join(oci, "manifest.json"), "w"))
PY
  rm -f "$work/layer.tar"
  (cd "$work/oci" && tar --sort=name --numeric-owner --owner=0 --group=0 -cf "$out.tmp" oci-layout index.json manifest.json blobs) && mv "$out.tmp" "$out"
  rm -rf "$work/oci" "$work/upper" "$work/ovl"
  echo "$stamp" > "$work/stamp"
  say "wrote $out"
fi

if [ -S "$containerd" ]; then
  ctr --address "$containerd" -n k8s.io images import "$out" >/dev/null
  say "imported into the rig's containerd"
fi
echo "$name"
