# Townsquare: a production image. Build: docker build -t townsquare .
# Run: docker run -e DATABASE_URL=... -e REDIS_URL=... -e TOKEN_SECRET=... -p 4000:4000 townsquare
# The same steps run outside a container in tests/platform/production-install.test.ts.

# 1. Build: every dependency, compile TypeScript to dist/, then drop the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY migrations migrations
COPY seed seed
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# 2. Run: dist/ and the production dependencies only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/var/lib/townsquare
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
RUN mkdir -p /var/lib/townsquare && chown node:node /var/lib/townsquare
USER node
EXPOSE 4000
# Ready: the database answers and the instance is not shutting down (a Redis outage reads as degraded, still 200).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: readiness fails for SHUTDOWN_DELAY_MS (5 s), then HTTP and WebSocket drain; exit 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
