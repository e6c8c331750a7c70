# One image for every service; docker-compose.yml picks the command.
FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package): the database driver's guard against dropped connections.
COPY patches ./patches
RUN npm ci
COPY . .
# The offline explorer is built into the image, so no service builds it at start.
RUN node --import tsx platform/explorer/build.ts
USER node
