#!/usr/bin/env bash
# Prints the artifacthub.io/changes entries of one CHANGELOG.md section (default: the newest),
# indented for Chart.yaml's annotations block: one entry per bullet, its first sentence as the
# description. A bullet that starts with "Added:", "Changed:", "Fixed:", "Removed:", "Deprecated:"
# or "Security:" takes that kind (the word is not repeated in the description); any other bullet is
# "changed". scripts/release.sh writes them into the packaged chart.
#
#   bash scripts/changes.sh [VERSION]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-$(sed -n 's/^## \([^ ]*\).*/\1/p' "$root/CHANGELOG.md" | head -1)}
awk -v want="$version" '
  function flush() {
    if (entry == "") return
    gsub(/`/, "", entry)
    sentence = entry
    if (match(entry, /\. /)) sentence = substr(entry, 1, RSTART - 1)
    sub(/\.$/, "", sentence)
    kind = "changed"
    if (match(sentence, /^(Added|Changed|Fixed|Removed|Deprecated|Security): /)) {
      kind = tolower(substr(sentence, 1, RLENGTH - 2))
      sentence = substr(sentence, RLENGTH + 1)
      first = sentence; sub(/ .*/, "", first)
      if (first ~ /^[a-z]+$/) sentence = toupper(substr(sentence, 1, 1)) substr(sentence, 2)
    }
    gsub(/\\/, "\\\\", sentence); gsub(/"/, "\\\"", sentence)
    printf "    - kind: %s\n      description: \"%s\"\n", kind, sentence
    entry = ""; count++
  }
  /^## / { if (inside) { flush(); exit } inside = ($2 == want); next }
  inside && /^- / { flush(); entry = substr($0, 3); next }
  inside && /^  +[^ ]/ && entry != "" { line = $0; sub(/^ +/, "", line); entry = entry " " line; next }
  inside && /^$/ { flush() }
  END { flush(); if (count == 0) { print "changes.sh: CHANGELOG.md has no bullets under ## " want > "/dev/stderr"; exit 1 } }
' "$root/CHANGELOG.md"
