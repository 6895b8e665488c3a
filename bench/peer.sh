#!/usr/bin/env bash
# `make bench-peer`: ours against the Node/Express/Bull/Redis peer of issue 18, alternately, on this
# machine, with one load tool (bench/loadgen), and the ratios ours/peer.
#
#   PEER_DIR=/tmp/peer bench/peer.sh
#
# PEER_DIR is a checkout of the peer, outside this repository: the public repository
# MareeduManikanta123/payment_gateway_async, commit 8ab41aa for the figures in bench/RESULTS.md:
#
#   git clone https://github.com/MareeduManikanta123/payment_gateway_async /tmp/peer
#   git -C /tmp/peer checkout 8ab41aa
#
# The peer's code is only run from PEER_DIR, never copied here. Its configuration is passed in
# environment variables, plus one file generated in a temporary directory (a Node preload that
# makes its API listen on 127.0.0.1 only: its server.js listens on every interface).
#
# Each pair is one run of ours and then one of the peer, each with the same loadgen runs (default:
# 50 clients x 2000 payments, each counted when its payment.success webhook arrives; then 10 clients
# x 200 payments for latency):
#   ours: a fresh gateway from scripts/with-stack.sh (gateway dev: its own PostgreSQL and Temporal),
#         TEST_PROCESSING_DELAY=0.
#   peer: a fresh database in a PostgreSQL cluster of its own and a fresh Redis (Debian's
#         redis-server), its API (src/server.js: creates its tables and seeds its test merchant)
#         and PEER_WORKERS worker processes (src/worker.js), TEST_MODE=true with
#         TEST_PROCESSING_DELAY=0 and TEST_PAYMENT_SUCCESS=true. npm ci in its backend/ when its
#         node_modules is missing.
# Everything listens on free loopback ports and is stopped at the end. Then it prints, per pair,
# both systems' figures and the ratio ours/peer, and each ratio's median over the pairs.
#
# Environment:
#   PEER_DIR=DIR                     the peer's checkout (required)
#   BENCH_PAIRS=N                    number of ours/peer pairs (default 3)
#   BENCH_PEER_RUNS="ARGS\nARGS"     loadgen runs of each side, one line each (default
#                                    "-clients 50 -payments 2000" and "-clients 10 -payments 200")
#   BENCH_LOADGEN_ARGS=ARGS          more loadgen flags for every run of both sides (e.g. -quiet-wait 0)
#   BENCH_BASELINE=0|1               also run our empty-workflow baseline after our runs (default 0;
#                                    the peer has none)
#   PEER_WORKERS=N                   the peer's worker processes (default 1, as its docker-compose.yml)
#   PEER_NPM_CI=auto|always|never    npm ci in PEER_DIR/backend: when node_modules is missing (auto)
#   BENCH_BUILD=auto|always|never    build bin/gateway, as bench/run.sh
#   BENCH_PG_STAT_STATEMENTS=1|0     load pg_stat_statements in both systems' PostgreSQL (default 1)
#   BENCH_JSON=FILE                  also append each run's JSON line to FILE (relative to the repository)
#   BENCH_LABEL=TEXT                 label of our JSON lines (default: git commit, +dirty if edited)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

die() { echo "bench/peer.sh: $*" >&2; exit 2; }

if [ -z "${PEER_DIR:-}" ]; then
  die "set PEER_DIR to a checkout of the peer (outside this repository), for example:
  git clone https://github.com/MareeduManikanta123/payment_gateway_async /tmp/peer && git -C /tmp/peer checkout 8ab41aa
  PEER_DIR=/tmp/peer make bench-peer"
fi
[ -d "$PEER_DIR" ] || die "PEER_DIR=$PEER_DIR is not a directory"
PEER_DIR=$(cd "$PEER_DIR" && pwd -P)
case "$PEER_DIR/" in "$repo/"*) die "PEER_DIR=$PEER_DIR is inside this repository: check the peer out elsewhere (its code is never part of ours)" ;; esac
for f in backend/package.json backend/package-lock.json backend/src/server.js backend/src/worker.js; do
  [ -f "$PEER_DIR/$f" ] || die "PEER_DIR=$PEER_DIR has no $f: not a checkout of MareeduManikanta123/payment_gateway_async"
