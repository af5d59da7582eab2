# syntax=docker/dockerfile:1
# CodeRoom: one image for every plane (infra/README.md "Image").
#   docker build -t coderoom .
#   docker run -p 8080:8080 -p 40000:40000/udp -p 40000:40000/tcp -v coderoom-data:/data coderoom        # all-in-one
#   docker run ... coderoom pty | media | keys | coderoom <admin command>                                 # one plane / a tool
# Stages: `worker` builds mediasoup's C++ worker from the npm package's sources (as
# media-server/scripts/build-worker does here), `build` compiles TypeScript and the web app,
# `deps` installs production dependencies only, and the final stage copies the results onto a
# clean slim base that runs as a non-root user.

ARG NODE_VERSION=22

# --- mediasoup worker, built against Debian's libraries ------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS worker
ARG BUILD_JOBS=4
# build-worker installs its own build dependencies with apt; it also needs patch and npm's registry.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates patch \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src/media-server
COPY media-server/scripts/build-worker scripts/build-worker
COPY media-server/patches patches
RUN CODEROOM_WORKER_CACHE_DIR=/opt/coderoom BUILD_JOBS="${BUILD_JOBS}" scripts/build-worker \
 && cp /opt/coderoom/mediasoup-worker-*/mediasoup-worker /opt/coderoom/mediasoup-worker

# --- toolchain for native addons (better-sqlite3, node-pty) --------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# mediasoup's install script skips its own worker download/build when this is set.
ENV MEDIASOUP_WORKER_BIN=/usr/local/lib/coderoom/mediasoup-worker
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY collab-server/package.json collab-server/
COPY pty-gateway/package.json pty-gateway/
COPY media-server/package.json media-server/
COPY web/package.json web/
COPY cli/package.json cli/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
COPY infra/package.json infra/

# --- compile: every dependency, then tsc -b and vite build ---------------------------------
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json tsconfig.json ./
COPY shared shared
COPY collab-server collab-server
COPY pty-gateway pty-gateway
COPY media-server media-server
COPY web web
COPY cli cli
RUN npm run build

# --- production dependencies of the server packages only (not web's, not dev tools) --------
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund \
      -w @coderoom/shared -w @coderoom/collab-server -w @coderoom/pty-gateway \
      -w @coderoom/media-server -w @coderoom/cli \
 # Sources and other platforms' binaries that nothing loads at run time.
 && rm -rf node_modules/node-pty/prebuilds node_modules/node-pty/third_party \
      node_modules/node-pty/deps node_modules/better-sqlite3/deps node_modules/mediasoup/worker \
 && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini: PID 1 that forwards signals and reaps shells' orphans; git: room imports; bubblewrap:
# optional PTY_SANDBOX=bwrap; postgresql-client: pg_dump/pg_restore for `coderoom backup` and
# `restore` (Debian 12's 15: dump servers up to 15); the rest are the shared libraries
# mediasoup-worker links.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini git ca-certificates bubblewrap postgresql-client \
      libuv1 libssl3 libsrtp2-1 libusrsctp2 libabsl20220623 libnss3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 coderoom \
 && useradd --system --uid 10001 --gid coderoom --home-dir /home/coderoom --create-home --shell /bin/bash coderoom \
 && mkdir -p /data/keys /data/workspaces /data/recordings /data/public-key/keys /backups \
 && chown -R coderoom:coderoom /data /backups
WORKDIR /app
COPY --from=worker /opt/coderoom/mediasoup-worker /usr/local/lib/coderoom/mediasoup-worker
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/collab-server/package.json collab-server/
COPY --from=build /app/collab-server/dist collab-server/dist
COPY --from=build /app/pty-gateway/package.json pty-gateway/
COPY --from=build /app/pty-gateway/dist pty-gateway/dist
COPY --from=build /app/media-server/package.json media-server/
COPY --from=build /app/media-server/dist media-server/dist
COPY --from=build /app/cli/package.json cli/
COPY --from=build /app/cli/bin cli/bin
COPY --from=build /app/cli/dist cli/dist
COPY --from=build /app/web/dist web/dist
COPY infra/scripts/signing-key.mjs infra/scripts/signing-key.mjs
COPY infra/docker/entrypoint.sh /usr/local/bin/coderoom-entrypoint
RUN ln -s /app/cli/bin/coderoom.js /usr/local/bin/coderoom

# Defaults for a container: listen on every interface, state under /data. The directories made
# above are mount points, so a new named volume starts owned by the non-root user.
# Secrets (DATABASE_URL, REDIS_URL, keys) come from the environment or mounted files at run time.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    MEDIASOUP_WORKER_BIN=/usr/local/lib/coderoom/mediasoup-worker

USER coderoom:coderoom
# HTTP (all-in-one and control plane; the pty and media planes use what PORT says), and
# mediasoup's WebRtcServer port of worker 0 (worker i uses MEDIA_RTC_MIN_PORT + i, UDP and TCP).
EXPOSE 8080 40000/udp 40000/tcp
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/coderoom-entrypoint"]
CMD ["all"]
