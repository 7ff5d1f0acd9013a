# syntax=docker/dockerfile:1
# Stage 1: dependencies (with the generated Prisma client).
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund --omit=dev --ignore-scripts \
 && npm install --no-save --no-audit --no-fund prisma@7.10.1 \
 && PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate --schema prisma/schema

# Stage 2: runtime with Debian's ffmpeg.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    MIRRORTUBE_LISTEN__HOSTNAME=0.0.0.0 \
    MIRRORTUBE_LISTEN__PORT=9000 \
    MIRRORTUBE_STORAGE__ROOT=/data
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/src/generated ./src/generated
COPY package.json ./
COPY prisma ./prisma
COPY config ./config
COPY src ./src
# the sources transpiled once here (src/bin/compiled-sources.js), not at each start of a container
RUN node -e "import('./src/bin/compiled-sources.js').then((m) => m.compiledMain())"
VOLUME ["/data"]
EXPOSE 9000
USER node
CMD ["node", "src/bin/mirrortube.js", "serve"]
