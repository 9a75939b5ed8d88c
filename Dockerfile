# Dockerfile - Verrijk in one image: the C server and the built web client on Debian bookworm-slim, running as a non-root user.
#
#   docker build -t verrijk .
#   docker run -p 8080:8080 -v verrijk-data:/var/lib/verrijk verrijk
#
# Three stages. The web client is built in the official Node image (Vite
# needs Node >= 20 and bookworm's own nodejs is 18; 22 rather than 20
# because Node 20's support ended in April 2026), the server in plain
# bookworm with the Debian -dev packages, and the runtime image takes only
# the results. Building the client here rather than copying a prebuilt
# web-client/dist keeps `docker build` working from a clean clone, and a
# stage of its own keeps Node out of the C build and lets Docker cache
# each half separately. The server is built on bookworm and runs on
# bookworm-slim: it is linked against exactly the library versions the
# runtime stage installs.

# ---- web client ----
FROM node:22-bookworm-slim AS web
WORKDIR /src/web-client
COPY web-client/package.json web-client/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web-client/ ./
RUN npm run build

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
# The unit tests (cmocka) run in CI, not in the image build.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERRIJK_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target verrijk \
 && strip build/server/verrijk

# ---- runtime ----
FROM debian:bookworm-slim
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
COPY --from=web /src/web-client/dist/ /usr/share/verrijk/web/
COPY decks/ /usr/share/verrijk/decks/
COPY deploy/healthcheck.sh /usr/local/bin/verrijk-healthcheck

USER verrijk
WORKDIR /var/lib/verrijk
# Every room's log lives here: keep it on a volume, one per server.
VOLUME ["/var/lib/verrijk"]
EXPOSE 8080
# bookworm-slim has no curl; the check is plain bash (deploy/healthcheck.sh).
# Every 10 s, so that compose's `scale` profile (nginx waits for healthy
# servers) starts within seconds; a check costs one tiny HTTP request.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "/usr/local/bin/verrijk-healthcheck", "8080"]
# Arguments given to `docker run` after the image name replace CMD, so the
# fixed paths live in ENTRYPOINT and CMD holds only what one may change.
ENTRYPOINT ["/usr/local/bin/verrijk", "--data", "/var/lib/verrijk", \
            "--web", "/usr/share/verrijk/web", "--decks", "/usr/share/verrijk/decks"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
