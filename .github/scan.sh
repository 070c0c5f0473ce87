#!/usr/bin/env bash
# Runs the scan for the GitHub Action (action.yml) from its inputs (SCAN_* variables), adds a
# SARIF report when SCAN_SARIF names a file, and records the exit code and the SARIF path as
# step outputs. It never fails itself: the action's last step gates on the exit code.
set -euo pipefail

formats="${SCAN_FORMAT:-github}"
outputs="${SCAN_OUTPUT:--}"
if [ -n "${SCAN_SARIF:-}" ]; then
  formats="$formats,sarif"
  outputs="$outputs,$SCAN_SARIF"
fi
args=(scan)
read -r -a paths <<< "${SCAN_PATHS:-.}"
args+=("${paths[@]}")
if [ -n "${SCAN_POLICY:-}" ]; then
  IFS=',' read -r -a policies <<< "$SCAN_POLICY"
  for policy in "${policies[@]}"; do args+=(--policy "$policy"); done
fi
args+=(--fail-on "${SCAN_FAIL_ON:-high}" --format "$formats" --output "$outputs")
if [ -n "${SCAN_ARGS:-}" ]; then
  read -r -a extra <<< "$SCAN_ARGS"
  args+=("${extra[@]}")
fi
set +e
"$RESIDENCY" "${args[@]}"
code=$?
set -e
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ -n "${SCAN_SARIF:-}" ] && [ -f "$SCAN_SARIF" ]; then
  echo "sarif-file=$SCAN_SARIF" >> "$GITHUB_OUTPUT"
else
  echo "sarif-file=" >> "$GITHUB_OUTPUT"
fi