done
peer_rev=$(git -C "$PEER_DIR" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
[ "$peer_rev" = 8ab41aa ] || echo "bench/peer.sh: warning: the peer is at $peer_rev, not 8ab41aa (the commit of bench/RESULTS.md)" >&2

pairs=${BENCH_PAIRS:-3}
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "BENCH_PAIRS must be a positive number"
workers=${PEER_WORKERS:-1}
[[ $workers =~ ^[1-9][0-9]*$ ]] || die "PEER_WORKERS must be a positive number"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (the peer is a Node application)"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
  die "redis-server is missing: scripts/install-deps.sh redis (apt-get install -y redis-server)"
command -v psql >/dev/null || die "psql is missing: scripts/install-deps.sh postgres"
command -v curl >/dev/null && command -v ss >/dev/null || die "curl and ss (iproute2) are needed"
pg_real=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$pg_real/initdb" ] && [ -x "$pg_real/pg_ctl" ] || die "PostgreSQL server binaries not found: scripts/install-deps.sh postgres"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi # PostgreSQL refuses to run as root

# Our side, built as bench/run.sh does.
stale() {
  [ ! -x bin/gateway ] && return 0
  [ -n "$(find . \( -path ./.git -o -path ./.data -o -path ./ui/node_modules -o -path ./bench \) -prune -o \
    \( -name '*.go' -o -name go.mod -o -name go.sum -o -name '*.sql' \) -newer bin/gateway -print -quit)" ]
}
case "${BENCH_BUILD:-auto}" in
  always) make build ;;
  auto) if stale; then make build; fi ;;
  never) [ -x bin/gateway ] || die "bin/gateway missing (BENCH_BUILD=never)" ;;
  *) die "BENCH_BUILD must be auto, always or never" ;;
esac
case "${PEER_NPM_CI:-auto}" in
  always) (cd "$PEER_DIR/backend" && npm ci --no-audit --no-fund) ;;
  auto) [ -d "$PEER_DIR/backend/node_modules" ] || (cd "$PEER_DIR/backend" && npm ci --no-audit --no-fund) ;;
  never) [ -d "$PEER_DIR/backend/node_modules" ] || die "$PEER_DIR/backend/node_modules missing (PEER_NPM_CI=never)" ;;
  *) die "PEER_NPM_CI must be auto, always or never" ;;
esac

