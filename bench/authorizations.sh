#!/usr/bin/env bash
# What open authorizations cost the embedded server (issue 16): each successful payment with
# manual capture keeps its workflow open on one durable timer until it is captured, voided or
# expires. This script measures, on a whole gateway (scripts/with-stack.sh, gateway dev,
# TEST_PROCESSING_DELAY=0):
#
#   1. the end-to-end rate of new payments (automatic capture) on the empty stack;
#   2. the Temporal data directory (SQLite), the PostgreSQL data directory and the gateway's
#      resident memory;
#   3. N payments with manual capture, each left authorized (default 100 000);
#   4. the same sizes again, after a quiet minute (the workflows only wait);
#   5. the rate of new payments beside the N open authorizations.
#
#   bench/authorizations.sh            N=100000
#   bench/authorizations.sh 2000       a quick run
#
# It runs for a long time at N=100000 (the payments go through the whole gateway) and takes the
# machine's CPU meanwhile: run it on a quiet machine. Results go to stdout; copy the figures to
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
rate_payments=${RATE_PAYMENTS:-2000}
[ -x bin/gateway ] || make build
work=$(mktemp -d /tmp/paygate-authz.XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -o "$work/loadgen" ./bench/loadgen
export LOADGEN="$work/loadgen" N="$n" RATE_PAYMENTS="$rate_payments" TEST_PROCESSING_DELAY="${TEST_PROCESSING_DELAY:-0}"

./scripts/with-stack.sh bash -c '
  set -euo pipefail
  pid=$(ss -Hltnp "sport = :$PORT" | grep -o "pid=[0-9]*" | head -1 | cut -d= -f2)
  [ -n "$pid" ] || { echo "no process listens on $PORT"; exit 1; }
  sizes() {
    local temporal pg rss
    temporal=$(du -sb "$DATA_DIR/temporal" | cut -f1)
    pg=$(du -sb "$DATA_DIR/pg" | cut -f1)
    rss=$(awk "/^VmRSS/ {print \$2}" /proc/$pid/status)
    echo "$1: temporal_dir_bytes=$temporal postgres_dir_bytes=$pg gateway_rss_kib=$rss"
  }
  rate() {
    echo "=== $1: $RATE_PAYMENTS payments, automatic capture"
    "$LOADGEN" -clients 50 -payments "$RATE_PAYMENTS" -capture automatic -baseline=false -quiet-wait 0 -timeout 30m \
      -label "authorizations $1" | grep -E "end to end|API accepted|state transitions|history events|SQL statements \(|errors;" || true
  }
  rate "before"
  sizes "before"
  echo "=== $N payments, manual capture: each stays authorized"
  "$LOADGEN" -clients 50 -payments "$N" -capture manual -baseline=false -quiet-wait 0 -timeout 6h -sample 0 \
    -label "authorizations open" | grep -E "end to end|API accepted|state transitions|history events|SQL statements \(|errors;" || true
  sleep 60
  sizes "with $N open authorizations"
  open=$(curl -fsS "$BASE_URL/api/v1/queue/status" | grep -o "\"payments\":{[^}]*}")
  echo "queue status: $open"
  rate "beside $N open authorizations"
  sizes "after"
'
