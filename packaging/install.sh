#!/bin/sh
# halo-connect installer for Linux and macOS:
#
#   curl -LsSf https://github.com/@REPO@/releases/latest/download/halo-connect-installer.sh | sh
#
# Downloads the release archive for this machine over https only, checks it, and puts
# `halo-connect` in ~/.local/bin (its man pages in ~/.local/share/man). Nothing runs as root and
# nothing outside those directories is touched.
#
# How the archive is checked: against the SHA-256 this script carries for its own release (the
# release job writes them in), so a swapped archive on the download server or a mirror is refused;
# for another version, against the release's .sha256 file, which proves only a whole download. When
# the GitHub CLI (`gh`) is installed and logged in, the archive's build-provenance attestation is
# verified as well (`gh attestation verify`), which proves the archive was built by this
# repository's release workflow; without `gh` that check is skipped, and the installer says so.
#
# Environment (all optional):
#   HALO_CONNECT_VERSION      a version such as 1.2.0 (default: the release this script came from)
#   HALO_CONNECT_INSTALL_DIR  where the binary goes (default: ~/.local/bin)
#   HALO_CONNECT_REPO         owner/name on GitHub (default: @REPO@)
#   HALO_CONNECT_DOWNLOAD_URL a mirror holding the release files: https://, or file:// for a local
#                             copy (default: the GitHub release); plain http:// is refused
#   HALO_CONNECT_REQUIRE_ATTESTATION=1  refuse to install when the attestation cannot be verified
set -eu

# Everything runs from main, called on the last line, so a download cut short runs nothing.
main() {

repo=${HALO_CONNECT_REPO:-@REPO@}
release_version=@VERSION@
version=${HALO_CONNECT_VERSION:-$release_version}
install_dir=${HALO_CONNECT_INSTALL_DIR:-$HOME/.local/bin}
man_dir=${XDG_DATA_HOME:-$HOME/.local/share}/man/man1

# A template that the release job did not fill in must be told which version to take.
case "$repo" in *@*) fail "this copy of the installer names no repository; set HALO_CONNECT_REPO=owner/name" ;; esac
case "$version" in
  *@*) fail "this copy of the installer names no version; set HALO_CONNECT_VERSION (e.g. 1.2.0)" ;;
  v*) version=${version#v} ;;
esac
case "$version" in
  *[!0-9A-Za-z.+-]* | .* | *..*) fail "HALO_CONNECT_VERSION=$version is not a version such as 1.2.0" ;;
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

# HTTPS only (curl's --proto binds every redirect too); file:// only for a local mirror named so.
case "$base" in
  https://*) proto='=https' ;;
  file://*) proto='=file' ;;
  *) fail "HALO_CONNECT_DOWNLOAD_URL=$base is not an https:// address; plain http lets anyone on the network swap the archive and its checksum, so name the mirror's https:// address" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pinned=""
if [ "$version" = "$release_version" ]; then
  pinned=$(release_sum "$target")
  case "$pinned" in *@* | MISSING) pinned="" ;; esac
fi
say "downloading halo-connect $version for $target"
download "$base/$archive" "$tmp/$archive" || fail "could not download $base/$archive"
got=$(sha256_of "$tmp/$archive")
want=$pinned
if [ -n "$want" ]; then
  [ "$want" = "$got" ] || fail "the SHA-256 of $archive is $got, but the release $version this installer came with says $want; nothing was installed"
  say "the archive's SHA-256 matches the one this installer carries for $version"
else
  download "$base/$archive.sha256" "$tmp/$archive.sha256" || fail "could not download $base/$archive.sha256"
  want=$(cut -d' ' -f1 <"$tmp/$archive.sha256")
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    fail "the SHA-256 of $archive is $got, but the release says $want; nothing was installed"
  fi
  say "the archive's SHA-256 matches $archive.sha256 from the same place, which proves a whole download, not who built it"
fi
verify_attestation "$tmp/$archive"

