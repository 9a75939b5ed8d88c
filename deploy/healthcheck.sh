#!/bin/bash
# healthcheck.sh - exits 0 when the Verrijk server on this host answers GET /healthz with "200 ok"; for Docker's HEALTHCHECK, needs only bash (no curl).
#
# Usage: healthcheck.sh [PORT]    (default: $VERRIJK_PORT, else the --port
#                                  of the server that is PID 1, else 8080)
# It speaks HTTP/1.0 over bash's /dev/tcp to 127.0.0.1. Every read has a
# time limit and the header count is bounded, so a server that hangs or
# babbles fails the check instead of stalling it.
set -u

# In the image the server is PID 1, and arguments to `docker run` replace
# its CMD: with `--port 9000` there, a check of 8080 would call a healthy
# server unhealthy. So without a port given, take the last --port of PID 1
# when PID 1 is verrijk.
pid1_port() {
	local -a args=()
	local j p=
	mapfile -d '' -t args </proc/1/cmdline 2>/dev/null || return 1
	[ "${#args[@]}" -gt 0 ] && [ "${args[0]##*/}" = verrijk ] || return 1
	for ((j = 1; j < ${#args[@]}; j++)); do
		case ${args[j]} in
		--port) p=${args[j + 1]:-} ;;
		--port=*) p=${args[j]#--port=} ;;
		esac
	done
	[ -n "$p" ] && echo "$p"
}

port=${1:-${VERRIJK_PORT:-$(pid1_port || echo 8080)}}
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
