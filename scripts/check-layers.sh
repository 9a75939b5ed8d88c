#!/usr/bin/env bash
# check-layers.sh - the server's folders include each other only as
# ARCHITECTURE.md ("Layers") allows, and never in a cycle.
#
#   scripts/check-layers.sh
#
# Every project include under server/ is written "folder/file.h" from
# server/ (the one include directory), so the folder a file depends on is
# the text before the slash. A file includes no top-level server header
# (only main.c lives there), a folder only the folders of its row in ALLOWED
# below, and the folders' graph has no cycle (tsort finds one). Exits 1 on
# any finding, naming the file and the include.
set -euo pipefail
cd "$(dirname "$0")/.."

# What each folder may include besides itself and the protocol library
# (<verrijk/protocol.h>). log/record.c is the one file of log/ that reads
# records as game events (EXCEPTIONS).
declare -A ALLOWED=(
  [game]=""
  [log]=""
  [ops]="log net"
  [net]=""
  [rooms]="game log net ops"
  [http]="rooms game log net ops"
  [cli]="game log"
)
declare -A EXCEPTIONS=(
  [server/log/record.c]="game"
  [server/log/record.h]="game"
)

status=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

while IFS= read -r file; do
  rel=${file#server/}
  if [[ $rel != */* ]]; then
    continue # main.c joins every layer
  fi
  folder=${rel%%/*}
  if [[ -z ${ALLOWED[$folder]+set} ]]; then
    echo "check-layers: $file: folder $folder/ has no row in ALLOWED (scripts/check-layers.sh)" >&2
    status=1
    continue
  fi
  allowed=" ${ALLOWED[$folder]} ${EXCEPTIONS[$file]:-} "
  while IFS= read -r inc; do
    if [[ $inc != */* ]]; then
      echo "check-layers: $file includes \"$inc\": a top-level header (write \"folder/$inc\")" >&2
      status=1
      continue
    fi
    dep=${inc%%/*}
    [[ $dep == "$folder" ]] && continue
    echo "$folder $dep" >> "$edges"
    if [[ $allowed != *" $dep "* ]]; then
      echo "check-layers: $file includes \"$inc\": $folder/ may include only:${ALLOWED[$folder]:- nothing of server/}" >&2
      status=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find server -name '*.[ch]' | sort)

if ! sort -u "$edges" | tsort > /dev/null 2> "$edges.err"; then
  echo "check-layers: the folders include each other in a cycle:" >&2
  cat "$edges.err" >&2
  status=1
fi
rm -f "$edges.err"

if [[ $status -eq 0 ]]; then
  echo "check-layers: clean ($(sort -u "$edges" | wc -l) folder dependencies, no cycle)"
fi
exit "$status"
