#!/usr/bin/env bash
# The last step before a release is published, and the rehearsal's last check on every push
# (.github/workflows/release-build.yml calls this; release.yml publishes what it leaves):
#
#   scripts/assemble-release.sh OWNER/NAME DIST_DIR
#
# DIST_DIR holds what the build jobs left: the six archives with their .sha256 files, the SBOM and
# THIRD-PARTY-LICENSES.md.
# Fails unless all six archives are there and match their checksums; then renders the installers and
# package manifests (scripts/render-packaging.sh, which refuses a missing checksum) and writes
# SHA256SUMS over everything the release carries, and checks it names every archive.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OWNER/NAME DIST_DIR" >&2; exit 2; }
repo=$1
dist=$2
root=$(cd "$(dirname "$0")/.." && pwd)
pkgid=$(cd "$root" && cargo pkgid --quiet --package halo-connect)
version=${pkgid##*[#@]}

archives=(
  halo-connect-x86_64-unknown-linux-musl.tar.gz halo-connect-aarch64-unknown-linux-musl.tar.gz
  halo-connect-x86_64-apple-darwin.tar.gz halo-connect-aarch64-apple-darwin.tar.gz
  halo-connect-x86_64-pc-windows-msvc.zip halo-connect-aarch64-pc-windows-msvc.zip
)
missing=0
for a in "${archives[@]}"; do
  for f in "$a" "$a.sha256"; do
    [ -s "$dist/$f" ] || { echo "error: $dist/$f is missing: the release needs all six archives" >&2; missing=1; }
  done
done
[ -s "$dist/halo-connect.cdx.json" ] || { echo "error: $dist/halo-connect.cdx.json (the SBOM) is missing" >&2; missing=1; }
[ -s "$dist/THIRD-PARTY-LICENSES.md" ] || { echo "error: $dist/THIRD-PARTY-LICENSES.md is missing" >&2; missing=1; }
[ "$missing" -eq 0 ] || exit 1
(cd "$dist" && sha256sum -c "${archives[@]/%/.sha256}") >&2

"$root/scripts/render-packaging.sh" "$version" "$repo" "$dist"

cd "$dist"
sha256sum "${archives[@]}" halo-connect.cdx.json THIRD-PARTY-LICENSES.md \
  halo-connect-installer.sh halo-connect-installer.ps1 halo-connect.rb halo-connect.json \
  ./*.yaml >SHA256SUMS
for a in "${archives[@]}"; do
  grep -q "  $a\$" SHA256SUMS || { echo "error: SHA256SUMS does not name $a" >&2; exit 1; }
done
sha256sum -c SHA256SUMS >/dev/null
cat SHA256SUMS >&2
echo "assembled halo-connect $version: six archives, SBOM, installers, manifests, SHA256SUMS" >&2