tar -xzf "$tmp/$archive" -C "$tmp"
src="$tmp/halo-connect-$target"
if [ ! -f "$src/halo-connect" ] || [ ! -x "$src/halo-connect" ]; then
  fail "the archive holds no halo-connect binary"
fi
mkdir -p "$install_dir"
dest="$install_dir/halo-connect"
if [ -L "$dest" ]; then
  fail "$dest is a symbolic link (to $(readlink "$dest")); halo-connect will not write through it: remove it, or choose another HALO_CONNECT_INSTALL_DIR"
fi
[ ! -e "$dest" ] || [ -f "$dest" ] || fail "$dest exists and is not a file; move it away, or choose another HALO_CONNECT_INSTALL_DIR"
if [ -n "$(find "$install_dir" -prune -perm -0002 ! -perm -1000 2>/dev/null)" ]; then
  say "warning: other users can change files in $install_dir; anything installed there is only as safe as they are"
fi
# A new file under a name no one can guess (mktemp creates it, never through a link), filled and
# made executable, then renamed over the old one: a running halo-connect is never overwritten in
# place, and a link planted beside it is never followed.
new=$(mktemp "$install_dir/.halo-connect.XXXXXX") || fail "cannot create a file in $install_dir"
if ! { cp "$src/halo-connect" "$new" && chmod 0755 "$new" && mv -f "$new" "$dest"; }; then
  rm -f "$new"
  fail "could not put halo-connect in $install_dir"
fi
if mkdir -p "$man_dir" 2>/dev/null; then
  for page in "$src"/man/*.1; do
    [ -f "$page" ] || continue
    name=$(basename "$page")
    [ -L "$man_dir/$name" ] && continue
    cp "$page" "$man_dir/$name" 2>/dev/null || true
  done
fi

say "installed $("$install_dir/halo-connect" --version) to $install_dir/halo-connect"
case ":$PATH:" in
  *":$install_dir:"*) ;;
  *) say "add $install_dir to your PATH, e.g. in ~/.profile: export PATH=\"$install_dir:\$PATH\"" ;;
esac
say "shell completions: halo-connect completions bash|zsh|fish (see the README)"
}

say() { printf 'halo-connect installer: %s\n' "$*" >&2; }
fail() {
  say "error: $*"
  exit 1
}

# The SHA-256 of each archive of release @VERSION@, written in by the release job.
release_sum() {
  case "$1" in
    x86_64-unknown-linux-musl) echo '@SHA256_x86_64-unknown-linux-musl@' ;;
    aarch64-unknown-linux-musl) echo '@SHA256_aarch64-unknown-linux-musl@' ;;
    x86_64-apple-darwin) echo '@SHA256_x86_64-apple-darwin@' ;;
    aarch64-apple-darwin) echo '@SHA256_aarch64-apple-darwin@' ;;
    *) echo '' ;;
  esac
}

download() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto "$proto" --tlsv1.2 -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    # wget cannot be held to https across redirects: it is used only when this installer carries
    # the archive's checksum, which no server on the way can change.
    case "$1" in https://*) ;; *) fail "wget cannot fetch $1; install curl" ;; esac
    [ -n "$pinned" ] || fail "only curl can be held to https across redirects, and this installer carries no checksum for $version; install curl"
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

# The build-provenance attestation, through the GitHub CLI when it is there and logged in.
verify_attestation() {
  if command -v gh >/dev/null 2>&1 && gh auth status >/dev/null 2>&1; then
    gh attestation verify "$1" --repo "$repo" >/dev/null 2>&1 ||
      fail "the build-provenance attestation of $(basename "$1") does not verify for $repo (gh attestation verify); nothing was installed"
    say "the archive's build-provenance attestation verifies for $repo"
  elif [ "${HALO_CONNECT_REQUIRE_ATTESTATION:-}" = 1 ]; then
    fail "HALO_CONNECT_REQUIRE_ATTESTATION=1, but the GitHub CLI (gh) is not installed or not logged in, so the attestation cannot be verified; install gh and run gh auth login"
  else
    say "the build-provenance attestation was not verified: the GitHub CLI (gh) is not installed or not logged in"
  fi
}

main "$@"
