#!/usr/bin/env bash
# run.sh - install what is missing, build, and start Verrijk on http://localhost:8080.
# Extra arguments go to the server (see build/server/verrijk --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "==> starting: build/server/verrijk $*"
exec build/server/verrijk --web web-client/dist --decks decks "$@"
