#!/usr/bin/env bash
# Runs a command against a whole gateway: `gateway dev` with its own PostgreSQL and Temporal in a
# temporary directory, on free loopback ports. BASE_URL tells the command where the API is;
# STACK_TEMPORAL_PORT and STACK_PG_PORT where Temporal's frontend and PostgreSQL are.
# The gateway is stopped (and its data removed) when the command ends.
set -euo pipefail
cd "$(dirname "$0")/.."

# Four distinct free loopback ports (Node is a prerequisite of the project anyway), so several
# stacks can run side by side; STACK_* variables pin them. All four sockets are held open until
# every port is known: ports taken one at a time can come back twice.
read -r port_temporal port_pg port_api port_ui < <(node -e '
  const net = require("net");
  const servers = [0, 1, 2, 3].map(() => net.createServer());
  Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')

data=$(mktemp -d /tmp/gateway-stack.XXXXXX)
chmod 755 "$data"
export STACK_TEMPORAL_PORT="${STACK_TEMPORAL_PORT:-$port_temporal}" STACK_PG_PORT="${STACK_PG_PORT:-$port_pg}"
export DATA_DIR="$data" PORT="${STACK_PORT:-$port_api}" DEV_POSTGRES_PORT="$STACK_PG_PORT" \
  DEV_TEMPORAL_PORT="$STACK_TEMPORAL_PORT" DEV_TEMPORAL_UI_PORT="${STACK_TEMPORAL_UI_PORT:-$port_ui}" \
  TEST_MODE=true TEST_PROCESSING_DELAY="${TEST_PROCESSING_DELAY:-300}" WEBHOOK_ALLOW_PRIVATE_TARGETS=true \
  WEBHOOK_RETRY_INTERVALS_TEST=true
export BASE_URL="http://127.0.0.1:$PORT"

./bin/gateway dev >"$data/gateway.log" 2>&1 &
pid=$!
stop() {
  kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap stop EXIT

for _ in $(seq 1 240); do
  if curl -fsS "$BASE_URL/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "gateway exited:"; tail -50 "$data/gateway.log"; exit 1; fi
  sleep 0.5
done
curl -fsS "$BASE_URL/health" >/dev/null || { echo "gateway not healthy after 120 s:"; tail -50 "$data/gateway.log"; exit 1; }

status=0
"$@" || status=$?
if [ $status -ne 0 ]; then echo "--- gateway log (last 40 lines) ---"; tail -40 "$data/gateway.log"; fi
exit $status
