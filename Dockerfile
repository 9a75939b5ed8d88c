# Dockerfile - Verrijk in one image: the C server and the built web client on Debian bookworm-slim, running as a non-root user.
#
#   docker build -t verrijk .
#   docker run -p 8080:8080 -v verrijk-data:/var/lib/verrijk verrijk
#
# Three stages, and the image made from the last. The web client is built
# with Node 22 on plain bookworm, the way scripts/setup.sh does it on a
# Debian 12 machine: bookworm's own nodejs (18) is too old for Vite, so
# Debian's nodejs and npm fetch the pinned Node 22 from the npm registry
# into tools/node, and `npm ci` checks it against the integrity hash in
# tools/node/package-lock.json. No Node image is needed: every stage
# starts from Debian. The server is built in plain bookworm with the
# Debian -dev packages, and the runtime image takes only the results.
# Building the client here rather than copying a prebuilt
# web-client/dist keeps `docker build` working from a clean clone, and a
# stage of its own keeps Node out of the C build and lets Docker cache
# each half separately. The server is built on bookworm and
# runs on bookworm-slim: it is linked against exactly the library versions
# the runtime stage installs.
#
# A builder whose containers cannot reach the npm registry can take a web
# client built on the host by scripts/setup.sh instead (deploy/test-containers.sh
# does, with Podman): the target `prebuilt` takes it from the build context
# named web-dist, and the web stage is not built.
#
#   docker build --target prebuilt --build-context web-dist=web-client/dist -t verrijk .

# ---- web client ----
FROM debian:bookworm AS web
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY tools/node/package.json tools/node/package-lock.json tools/node/
RUN cd tools/node && npm ci --no-audit --no-fund --loglevel=error
ENV PATH=/src/tools/node/node_modules/.bin:$PATH
COPY web-client/package.json web-client/package-lock.json web-client/
RUN cd web-client && npm ci --no-audit --no-fund --loglevel=error
COPY web-client/ web-client/
RUN cd web-client && npm run build

# ---- server ----
FROM debian:bookworm AS server
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libwebsockets-dev libwebsockets-evlib-uv libmsgpack-dev libuv1-dev \
      libjansson-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY protocol/ protocol/
COPY server/ server/
# CMakeLists.txt configures the load generator too (only verrijk is built).
COPY bench/CMakeLists.txt bench/*.c bench/*.h bench/
# The unit tests (cmocka) run in CI, not in the image build.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERRIJK_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target verrijk \
 && strip build/server/verrijk

# ---- runtime ----
# Everything but the web client, which the two images below add.
FROM debian:bookworm-slim AS runtime
# The runtime halves of the -dev packages above. lws loads its libuv
# support with dlopen at start (libwebsockets-evlib-uv; ldd does not list
# it): without it the server stops with "unable to load evlib plugin".
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libwebsockets17 libwebsockets-evlib-uv libuv1 libmsgpackc2 libjansson4 libssl3 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system verrijk \
 && useradd --system --gid verrijk --home-dir /var/lib/verrijk --no-create-home \
      --shell /usr/sbin/nologin verrijk \
 && install -d -o verrijk -g verrijk -m 0750 /var/lib/verrijk

COPY --from=server /src/build/server/verrijk /usr/local/bin/verrijk
COPY decks/ /usr/share/verrijk/decks/
COPY deploy/healthcheck.sh /usr/local/bin/verrijk-healthcheck

USER verrijk
WORKDIR /var/lib/verrijk
# Every room's log lives here: keep it on a volume, one per server.
VOLUME ["/var/lib/verrijk"]
EXPOSE 8080
# bookworm-slim has no curl; the check is plain bash (deploy/healthcheck.sh).
# It checks the port the server was started with (PID 1's --port), so
# `docker run verrijk --port 9000` is healthy too.
# Every 10 s, so that compose's `scale` profile (nginx waits for healthy
# servers) starts within seconds; a check costs one tiny HTTP request.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "/usr/local/bin/verrijk-healthcheck"]
# Arguments given to `docker run` after the image name replace CMD, so the
# fixed paths live in ENTRYPOINT and CMD holds only what one may change.
ENTRYPOINT ["/usr/local/bin/verrijk", "--data", "/var/lib/verrijk", \
            "--web", "/usr/share/verrijk/web", "--decks", "/usr/share/verrijk/decks"]
CMD ["--host", "0.0.0.0", "--port", "8080"]

# ---- the images ----
# `--target prebuilt`: the web client from the build context web-dist.
FROM runtime AS prebuilt
COPY --from=web-dist . /usr/share/verrijk/web/

# The default (the last stage): the web client built in the web stage.
FROM runtime
COPY --from=web /src/web-client/dist/ /usr/share/verrijk/web/
