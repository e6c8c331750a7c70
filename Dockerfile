# syntax=docker/dockerfile:1
# One image for every service; docker-compose.yml and deploy/kubernetes/ pick each container's
# command (node bin/subgraph.js <slice>, node bin/gateway.js, node bin/migrate.js).
#   docker build -t qingdao-yingshang:0.1.0 .
# Three stages: the production dependencies alone (deps); the platform compiled to JavaScript with
# the devDependencies that compile it (build: npm run build, bin/build.ts); and what runs (runtime):
# Node, those two, nothing else — no tsx, no TypeScript, no sources. test/image.test.ts lints this
# file, test/image.e2e.ts runs each stage's commands without a container engine.

# Node 24 LTS, pinned to a release so a rebuild runs the same Node; to pin the bytes as well, add
# the digest (node:24.21.0-bookworm-slim@sha256:…). Change it in one place: here.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package): the database driver's guard against dropped connections.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
# tsc (typechecking what it emits), the migrations, the SDL and the explorer's prebuilt bundle.
RUN npm run build -- --out /app/dist

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APOLLO_TELEMETRY_DISABLED=1 \
    LOG_FORMAT=json \
    DATA_DIR=/home/node/data
WORKDIR /app
# Owned by root and only read by the service's user: a compromised process cannot change its code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./
USER node
EXPOSE 4000
# /ready, not /health: ready means the service's database role logs in and its subgraphs answer.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "bin/healthcheck.js"]
# The whole platform in one container (gateway on 4000); each service of a deployment names its own.
CMD ["node", "bin/start.js"]
