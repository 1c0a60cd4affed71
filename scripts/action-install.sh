#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): puts halo-connect on the job's PATH with the same
# installers the README gives users (packaging/install.sh, packaging/install.ps1), so each run of the
# action also exercises them. INPUT_VERSION: a release such as 1.2.0, "latest", or "source" (build
# the action's checkout with cargo); empty means the action's own tag when it is a version.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
version=${INPUT_VERSION:-}
if [ -z "$version" ]; then
  case "${ACTION_REF:-}" in
    v[0-9]*.[0-9]*.[0-9]*) version=${ACTION_REF#v} ;;
    *) version=latest ;;
  esac
fi
repo=${ACTION_REPO:-${GITHUB_REPOSITORY:-}}
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
