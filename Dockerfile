# syntax=docker/dockerfile:1
# The registry as a container. The build stage installs everything and runs the
# production build (`npm run build`: JavaScript, generated code and web assets under
# dist/); the runtime stage is Node 20 slim with production dependencies only, no
# TypeScript runner, bundler or code generator. README: "Container".
#
#   docker build -t mcp-gateway-registry .
#   docker run -p 7860:7860 -v registry-data:/data mcp-gateway-registry

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# The production test (test/deploy/production.test.ts) installs and starts the same files
# with the same two commands outside a container.
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs scripts/
COPY --from=build /app/dist dist/
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
# The embedded database and generated keys live in DATA_DIR: a volume the non-root user owns.
RUN mkdir -p /data && chown node:node /data
ENV HOST=0.0.0.0 PORT=7860 DATA_DIR=/data
VOLUME /data
EXPOSE 7860
USER node
# Liveness only; load balancers ask GET /ready. The slim image has no curl: Node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7860) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: it stops accepting, lets requests in flight
# finish (SHUTDOWN_TIMEOUT_MS), closes sockets and the database, and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=4", "dist/src/main.js"]
