# syntax=docker/dockerfile:1
# Concord: one image for the API (default command) and the worker (`node dist/worker.js`).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so this layer is reused while only the sources change. Scripts are skipped
# here (`prepare` would build before the sources exist) and run by `npm rebuild` below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.migrations.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm rebuild \
 && npx tsc -p tsconfig.build.json \
 && npx tsc -p tsconfig.migrations.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY dashboards ./dashboards
COPY examples ./examples
# Runs as the unprivileged `node` user of the base image; the app writes nothing to disk.
USER node
EXPOSE 3000
# SIGTERM reaches node directly (exec form): Nest's shutdown hooks close HTTP, queues and workers.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
