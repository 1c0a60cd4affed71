#!/bin/sh
# halo-connect installer for Linux and macOS:
#
#   curl -LsSf https://github.com/@REPO@/releases/latest/download/halo-connect-installer.sh | sh
#
# Downloads the release archive for this machine, checks its SHA-256 against the release's
# checksum file, and puts `halo-connect` in ~/.local/bin (its man pages in ~/.local/share/man).
# Nothing runs as root and nothing outside those directories is touched.
#
# Environment (all optional):
#   HALO_CONNECT_VERSION      a version such as 1.2.0 (default: the release this script came from)
#   HALO_CONNECT_INSTALL_DIR  where the binary goes (default: ~/.local/bin)
#   HALO_CONNECT_REPO         owner/name on GitHub (default: @REPO@)
#   HALO_CONNECT_DOWNLOAD_URL a mirror holding the release files (default: the GitHub release)
set -eu

repo=${HALO_CONNECT_REPO:-@REPO@}
version=${HALO_CONNECT_VERSION:-@VERSION@}
install_dir=${HALO_CONNECT_INSTALL_DIR:-$HOME/.local/bin}
man_dir=${XDG_DATA_HOME:-$HOME/.local/share}/man/man1

say() { printf 'halo-connect installer: %s\n' "$*" >&2; }
fail() {
  say "error: $*"
  exit 1
}

# A template that the release job did not fill in must be told which version to take.
case "$repo" in *@*) fail "this copy of the installer names no repository; set HALO_CONNECT_REPO=owner/name" ;; esac
case "$version" in
  *@*) fail "this copy of the installer names no version; set HALO_CONNECT_VERSION (e.g. 1.2.0)" ;;
  v*) version=${version#v} ;;
esac

os=$(uname -s)
arch=$(uname -m)
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) fail "no release build for the processor $arch; build from source with: cargo install halo-connect" ;;
esac
case "$os" in
  Linux) target="$arch-unknown-linux-musl" ;;
  Darwin)
    # A shell under Rosetta reports x86_64 on Apple silicon; the native build is the better one.
    if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
      arch=aarch64
    fi
    target="$arch-apple-darwin"
    ;;
  *) fail "no release build for $os; on Windows use the PowerShell installer (see the README)" ;;
esac

base=${HALO_CONNECT_DOWNLOAD_URL:-https://github.com/$repo/releases/download/v$version}
archive="halo-connect-$target.tar.gz"

# HTTPS only, unless a mirror was named with an http:// address.
proto='=https'
case "$base" in http://*) proto='=http,https' ;; esac

download() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto "$proto" --tlsv1.2 -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "neither sha256sum nor shasum is installed, so the download cannot be checked"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading halo-connect $version for $target"
download "$base/$archive" "$tmp/$archive" || fail "could not download $base/$archive"
download "$base/$archive.sha256" "$tmp/$archive.sha256" || fail "could not download $base/$archive.sha256"
want=$(cut -d' ' -f1 <"$tmp/$archive.sha256")
got=$(sha256_of "$tmp/$archive")
[ -n "$want" ] && [ "$want" = "$got" ] || fail "the SHA-256 of $archive is $got, but the release says $want; nothing was installed"

tar -xzf "$tmp/$archive" -C "$tmp"
src="$tmp/halo-connect-$target"
[ -x "$src/halo-connect" ] || fail "the archive holds no halo-connect binary"
mkdir -p "$install_dir"
# Copy then rename, so a running halo-connect is never overwritten in place.
cp "$src/halo-connect" "$install_dir/.halo-connect.new"
chmod 0755 "$install_dir/.halo-connect.new"
mv -f "$install_dir/.halo-connect.new" "$install_dir/halo-connect"
if mkdir -p "$man_dir" 2>/dev/null; then
  cp "$src"/man/*.1 "$man_dir/" 2>/dev/null || true
fi

say "installed $("$install_dir/halo-connect" --version) to $install_dir/halo-connect"
case ":$PATH:" in
  *":$install_dir:"*) ;;
  *) say "add $install_dir to your PATH, e.g. in ~/.profile: export PATH=\"$install_dir:\$PATH\"" ;;
esac
say "shell completions: halo-connect completions bash|zsh|fish (see the README)"
