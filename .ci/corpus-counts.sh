#!/usr/bin/env bash
# Counts the CloudTrail events in a corpus directory independently of signwatch
# (find + zcat/unzip + jq), so that .ci/run can check signwatch's own counts.
# Prints one line per top-level folder and a total line:
#   <folder> <events> <unique eventIDs>
set -euo pipefail
root=${1:?usage: corpus-counts.sh DIR}
extract() { # JSON values on stdin -> one eventID per CloudTrail event
  jq -r '(if type == "object" and has("Records") then .Records[]
          elif type == "array" then .[]
          else . end)
         | select(type == "object" and (has("eventName") or has("eventID") or has("eventSource")))
         | (.eventID // "no-event-id")' 2>/dev/null || true
}
dump() { # every data file below $1, decompressed, as a stream of JSON texts
  # Classified by name here on purpose: this check must not share signwatch's content sniffing.
  find "$1" -type f -name '*.gz' -print0 | sort -z | xargs -0 -r zcat | extract
  find "$1" -type f -name '*.zip' -print0 | sort -z | while IFS= read -r -d '' f; do unzip -p "$f"; done | extract
  find "$1" -type f \( -name '*.json' -o -name '*.jsonl' \) -print0 | sort -z | xargs -0 -r cat | extract
}
all=$(mktemp)
trap 'rm -f "$all"' EXIT
for d in "$root"/*/; do
  ids=$(dump "$d")
  n=$(printf '%s' "$ids" | grep -c . || true)
  u=$(printf '%s' "$ids" | grep . | sort -u | wc -l)
  printf '%s\n' "$ids" | grep . >> "$all" || true
  printf '%s %d %d\n' "$(basename "$d")" "$n" "$u"
done
printf 'TOTAL %d %d\n' "$(wc -l < "$all")" "$(sort -u "$all" | wc -l)"
