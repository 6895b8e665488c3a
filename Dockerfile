# The gateway binary with the dashboard built in. Used by docker-compose.yml for `serve`,
# `worker` and `migrate`.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/ui/dist/app ./ui/dist/app
RUN CGO_ENABLED=0 go build -trimpath -o /gateway ./cmd/gateway

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /gateway /gateway
EXPOSE 8000
ENTRYPOINT ["/gateway"]
