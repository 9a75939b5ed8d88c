#!/usr/bin/env bash
# test-containers.sh - builds the image from the real Dockerfile with Podman and runs it as docker-compose.yml does (one server; the `scale` profile's three servers behind nginx), on this machine's loopback only.
#
# Needs no image registry: it makes the base images itself from Debian's
# packages (mmdebstrap) and reuses them on later runs. As root on Debian 12:
#
#   deploy/test-containers.sh
#
# Steps: install Podman (runc, slirp4netns), mmdebstrap and PyYAML if
# missing; scripts/setup.sh (the web client, the test helpers); the base
# images debian:bookworm and debian:bookworm-slim (one minbase rootfs
# without docs, man pages and locales, as the slim image is) unless present;
# a stand-in for the compose file's nginx image (deploy/nginx-standin.Containerfile);
# the project's image from ../Dockerfile, tagged as the compose file's
# image; then deploy/test-containers.test.mjs runs and checks the
# containers. Every container and volume it makes carries one label and is
# removed at the end, whatever happens; the images stay, for the next run.
#
# VERRIJK_CT_WEB=built builds the web client inside the image build (the
# Dockerfile's default target) instead of taking web-client/dist from the
# host (its target `prebuilt`): on the machines this was written on, npm
# in a container does not trust the certificate the registry presents
# there (SELF_SIGNED_CERT_IN_CHAIN) and never finishes. VERRIJK_CT_TIMEOUT (seconds, default 900) bounds the container
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."

t_start=$(date +%s)
RUN=verrijk-ct-$$
# crun refuses a hybrid cgroup setup; Podman's default rlimits can exceed
# the hard limits of the machine. The same flags go to every podman call.
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
work=$(mktemp -d "${TMPDIR:-/tmp}/verrijk-ct.XXXXXX")

cleanup() {
	local -a ids
	mapfile -t ids < <("${PODMAN[@]}" ps -a -q --filter "label=verrijk.container-test=$RUN" 2>/dev/null)
	[ ${#ids[@]} -eq 0 ] || "${PODMAN[@]}" rm -f -t 0 "${ids[@]}" >/dev/null 2>&1 || true
	mapfile -t ids < <("${PODMAN[@]}" volume ls -q --filter "label=verrijk.container-test=$RUN" 2>/dev/null)
	[ ${#ids[@]} -eq 0 ] || "${PODMAN[@]}" volume rm -f "${ids[@]}" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "==> [$(($(date +%s) - t_start)) s] $*"; }

DEBS=(podman runc slirp4netns mmdebstrap python3-yaml)
missing=()
for p in "${DEBS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "installing Debian packages: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "scripts/setup.sh (web client, test helpers)"
VERRIJK_TEST_DEPS=1 scripts/setup.sh >"$work/setup.log" 2>&1 || { tail -30 "$work/setup.log" >&2; exit 1; }
. tools/node/env.sh

# docker-compose.yml as JSON, for the image names here and for the test.
/usr/bin/python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' \
	docker-compose.yml >"$work/compose.json"
IMAGE=$(node -p 'require(process.argv[1]).services.verrijk.image' "$work/compose.json")
NGINX_IMAGE=$(node -p 'require(process.argv[1]).services.proxy.image' "$work/compose.json")

if ! "${PODMAN[@]}" image exists debian:bookworm || ! "${PODMAN[@]}" image exists debian:bookworm-slim; then
	step "making debian:bookworm and debian:bookworm-slim with mmdebstrap"
	# What the slim image leaves out; PATH without pyenv and the like, so
	# mmdebstrap's helpers run Debian's python3.
	PATH=/usr/sbin:/usr/bin:/sbin:/bin mmdebstrap --quiet --variant=minbase \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		bookworm "$work/rootfs.tar"
	"${PODMAN[@]}" import --quiet --change 'CMD ["bash"]' "$work/rootfs.tar" debian:bookworm >/dev/null
	"${PODMAN[@]}" tag debian:bookworm debian:bookworm-slim
	rm -f "$work/rootfs.tar"
fi

if ! "${PODMAN[@]}" image exists "$NGINX_IMAGE"; then
	step "making $NGINX_IMAGE (a stand-in from Debian's nginx)"
	"${PODMAN[@]}" build -q --pull=never --network host "${ULIMITS[@]}" -t "$NGINX_IMAGE" \
		-f deploy/nginx-standin.Containerfile deploy >"$work/nginx.log" 2>&1 || { tail -30 "$work/nginx.log" >&2; exit 1; }
fi

web=(--target prebuilt --build-context web-dist=web-client/dist)
[ "${VERRIJK_CT_WEB:-prebuilt}" != built ] || web=()
step "building $IMAGE from Dockerfile (web client: ${VERRIJK_CT_WEB:-prebuilt})"
t_build=$(date +%s)
"${PODMAN[@]}" build --format docker --pull=never --network host "${ULIMITS[@]}" "${web[@]}" -t "$IMAGE" -f Dockerfile . \
	>"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
step "built in $(($(date +%s) - t_build)) s; $IMAGE is $((size / 1000000)) MB"

step "running the containers (deploy/test-containers.test.mjs)"
VERRIJK_IMAGE=$IMAGE VERRIJK_NGINX_IMAGE=$NGINX_IMAGE VERRIJK_CT_RUN=$RUN VERRIJK_COMPOSE_JSON=$work/compose.json \
	timeout "${VERRIJK_CT_TIMEOUT:-900}" node --test --test-concurrency=1 deploy/test-containers.test.mjs
step "done: containers tested in $(($(date +%s) - t_start)) s in all"
