# env.sh - sourced by scripts/setup.sh, run.sh and test.sh: puts the Node.js 22 that setup.sh installed here (only where the machine's Node is missing or older than 20) first on PATH.
# shellcheck shell=bash
verrijk_node_bin="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node_modules/.bin"
if [ -x "$verrijk_node_bin/node" ]; then
	case ":$PATH:" in
	*":$verrijk_node_bin:"*) ;;
	*) PATH="$verrijk_node_bin:$PATH"; export PATH ;;
	esac
fi
unset verrijk_node_bin
