# cargohold: build the TypeScript in one stage, run with production dependencies only in another.
#   docker build -t cargohold .
#   docker run -d --name cargohold -v cargohold-data:/data -p 3000:3000 -e PUBLIC_URL=https://crates.example.com cargohold
# test/docker/recipe.test.ts performs these steps without a Docker engine; keep the two in step.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` also compiles the TypeScript into dist/ (the `prepare` script); then the dev tools go.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
# At run time the SQLite driver needs only its compiled addon, not its C sources and objects (~25 MB).
RUN cd node_modules/better-sqlite3 && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/sqlite3.a build/Release/test_extension.node

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the `node` user: the server can change nothing but /data.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY views ./views
COPY public ./public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
