#!/usr/bin/env bash
# Fills the installer and package-manager templates of packaging/ for one release, from the
# archives' .sha256 files that scripts/build-release-archive.sh wrote:
#
#   scripts/render-packaging.sh VERSION OWNER/NAME DIST_DIR [--allow-missing]
#
# Writes into DIST_DIR: halo-connect-installer.sh, halo-connect-installer.ps1 (the one-line
# installers), halo-connect.rb (Homebrew), halo-connect.json (Scoop) and the three winget manifests
# WINGET_ID.yaml, WINGET_ID.locale.en-US.yaml, WINGET_ID.installer.yaml. A checksum that is missing
# is an error, unless --allow-missing (a local run with only this machine's archive), which leaves
# "MISSING" in its place. WINGET_ID (default HaloConnect.HaloConnect) names the winget package.
set -euo pipefail

[ $# -ge 3 ] && [ $# -le 4 ] || { echo "usage: $0 VERSION OWNER/NAME DIST_DIR [--allow-missing]" >&2; exit 2; }
version=${1#v}
repo=$2
dist=$3
allow_missing=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
owner=${repo%%/*}
winget_id=${WINGET_ID:-HaloConnect.HaloConnect}
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d 2>/dev/null || date -u +%Y-%m-%d)

targets=(
  x86_64-unknown-linux-musl aarch64-unknown-linux-musl
  x86_64-apple-darwin aarch64-apple-darwin
  x86_64-pc-windows-msvc aarch64-pc-windows-msvc
)
subst=(-e "s|@VERSION@|$version|g" -e "s|@REPO@|$repo|g" -e "s|@OWNER@|$owner|g"
  -e "s|@WINGET_ID@|$winget_id|g" -e "s|@DATE@|$date|g")
for t in "${targets[@]}"; do
  sum=""
  for f in "$dist/halo-connect-$t.tar.gz.sha256" "$dist/halo-connect-$t.zip.sha256"; do
    [ -f "$f" ] && sum=$(cut -d' ' -f1 <"$f")
  done
  if [ -z "$sum" ]; then
    [ "$allow_missing" = --allow-missing ] || { echo "error: no checksum for $t in $dist" >&2; exit 1; }
    sum=MISSING
  fi
  subst+=(-e "s|@SHA256_$t@|$sum|g")
done

render() { # TEMPLATE OUTPUT
  sed "${subst[@]}" "$root/packaging/$1" >"$dist/$2"
  if grep -n '@[A-Z0-9_a-z-]*@' "$dist/$2" | grep -v '^[0-9]*:#' >&2; then
    echo "error: $dist/$2 still holds a placeholder (above)" >&2
    exit 1
  fi
}
render install.sh halo-connect-installer.sh
render install.ps1 halo-connect-installer.ps1
render homebrew/halo-connect.rb halo-connect.rb
render scoop/halo-connect.json halo-connect.json
render winget/halo-connect.yaml "$winget_id.yaml"
render winget/halo-connect.locale.en-US.yaml "$winget_id.locale.en-US.yaml"
render winget/halo-connect.installer.yaml "$winget_id.installer.yaml"
chmod 0755 "$dist/halo-connect-installer.sh"

# What can be checked without the package managers themselves.
if command -v python3 >/dev/null 2>&1; then
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$dist/halo-connect.json"
fi
if command -v ruby >/dev/null 2>&1; then
  ruby -c "$dist/halo-connect.rb" >/dev/null
fi
echo "rendered the installers and manifests for $version into $dist" >&2
