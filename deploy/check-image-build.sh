#!/usr/bin/env bash
# check-image-build.sh - the trimmed image-build check CI runs (deploy/test-containers.sh, the whole one, takes too long): builds the server on the host from exactly what the Dockerfile's server stage copies, with its own cmake command, and checks that its runtime stage installs every library the binary loads.
#
# It needs no container engine and catches what broke the image before: a
# file the build needs that the Dockerfile does not copy, or a library the
# runtime stage does not install. It does not check the base images, the
# web stage's npm, or the container at run time: test-containers.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d "${TMPDIR:-/tmp}/verrijk-image-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "image-build: FAIL: $*" >&2; echo "image-build: 0 passed, 1 failed"; exit 1; }

# The server stage: from `FROM ... AS server` to the next FROM, with the
# continuation lines joined.
stage() { # $1: the stage's name
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile |
		awk -v name="$1" 'tolower($1) == "from" { on = (tolower($(NF-1)) == "as" && $NF == name) ; next } on'
}
server=$(stage server)
[ -n "$server" ] || fail "no stage named server in Dockerfile"

# Its COPY lines into a copy of the tree, honouring .dockerignore's
# folders (git ls-files: what a clean clone holds).
mkdir "$tmp/src"
while read -r _ args; do
	# shellcheck disable=SC2206 # the sources are globs, as in the Dockerfile
	words=($args)
	dest=${words[-1]}
	for src in "${words[@]:0:${#words[@]}-1}"; do
		[[ $src != --* ]] || fail "COPY $args: options are not handled here"
		matches=$(git ls-files -- "$src")
		[ -n "$matches" ] || fail "COPY $args: $src matches no file in the repository"
		# The Dockerfile copies each source to the same path under /src.
		d=${dest%/}; s=${src%/}
		[ "$d" = . ] || [ "$d" = "$s" ] || [ "$d" = "$(dirname "$s")" ] || fail "COPY $args: destination is not the source's own path"
		# shellcheck disable=SC2086
		echo "$matches" | xargs cp --parents -t "$tmp/src"
	done
done < <(grep -i '^COPY ' <<<"$server")

# Its RUN lines that build (cmake ...), run here in that copy; -j2 at most.
cmd=$(grep -i '^RUN cmake ' <<<"$server" | sed 's/^RUN //')
[ -n "$cmd" ] || fail "no RUN cmake in the server stage"
echo "image-build: building the server from the Dockerfile's copies: $cmd"
(cd "$tmp/src" && nproc() { echo 2; } && export -f nproc && bash -c "$cmd") >"$tmp/build.log" 2>&1 ||
	{ tail -30 "$tmp/build.log" >&2; fail "the server stage's build failed in a copy of what it copies"; }
bin="$tmp/src/build/server/verrijk"
[ -x "$bin" ] || fail "no build/server/verrijk"

# Every library it links (its NEEDED entries, not what those pull in:
# their packages' own dependencies bring that) and lws' evlib plugin, which
# it loads with dlopen: each one's Debian package must be in the runtime
# stage's apt-get install.
runtime=$(stage runtime)
installs=$(grep -i 'apt-get install' <<<"$runtime" | tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' || true)
libs=()
for soname in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
	libs+=("$(ldd "$bin" | awk -v n="$soname" '$1 == n { print $3 }')")
done
libs+=("$(dpkg -L libwebsockets-evlib-uv | grep 'evlib_uv\.so$' | head -1)")
owner() { # $1: a file; its Debian package (dpkg names /lib or /usr/lib, as it was packaged)
	local f
	for f in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; do
		dpkg -S "$f" 2>/dev/null | head -1 | cut -d: -f1 && return
	done
}
missing=()
for lib in "${libs[@]}"; do
	[ -n "$lib" ] || fail "a library of the binary was not found (ldd)"
	pkg=$(owner "$lib")
	[ -n "$pkg" ] || fail "no Debian package holds $lib"
	# libc comes with every Debian image.
	[ "$pkg" != libc6 ] || continue
	grep -qx "$pkg" <<<"$installs" || missing+=("$pkg ($lib)")
done
[ ${#missing[@]} -eq 0 ] || fail "the runtime stage does not install: ${missing[*]}"
echo "image-build: the runtime stage installs every library it links: $(printf '%s ' "${libs[@]##*/}")"

# The files the runtime and web stages copy from the context exist.
for f in decks deploy/healthcheck.sh tools/node/package.json tools/node/package-lock.json \
	web-client/package.json web-client/package-lock.json; do
	grep -q "COPY .*$f" Dockerfile || fail "Dockerfile copies no $f (update this list)"
	[ -e "$f" ] || fail "Dockerfile copies $f, which does not exist"
done
echo "image-build: the server builds from what the Dockerfile copies; the runtime stage installs every library it loads"
echo "image-build: 1 passed, 0 failed"
