#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): puts halo-connect on the job's PATH with the same
# installers the README gives users (packaging/install.sh, packaging/install.ps1), so each run of the
# action also exercises them; they check the archive's SHA-256 before installing anything.
# Which release: INPUT_VERSION (1.2.0, "latest", or "source" to build the action's checkout with
# cargo); when empty, the release the action itself is: its tag when used as @vX.Y.Z, otherwise
# (pinned by commit SHA, or a branch) the version in the action's own Cargo.toml, so pinning the
# action pins the binary too. Releases come from the action's repository (ACTION_REPO), else from
# halo-connect/halo-connect: never from the repository of the workflow that uses the action.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'halo-connect action: %s\n' "$*" >&2; }
version=${INPUT_VERSION:-}
if [ -z "$version" ]; then
  case "${ACTION_REF:-}" in
    v[0-9]*.[0-9]*.[0-9]*) version=${ACTION_REF#v} ;;
    *)
      # [package] or [workspace.package]: the first `version = "…"` line is the tool's.
      version=$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$here/Cargo.toml" | head -n 1)
      [ -n "$version" ] || { say "error: cannot read the version from $here/Cargo.toml; set the action's version: input"; exit 1; }
      say "the action at ${ACTION_REF:-its commit} is halo-connect $version: installing that release (version: latest takes the newest)"
      ;;
  esac
fi
case "${ACTION_REPO:-}" in
  */*) repo=$ACTION_REPO ;;
  *) repo=halo-connect/halo-connect ;;
esac
dest="${RUNNER_TEMP:-$(mktemp -d)}/halo-connect-bin"

if [ "$version" = source ]; then
  cargo install --locked --quiet --path "$here" --root "$dest"
  bin_dir="$dest/bin"
else
  if [ "$version" = latest ]; then
    # github.com/OWNER/NAME/releases/latest redirects to .../releases/tag/vX.Y.Z.
    url=$(curl --proto '=https' -fsSLI -o /dev/null -w '%{url_effective}' "https://github.com/$repo/releases/latest")
    version=${url##*/tag/v}
  fi
  say "installing halo-connect $version from $repo"
  export HALO_CONNECT_REPO=$repo HALO_CONNECT_VERSION=$version HALO_CONNECT_INSTALL_DIR=$dest
  case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*)
      HALO_CONNECT_NO_MODIFY_PATH=1 pwsh -NoProfile -NonInteractive -File "$here/packaging/install.ps1"
      ;;
    *) sh "$here/packaging/install.sh" ;;
  esac
  bin_dir=$dest
fi
echo "$bin_dir" >>"$GITHUB_PATH"
