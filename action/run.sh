#!/usr/bin/env bash
# The GitHub Action's logic (action.yml passes its inputs as INPUT_* variables): runs `compline gate` on the plan,
# appends the Markdown summary to $GITHUB_STEP_SUMMARY, sets the outputs exit-code and sarif, and exits with the
# gate's own exit code (0 pass, 1 blocking findings, 2 bad input or usage, 3 internal error).
set -uo pipefail

# How to start compline: the action builds it into its own folder; a test or a runner with compline installed
# can point elsewhere.
read -r -a compline <<< "${COMPLINE_COMMAND:-compline}"

if [ -z "${INPUT_PLAN:-}" ]; then
  echo "compline action: input plan is required (the output of terraform show -json)" >&2
  echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 2
fi

out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/compline-$$"
mkdir -p "$out"
summary="$out/summary.md"
sarif="${INPUT_SARIF_FILE:-$out/compline.sarif}"

args=(gate "$INPUT_PLAN" --fail-on "${INPUT_FAIL_ON:-high}" --unknown "${INPUT_UNKNOWN:-warn}"
  --output "markdown=$summary" --output "sarif=$sarif")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_TENANT:-}" ] && args+=(--tenant "$INPUT_TENANT")
[ -n "${INPUT_SOURCE_DIR:-}" ] && args+=(--source-dir "$INPUT_SOURCE_DIR")

"${compline[@]}" "${args[@]}"
code=$?

# Outputs are written together or not at all: on exit 2 and 3 there is no summary to show.
if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  if [ -f "$sarif" ]; then echo "sarif=$sarif" >> "$GITHUB_OUTPUT"; fi
fi
exit "$code"
