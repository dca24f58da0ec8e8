# Compline's image: `docker build -t <registry>/compline:<version> .` The build stage compiles the TypeScript; the
# runtime stage holds the compiled CLI, the check and FinOps rule catalogues it reads at run time and the production
# dependencies.
FROM node:24.11.1-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:24.11.1-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY src/checks ./src/checks
COPY src/finops/rules ./src/finops/rules
COPY src/finops/prices/retail-prices.json ./src/finops/prices/retail-prices.json
COPY compline.schema.json ./
# `compline` on the PATH, as `npm install -g` would link it
RUN chmod 0755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/compline
# the image's own node user, by number so that Kubernetes' runAsNonRoot can verify it
USER 1000:1000
ENTRYPOINT ["compline"]
