#!/bin/bash
# healthcheck.sh - exits 0 when the Verrijk server on this host answers GET /healthz with "200 ok"; for Docker's HEALTHCHECK, needs only bash (no curl).
#
# Usage: healthcheck.sh [PORT]    (default: $VERRIJK_PORT, else 8080)
# It speaks HTTP/1.0 over bash's /dev/tcp to 127.0.0.1. Every read has a
# time limit and the header count is bounded, so a server that hangs or
# babbles fails the check instead of stalling it.
set -u

port=${1:-${VERRIJK_PORT:-8080}}
readonly MAX_HEADERS=64
readonly READ_TIMEOUT_S=4

{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 || exit 1

IFS=' ' read -r -t "$READ_TIMEOUT_S" _version status _reason <&3 || exit 1
[ "$status" = 200 ] || exit 1

# Skip the headers up to the blank line, then the body must be "ok".
for ((i = 0; i < MAX_HEADERS; i++)); do
	IFS= read -r -t "$READ_TIMEOUT_S" line <&3 || exit 1
	[ "${line%$'\r'}" = "" ] && break
done
[ "$i" -lt "$MAX_HEADERS" ] || exit 1
IFS= read -r -t "$READ_TIMEOUT_S" body <&3
[ "${body%$'\r'}" = ok ]
