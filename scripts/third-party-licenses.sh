#!/usr/bin/env bash
# THIRD-PARTY-LICENSES.md, which every release archive and the container image carry: each
# dependency's licence in full, with the crates it covers, for every platform the release builds:
#
#   scripts/third-party-licenses.sh OUT_FILE
#
# Needs cargo-about (cargo install --locked --features cli cargo-about@0.9.3). Offline: the texts
# come from the crates' sources that cargo already downloaded; the accepted licences and the
# platforms are in packaging/about.toml, the page's shape in packaging/third-party-licenses.hbs.
# An unlisted licence, or a crate whose licence text cannot be found, is an error.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_FILE" >&2; exit 2; }
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
if ! cargo about --version >/dev/null 2>&1; then
  echo "error: cargo-about is not installed; install it with: cargo install --locked --features cli cargo-about@0.9.3" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd "$root"
cargo about generate --locked --workspace --fail \
  --config packaging/about.toml --output-file "$out" packaging/third-party-licenses.hbs
grep -q '^## ' "$out" || { echo "error: $out names no licence" >&2; exit 1; }
echo "$out"
