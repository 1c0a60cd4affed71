#!/usr/bin/env bash
# The GitHub Action's test step (action.yml): runs `halo-connect test --from-env` (or `--all` with
# a config file, or `--sandbox`), appends the Markdown summary to the job summary, and exits with
# halo-connect's exit code, so the job fails exactly when the test does. The values arrive as
# HALO_* environment variables from the action's inputs; nothing here prints them.
set -uo pipefail

# An input left empty is no value at all, not an empty one.
for v in HALO_URL HALO_CLIENT_ID HALO_CLIENT_SECRET HALO_TENANT HALO_RESOURCE_SERVER \
  HALO_AUTH_SERVER HALO_PRESET HALO_TIMEOUT; do
  [ -n "${!v:-}" ] || unset "$v"
done

args=(test)
if [ "${INPUT_SANDBOX:-false}" = true ]; then
  args+=(--sandbox)
elif [ -n "${INPUT_CONFIG:-}" ]; then
  args+=(--all --config "$INPUT_CONFIG")
else
  args+=(--from-env)
fi
summary="${RUNNER_TEMP:-/tmp}/halo-connect-summary-$$.md"
args+=(--summary "$summary")
if [ -n "${INPUT_JUNIT:-}" ]; then
  args+=(--junit "$INPUT_JUNIT")
fi

halo-connect "${args[@]}"
code=$?
if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi
rm -f "$summary"
echo "exit-code=$code" >>"${GITHUB_OUTPUT:-/dev/null}"
exit "$code"
