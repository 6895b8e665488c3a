#!/usr/bin/env bash
# Does a big replay slow live deliveries (issue 17)? On a whole gateway (scripts/with-stack.sh,
# gateway dev, TEST_PROCESSING_DELAY=0) this script:
#
#   1. adds a second webhook endpoint subscribed to refund.* only, received by
#      `gateway webhooks listen` (which verifies every signature), and N refund.processed events
#      of the test merchant from two hours ago (default 100 000, inserted by SQL: replay reads
#      them like any other event);
#   2. runs loadgen (50 clients, RATE_PAYMENTS payments with their webhooks to loadgen's own
#      receiver, the primary endpoint) alone, then again while a replay of the N events to the
#      second endpoint runs, PAIRS times, alternating, and cancels the replay after each run;
#   3. prints each run's end-to-end rate and create-payment and webhook latencies, and the
#      replay's progress during the run beside it;
#   4. times a replay alone (20 s, no live traffic): its own pace.
#
#   bench/replay.sh              N=100000, PAIRS=2, RATE_PAYMENTS=2000 (about 8 minutes)
#   bench/replay.sh 20000        a quicker run
#
# The live payments make no refunds, so the second endpoint receives only the replay, and the
# primary endpoint only the live events. Results go to stdout; copy them to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# inside runs within scripts/with-stack.sh (BASE_URL, STACK_PG_PORT set).
inside() {
  local auth=(-H "X-Api-Key: key_test_abc123" -H "X-Api-Secret: secret_test_xyz789" -H "Content-Type: application/json")
  local db="postgres://postgres@127.0.0.1:$STACK_PG_PORT/gateway?sslmode=disable"
  field() { sed -E "s/.*\"$1\": *\"?([^\",}]*).*/\1/"; }

  local port endpoint id secret began
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  endpoint=$(curl -fsS "${auth[@]}" -d "{\"url\":\"http://127.0.0.1:$port/webhooks\",\"enabled_events\":[\"refund.*\"],\"description\":\"replay target\"}" \
    "$BASE_URL/api/v1/webhook_endpoints")
  id=$(echo "$endpoint" | field id)
  secret=$(echo "$endpoint" | field secret)
  ./bin/gateway webhooks listen --port "$port" --secret "$secret" >"$WORK/listen.log" 2>&1 &
  listener=$!
  trap 'kill "$listener" 2>/dev/null || true' EXIT

  began=$(date +%s%N)
  "$PSQL" -q "$db" -v n="$N" <<'SQL'
INSERT INTO events (id, merchant_id, type, refund_id, payload, created_at)
SELECT e.id, m.id, 'refund.processed', e.refund, jsonb_build_object(
         'id', e.id, 'event', 'refund.processed', 'timestamp', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'data', jsonb_build_object('refund', jsonb_build_object(
           'id', e.refund, 'payment_id', 'pay_replay' || lpad(g::text, 10, '0'), 'amount', 5000 + g % 1000,
           'currency', 'INR', 'status', 'processed', 'reason', 'customer request',
           'created_at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))), e.at
FROM generate_series(1, :n) g
CROSS JOIN LATERAL (SELECT 'evt_replay' || lpad(g::text, 10, '0') AS id, 'rfnd_replay' || lpad(g::text, 10, '0') AS refund,
                           now() - interval '2 hours' + g * interval '10 ms' AS at) e
CROSS JOIN (SELECT id FROM merchants WHERE api_key = 'key_test_abc123') m;
ANALYZE events;
SQL
  echo "seeded $N refund.processed events in $(( ($(date +%s%N) - began) / 1000000 )) ms; replay target $id on port $port"

  run() {
    echo "=== $1: loadgen, 50 clients, $RATE_PAYMENTS payments"
    "$LOADGEN" -clients 50 -payments "$RATE_PAYMENTS" -baseline=false -quiet-wait 0 -timeout 30m -label "replay $1" \
      | grep -E "end to end|create-payment|errors;" || true
  }
  local pair replay before after t0 t1 sent0 sent1
  for pair in $(seq 1 "$PAIRS"); do
    run "alone ($pair)"
    replay=$(curl -fsS "${auth[@]}" -d "{\"created\":{\"gte\":\"$(date -u -d "-3 hours" +%Y-%m-%dT%H:%M:%SZ)\",\"lte\":\"$(date -u -d "-1 minute" +%Y-%m-%dT%H:%M:%SZ)\"}}" \
      "$BASE_URL/api/v1/webhook_endpoints/$id/replay" | field id)
    sleep 5 # the replay under way: its count done, its first pages sent
    before=$(curl -fsS "${auth[@]}" "$BASE_URL/api/v1/replays/$replay")
    t0=$(date +%s%N)
    run "beside a replay ($pair)"
    after=$(curl -fsS "${auth[@]}" "$BASE_URL/api/v1/replays/$replay")
    t1=$(date +%s%N)
    sent0=$(echo "$before" | field sent)
    sent1=$(echo "$after" | field sent)
    echo "replay $replay: total $(echo "$after" | field total), sent $sent0 -> $sent1 during the run ($(( (sent1 - sent0) * 1000000000 / (t1 - t0) )) events/s), failed $(echo "$after" | field failed), status $(echo "$after" | field status)"
    curl -fsS "${auth[@]}" -X POST "$BASE_URL/api/v1/replays/$replay/cancel" >/dev/null
    for _ in $(seq 1 60); do
      [ "$(curl -fsS "${auth[@]}" "$BASE_URL/api/v1/replays/$replay" | field status)" != running ] && break
      sleep 1
    done
  done
  # The replay's own pace with no live traffic: 20 s of a new replay, after its first 5 s.
  replay=$(curl -fsS "${auth[@]}" -d "{\"created\":{\"gte\":\"$(date -u -d "-3 hours" +%Y-%m-%dT%H:%M:%SZ)\",\"lte\":\"$(date -u -d "-1 minute" +%Y-%m-%dT%H:%M:%SZ)\"}}" \
    "$BASE_URL/api/v1/webhook_endpoints/$id/replay" | field id)
  sleep 5
  sent0=$(curl -fsS "${auth[@]}" "$BASE_URL/api/v1/replays/$replay" | field sent)
  sleep 20
  sent1=$(curl -fsS "${auth[@]}" "$BASE_URL/api/v1/replays/$replay" | field sent)
  echo "replay $replay alone: $(( (sent1 - sent0) / 20 )) events/s"
  curl -fsS "${auth[@]}" -X POST "$BASE_URL/api/v1/replays/$replay/cancel" >/dev/null
  echo "listener: $(grep -c . "$WORK/listen.log" || true) lines, $(grep -c "NOT VERIFIED" "$WORK/listen.log" || true) not verified"
}
if [ "${1:-}" = --inside ]; then
  inside
  exit
fi

n=${1:-100000}
[ -x bin/gateway ] || make build
work=$(mktemp -d /tmp/paygate-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -o "$work/loadgen" ./bench/loadgen
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -1)
export LOADGEN="$work/loadgen" WORK="$work" PSQL="$psql" N="$n" PAIRS="${PAIRS:-2}" \
  RATE_PAYMENTS="${RATE_PAYMENTS:-2000}" TEST_PROCESSING_DELAY="${TEST_PROCESSING_DELAY:-0}"
./scripts/with-stack.sh bench/replay.sh --inside
