#!/usr/bin/env bash
# Checks signwatch's event counts over a corpus against counts computed
# independently by corpus-counts.sh (find + zcat/unzip + jq), for the whole
# corpus and for each top-level folder, and shows what the scan detected.
set -euo pipefail
bin=${1:?usage: corpus-check.sh SIGNWATCH_BINARY CORPUS_DIR}
corpus=${2:?usage: corpus-check.sh SIGNWATCH_BINARY CORPUS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
expected=$("$here/corpus-counts.sh" "$corpus")
echo "independent counts (folder events unique):"
echo "$expected"
fail=0
check() { # name path expected_events expected_unique
  local out events unique
  out=$(mktemp)
  "$bin" scan --format json --output "$out" "$2"
  events=$(jq '.summary.events.read' "$out")
  unique=$(jq '.summary.events.unique' "$out")
  if [ "$events" = "$3" ] && [ "$unique" = "$4" ]; then
    echo "ok   $1: $events events, $unique unique"
  else
    echo "FAIL $1: signwatch read $events events ($unique unique), expected $3 ($4 unique)"
    fail=1
  fi
  if [ "$1" = TOTAL ]; then
    echo "detections over the whole corpus:"
    jq -r '.detections[] | "  \(.first_seen) \(.rule.level) \(.rule.title) | \(.summary)"' "$out"
    echo "parse errors: $(jq '.summary.events.parse_errors' "$out"), files read: $(jq '.summary.files.read' "$out"), skipped: $(jq '.summary.files.skipped' "$out")"
  fi
  rm -f "$out"
}
while read -r name events unique; do
  if [ "$name" = TOTAL ]; then
    check TOTAL "$corpus" "$events" "$unique"
  else
    check "$name" "$corpus/$name" "$events" "$unique"
  fi
done <<< "$expected"
exit $fail
