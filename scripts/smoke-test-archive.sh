#!/usr/bin/env bash
# Runs a release archive's binary on this machine, as the release rehearsal does on each platform's
# own runner before anything is published (.github/workflows/release-build.yml calls this):
#
#   scripts/smoke-test-archive.sh ARCHIVE
#
# Unpacks ARCHIVE (halo-connect-TARGET.tar.gz or .zip) into a temporary directory, checks that it
# holds what the README promises (binary, README.md, LICENSE, THIRD-PARTY-LICENSES.md, four
# completion scripts, man pages), that its .sha256 matches, then runs the binary: `--version` must
# name Cargo.toml's version, and `test --sandbox --json` must pass (exit 0) against the built-in
# emulator, with a config directory of its own.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 ARCHIVE" >&2; exit 2; }
archive=$1
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$archive" ] || { echo "error: no archive at $archive" >&2; exit 1; }
file=$(basename "$archive")
dir=$(cd "$(dirname "$archive")" && pwd)

pkgid=$(cd "$root" && cargo pkgid --quiet --package halo-connect)
version=${pkgid##*[#@]}

(cd "$dir" && if command -v sha256sum >/dev/null 2>&1; then sha256sum -c "$file.sha256"; else shasum -a 256 -c "$file.sha256"; fi) >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$file" in
  *.zip)
    name=${file%.zip}
    exe=.exe
    if command -v unzip >/dev/null 2>&1; then unzip -q "$archive" -d "$work"; else 7z x -bd -bso0 "-o$work" "$archive"; fi
    ;;
  *.tar.gz)
    name=${file%.tar.gz}
    exe=""
    tar -xzf "$archive" -C "$work"
    ;;
  *) echo "error: $file is neither a .tar.gz nor a .zip" >&2; exit 1 ;;
esac
top="$work/$name"
for f in "halo-connect$exe" README.md LICENSE THIRD-PARTY-LICENSES.md \
  completions/halo-connect.bash completions/_halo-connect completions/halo-connect.fish \
  completions/_halo-connect.ps1 man/halo-connect.1; do
  [ -s "$top/$f" ] || { echo "error: $file holds no $name/$f" >&2; exit 1; }
done
bin="$top/halo-connect$exe"

got=$("$bin" --version)
[ "$got" = "halo-connect $version" ] || { echo "error: $file's binary says \"$got\", not halo-connect $version" >&2; exit 1; }

# A config of its own, so nothing of this machine's is read or written.
export HALO_CONNECT_CONFIG="$work/config/config.toml"
status=0
out=$("$bin" test --sandbox --json) || status=$?
if [ "$status" -ne 0 ]; then
  echo "$out" >&2
  echo "error: $file's binary failed \`test --sandbox --json\` with exit code $status" >&2
  exit 1
fi
case "$out" in
  *'"ok": true'* | *'"ok":true'*) ;;
  *) echo "$out" >&2; echo "error: $file's binary passed, but its JSON does not say \"ok\": true" >&2; exit 1 ;;
esac
echo "smoke test: $file runs here (halo-connect $version, test --sandbox passed)" >&2
