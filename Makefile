# The commands: `make dev` runs everything on this machine; `make test` runs every test;
# `make cluster` runs the scale-out topology of docker-compose.yml as processes here.
SHELL := /bin/bash
.DEFAULT_GOAL := dev

GO    ?= go
SQLC  := $(GO) tool -modfile=tools/go.mod sqlc
BIN   := bin/gateway

# `make dev` runs the simulated bank in test mode (1 s settlement, deterministic outcomes);
# `make dev TEST_MODE=false` gives the realistic 5-10 s delays and random declines.
export TEST_MODE ?= true
export WEBHOOK_ALLOW_PRIVATE_TARGETS ?= true

.PHONY: dev build ui generate check test test-go test-ui test-sdk-js test-e2e test-faults bench bench-peer bench-growth clean cluster cluster-build test-cluster

dev: build
	@./scripts/install-deps.sh postgres
	./$(BIN) dev

build: ui
	$(GO) build -o $(BIN) ./cmd/gateway

ui: ui/node_modules/.installed
	cd ui && npm run build --silent

ui/node_modules/.installed: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

generate:
	$(SQLC) generate

# Formatting, vet, generated code that matches its source, and deterministic workflow code.
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(SQLC) diff
	$(GO) tool -modfile=tools/go.mod workflowcheck ./workflows/...

test: build
	./scripts/install-deps.sh postgres chromium
	$(MAKE) --no-print-directory check test-go test-ui test-sdk-js test-e2e test-faults test-cluster

test-go:
	$(GO) test -count=1 -timeout 20m ./...

test-ui: ui/node_modules/.installed
	cd ui && npm test --silent

test-sdk-js:
	cd sdk/js && npm test --silent

# Browser tests and the JS client's live tests against a whole gateway (`gateway dev` on free
# ports, in a temporary directory).
test-e2e: build
	./scripts/with-stack.sh bash -c 'cd ui && npm run test:e2e --silent && cd ../sdk/js && npm run test:live --silent'

# Fault suite: kills, outages, misbehaving endpoints and hostile input against whole gateways
# (bin/gateway); see docs/reliability.md.
test-faults: build
	@./scripts/install-deps.sh postgres
	$(GO) test -tags faults -count=1 -timeout 15m ./faults/

# The topology of docker-compose.yml as processes on this machine (cmd/cluster, package cluster):
# PostgreSQL under .data/cluster, the official Temporal server on :7233 (PostgreSQL persistence and
# visibility, 16 shards) with its Web UI on :8233, two API replicas on :8000 and :8001, two workers,
# in test mode (deploy/gateway.test.env). Ctrl-C stops it all; a second run resumes.
cluster: cluster-build
	@./scripts/install-deps.sh postgres
	./bin/cluster -overlay deploy/gateway.test.env

# The Temporal server, its schema tool and Web UI at go.mod's versions (tool directives), and the
# runner. The first build of the server takes minutes.
cluster-build: build
	$(GO) build -o bin/temporal-server go.temporal.io/server/cmd/server
	$(GO) build -o bin/temporal-sql-tool go.temporal.io/server/cmd/tools/sql
	$(GO) build -o bin/temporal-ui github.com/temporalio/ui-server/v2/cmd/server
	$(GO) build -o bin/cluster ./cmd/cluster

# Tests against the real topology (kills, a Temporal restart, replicas racing):
# faults/cluster_test.go, with the fault suite's helpers.
test-cluster: cluster-build
	@./scripts/install-deps.sh postgres
	$(GO) test -tags faults,cluster -count=1 -timeout 15m -run TestCluster ./faults/

# Load test against a whole gateway (TEST_PROCESSING_DELAY=0): see bench/RESULTS.md.
bench:
	@./scripts/install-deps.sh postgres
	./bench/run.sh

# Ours against the Node/Bull peer of issue 18, alternately (PEER_DIR: a checkout of the peer outside
# this repository; BENCH_PAIRS, default 3): see bench/peer.sh and bench/RESULTS.md.
bench-peer:
	@if [ -z "$(PEER_DIR)" ]; then echo "make bench-peer: set PEER_DIR to a checkout of the peer, e.g." >&2; \
	  echo "  git clone https://github.com/MareeduManikanta123/payment_gateway_async /tmp/peer && git -C /tmp/peer checkout 8ab41aa" >&2; \
	  echo "  make bench-peer PEER_DIR=/tmp/peer" >&2; exit 2; fi
	@./scripts/install-deps.sh postgres redis
	PEER_DIR="$(PEER_DIR)" ./bench/peer.sh

# Growth benchmark: grows the database of a `gateway dev` (free ports, temporary directory) by COPY
# to 10 000 000 payments, measuring at 10 000, 1 000 000 and 10 000 000; then the embedded
# Temporal server's disk under a short retention and its Web UI queries with 1 000 000 closed
# workflows. 42 minutes on this 2-core machine while shared (bench/RESULTS.md); GROWTH_SIZES="2000 20000"
# for a quick run (variables: bench/growth/main.go).
bench-growth: build
	@./scripts/install-deps.sh postgres sqlite3
	$(GO) run ./bench/growth

clean:
	rm -rf bin ui/dist/app