work=$(mktemp -d /tmp/paygate-peer.XXXXXX)
chmod 755 "$work"
peer_pids=()
redis_pid=""
peer_pg_started=0
stop_peer() {
  local p
  for p in "${peer_pids[@]}" $redis_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${peer_pids[@]}" $redis_pid; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  peer_pids=()
  redis_pid=""
}
cleanup() {
  stop_peer
  if [ $peer_pg_started = 1 ]; then "${as_pg[@]}" "$pg_ctl" stop -D "$work/peerpg" -m fast -w >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$work/loadgen" ./bench/loadgen

# pg_stat_statements in both systems' PostgreSQL, as bench/run.sh: pglocal (ours) and the peer's
# cluster start through a pg_ctl that adds the library.
pg_ctl="$pg_real/pg_ctl"
if [ "${BENCH_PG_STAT_STATEMENTS:-1}" = 1 ]; then
  mkdir "$work/pgbin"
  for f in "$pg_real"/*; do ln -s "$f" "$work/pgbin/"; done
  rm "$work/pgbin/pg_ctl"
  cat >"$work/pgbin/pg_ctl" <<EOF
#!/bin/sh
if [ "\$1" = start ]; then
  exec "$pg_real/pg_ctl" "\$@" -o "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=1000"
fi
exec "$pg_real/pg_ctl" "\$@"
EOF
  chmod 755 "$work/pgbin" "$work/pgbin/pg_ctl"
  export PG_BIN="$work/pgbin"
  pg_ctl="$work/pgbin/pg_ctl"
fi

# Free loopback ports for the peer's PostgreSQL, Redis and API, held together until all are known.
read -r pg_port redis_port api_port < <(node -e '
  const net = require("net");
  const servers = [0, 1, 2].map(() => net.createServer());
  Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')

# The peer's PostgreSQL: PostgreSQL 15 from Debian, the same settings as ours (pglocal: defaults,
# fsync on, 127.0.0.1 only); a fresh database for each peer run.
mkdir -m 700 "$work/peerpg" && mkdir -m 755 "$work/peerpg-sock"
if [ ${#as_pg[@]} -gt 0 ]; then chown postgres "$work/peerpg" "$work/peerpg-sock"; fi
"${as_pg[@]}" "$pg_real/initdb" -D "$work/peerpg" -A trust -U postgres -E UTF8 --locale=C >"$work/peerpg-initdb.log" 2>&1 ||
  { cat "$work/peerpg-initdb.log"; die "initdb failed"; }
"${as_pg[@]}" "$pg_ctl" start -D "$work/peerpg" -l "$work/peerpg-sock/server.log" -w -s \
  -o "-p $pg_port -k $work/peerpg-sock -c listen_addresses=127.0.0.1" ||
  { cat "$work/peerpg-sock/server.log"; die "the peer's PostgreSQL did not start"; }
peer_pg_started=1
psql_peer() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres "$@"; }

# Node preload: a listen() given no host binds 127.0.0.1 (express's app.listen(PORT) would bind all
# interfaces). Generated here, run with the peer's code, never part of it.
cat >"$work/loopback.cjs" <<'EOF'
// Generated by PayGate's bench/peer.sh: servers listen on 127.0.0.1 unless given a host.
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const port = args[0];
  if (typeof port === "number" || (typeof port === "string" && /^\d+$/.test(port))) {
    if (args.length === 1 || typeof args[1] === "function") args.splice(1, 0, "127.0.0.1");
  } else if (port && typeof port === "object" && port.path === undefined && port.host === undefined) {
    args[0] = { ...port, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
EOF

# only_loopback PORT: every listening socket on PORT is on 127.0.0.1.
only_loopback() {
  local addrs
  addrs=$(ss -ltnH "( sport = :$1 )" | awk '{print $4}')
  [ -n "$addrs" ] && ! grep -qv '^127\.0\.0\.1:' <<<"$addrs"
}

# start_peer N: fresh database peer_N and a fresh Redis, then the peer's API and workers.
start_peer() {
  local db="peer_$1" w
  psql_peer -c "CREATE DATABASE $db" || die "cannot create the peer's database"
  mkdir -p "$work/redis-$1"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --protected-mode yes \
    --dir "$work/redis-$1" --daemonize no --logfile "$work/redis-$1.log" &
  redis_pid=$!
  for _ in $(seq 1 100); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || { cat "$work/redis-$1.log"; die "Redis did not start"; }
  only_loopback "$redis_port" || die "Redis listens beyond 127.0.0.1"

  # The backend's .env holds docker-compose values: dotenv keeps what the environment sets.
  peer_env=(DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/$db" REDIS_URL="redis://127.0.0.1:$redis_port"
    PORT="$api_port" TEST_MODE=true TEST_PROCESSING_DELAY=0 TEST_PAYMENT_SUCCESS=true
    WEBHOOK_RETRY_INTERVALS_TEST=true NODE_ENV=production DOTENV_CONFIG_QUIET=true)
  (cd "$PEER_DIR/backend" && exec env "${peer_env[@]}" node -r "$work/loopback.cjs" src/server.js) >"$work/peer-api-$1.log" 2>&1 &
  peer_pids+=($!)
  local api=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$api_port/api/v1/test/merchant" 2>/dev/null | grep -q '"seeded":true' && break
    kill -0 "$api" 2>/dev/null || { tail -30 "$work/peer-api-$1.log"; die "the peer's API exited"; }
    sleep 0.25
  done
  curl -fsS "http://127.0.0.1:$api_port/api/v1/test/merchant" 2>/dev/null | grep -q '"seeded":true' ||
    { tail -30 "$work/peer-api-$1.log"; die "the peer's test merchant was not seeded after 60 s"; }
  only_loopback "$api_port" || die "the peer's API listens beyond 127.0.0.1"
  worker_pids=()
  for w in $(seq 1 "$workers"); do
    (cd "$PEER_DIR/backend" && exec env "${peer_env[@]}" node -r "$work/loopback.cjs" src/worker.js) >"$work/peer-worker-$1-$w.log" 2>&1 &
    peer_pids+=($!)
    worker_pids+=($!)
  done
  sleep 1
  for w in "${worker_pids[@]}"; do kill -0 "$w" 2>/dev/null || { tail -30 "$work"/peer-worker-"$1"-*.log; die "a peer worker exited"; }; done
}

finish_peer() {
  stop_peer
  psql_peer -c "DROP DATABASE IF EXISTS peer_$1" || true
  rm -rf "$work/redis-$1"
}

label=${BENCH_LABEL:-"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo +dirty)"}
export BENCH_PEER_RUNS="${BENCH_PEER_RUNS:-$(printf '%s\n' "-clients 50 -payments 2000" "-clients 10 -payments 200")}"
export TEST_PROCESSING_DELAY=0 LOADGEN="$work/loadgen" BENCH_LABEL="$label" RUNS_FILE="$work/runs.jsonl"
export BENCH_LOADGEN_ARGS="${BENCH_LOADGEN_ARGS:-}"
if [ "${BENCH_BASELINE:-0}" = 1 ]; then export OURS_ARGS=""; else export OURS_ARGS="-baseline=false"; fi
if [ -n "${BENCH_JSON:-}" ]; then
  case "$BENCH_JSON" in /*) ;; *) BENCH_JSON="$repo/$BENCH_JSON" ;; esac
  export BENCH_JSON
fi
: >"$RUNS_FILE"

echo "=== bench/peer.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): ours $label against the peer $peer_rev ($PEER_DIR), $pairs pair(s), $workers peer worker(s), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for pair in $(seq 1 "$pairs"); do
  export PAIR=$pair
  echo
  echo "=== pair $pair/$pairs: ours (scripts/with-stack.sh, TEST_PROCESSING_DELAY=0)"
  # Inside the stack, loadgen takes -url, -temporal and -database from BASE_URL, STACK_TEMPORAL_PORT
  # and STACK_PG_PORT.
  ./scripts/with-stack.sh bash -c '
    set -uo pipefail
    status=0
    while IFS= read -r args; do
      [ -n "$args" ] || continue
      echo "=== ours, pair $PAIR: loadgen $args $BENCH_LOADGEN_ARGS (API $BASE_URL)"
      # shellcheck disable=SC2086
      "$LOADGEN" -label "$BENCH_LABEL" -pair "$PAIR" $OURS_ARGS $args $BENCH_LOADGEN_ARGS | tee "$LOADGEN.out" || status=1
      grep "^{\"bench\"" "$LOADGEN.out" >>"$RUNS_FILE" || true
      if [ -n "${BENCH_JSON:-}" ]; then grep "^{\"bench\"" "$LOADGEN.out" >>"$BENCH_JSON" || true; fi
    done <<<"$BENCH_PEER_RUNS"
    exit $status
  ' || { failed=1; echo "bench/peer.sh: a run of ours failed (see above)" >&2; }

  echo
  echo "=== pair $pair/$pairs: peer $peer_rev (fresh database peer_$pair, fresh Redis, API 127.0.0.1:$api_port, $workers worker(s), PostgreSQL 127.0.0.1:$pg_port, Redis 127.0.0.1:$redis_port)"
  start_peer "$pair"
  while IFS= read -r args; do
    [ -n "$args" ] || continue
    echo "=== peer, pair $pair: loadgen -peer $args $BENCH_LOADGEN_ARGS"
    # shellcheck disable=SC2086
    "$LOADGEN" -peer -label "peer $peer_rev" -pair "$pair" -url "http://127.0.0.1:$api_port" \
      -database "postgres://postgres@127.0.0.1:$pg_port/peer_$pair?sslmode=disable" \
      -cpu-group "worker=$(IFS=,; echo "${worker_pids[*]}")" -cpu-group "redis=$redis_pid" \
      $args $BENCH_LOADGEN_ARGS | tee "$work/loadgen-peer.out" ||
      { failed=1; echo "bench/peer.sh: a peer run failed; its API log ends with:" >&2; tail -20 "$work/peer-api-$pair.log" >&2; }
    grep "^{\"bench\"" "$work/loadgen-peer.out" >>"$RUNS_FILE" || true
    if [ -n "${BENCH_JSON:-}" ]; then grep "^{\"bench\"" "$work/loadgen-peer.out" >>"$BENCH_JSON" || true; fi
  done <<<"$BENCH_PEER_RUNS"
  finish_peer "$pair"
done

echo
echo "=== ours ($label) against the peer ($peer_rev): $pairs pair(s), ours first in each; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$work/loadgen" -compare "$RUNS_FILE"
exit $failed
