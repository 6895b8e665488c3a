# The two commands: `make dev` runs everything on this machine; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := dev

GO    ?= go
SQLC  := $(GO) tool -modfile=tools/go.mod sqlc
BIN   := bin/gateway

# `make dev` runs the simulated bank in test mode (1 s settlement, deterministic outcomes);
# `make dev TEST_MODE=false` gives the realistic 5-10 s delays and random declines.
export TEST_MODE ?= true
export WEBHOOK_ALLOW_PRIVATE_TARGETS ?= true

.PHONY: dev build ui generate check test test-go test-ui test-sdk-js test-e2e test-faults bench clean

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
	$(MAKE) --no-print-directory check test-go test-ui test-sdk-js test-e2e test-faults

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

# Load test against a whole gateway (TEST_PROCESSING_DELAY=0): see bench/RESULTS.md.
bench:
	@./scripts/install-deps.sh postgres
	./bench/run.sh

clean:
	rm -rf bin ui/dist/app
