#!/usr/bin/env bash
# The release's SBOM, as .github/workflows/release.yml makes it (it calls this script):
#
#   scripts/sbom.sh [OUT_DIR]      # needs: cargo install --locked cargo-cyclonedx@0.5.9
#
# One CycloneDX 1.5 JSON document, OUT_DIR/halo-connect.cdx.json, describing halo-connect and
# every crate that any of the release targets builds with (Cargo.lock's resolution; build
# dependencies such as cc, which compiles ring's C and assembly, included; dev-dependencies excluded).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out_dir=${1:-$root/dist}
cd "$root"
cargo cyclonedx --format json --spec-version 1.5 --target all --override-filename halo-connect.cdx
mkdir -p "$out_dir"
mv halo-connect.cdx.json "$out_dir/halo-connect.cdx.json"
echo "$out_dir/halo-connect.cdx.json"
