#!/usr/bin/env bash
# `make bench`: starts a whole gateway with scripts/with-stack.sh (TEST_PROCESSING_DELAY=0) and runs
# the load generator against it twice: 50 clients x 2000 payments (throughput), then
# 10 clients x 1000 payments (latency). Each run also measures the empty-workflow baseline on the
# same Temporal server and the cost of a payment (state transitions, SQL statements).
#
#   bench/run.sh                     both runs
#   bench/run.sh -clients 20 -payments 500    one run with these loadgen flags instead
#
# Then the same runs against the cluster topology (`make cluster`: bin/cluster in a temporary
# directory on its default ports, the official Temporal server on PostgreSQL, two API replicas
# taking the payments in turn, two workers), reported the same way with the CPU split by process
# group (api, worker, temporal, postgres), and a CPU profile of the Temporal server during the
# first run.
#
# Environment:
#   BENCH_MODES="embedded cluster"  which setups to measure, in order (default both)
#   BENCH_BUILD=auto|always|never    build bin/gateway with `make build`: when missing or older than
#                                    a Go source (auto, the default), always, or never
#   BENCH_PG_STAT_STATEMENTS=1|0     load pg_stat_statements in the stack's PostgreSQL (default 1;
#                                    see below); with 0 the SQL figures are n/a
#   BENCH_JSON=FILE                  also append each run's JSON line to FILE (relative to the repository)
#   BENCH_LABEL=TEXT                 label of the JSON lines (default: git commit, +dirty if edited)
# STACK_* and TEST_PROCESSING_DELAY pass through to scripts/with-stack.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

stale() {
  [ ! -x bin/gateway ] && return 0
  [ -n "$(find . \( -path ./.git -o -path ./.data -o -path ./ui/node_modules -o -path ./bench \) -prune -o \
    \( -name '*.go' -o -name go.mod -o -name go.sum -o -name '*.sql' \) -newer bin/gateway -print -quit)" ]
}
modes=${BENCH_MODES:-embedded cluster}
cluster_bins() { for b in temporal-server temporal-sql-tool temporal-ui cluster; do [ -x "bin/$b" ] || return 1; done; }
case "${BENCH_BUILD:-auto}" in
  always) make build; [[ $modes != *cluster* ]] || make cluster-build ;;
  auto) if stale; then make build; fi
        if [[ $modes == *cluster* ]] && { stale || ! cluster_bins; }; then make cluster-build; fi ;;
  never) [ -x bin/gateway ] || { echo "bin/gateway missing (BENCH_BUILD=never)"; exit 1; } ;;
  *) echo "BENCH_BUILD must be auto, always or never"; exit 2 ;;
esac

work=$(mktemp -d /tmp/paygate-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
go build -o "$work/loadgen" ./bench/loadgen

# pglocal starts the cluster with `pg_ctl start -o ...` from $PG_BIN (or the newest
# /usr/lib/postgresql/*/bin) and loads no extension library. pg_stat_statements must be in
# shared_preload_libraries at server start, so PG_BIN points at a copy of the bin directory whose
# pg_ctl adds `-c shared_preload_libraries=pg_stat_statements` when starting. Nothing else changes.
if [ "${BENCH_PG_STAT_STATEMENTS:-1}" = 1 ]; then
  real=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  if [ -x "$real/pg_ctl" ]; then
    mkdir "$work/pgbin"
    for f in "$real"/*; do ln -s "$f" "$work/pgbin/"; done
    rm "$work/pgbin/pg_ctl"
    cat >"$work/pgbin/pg_ctl" <<EOF
#!/bin/sh
if [ "\$1" = start ]; then
  exec "$real/pg_ctl" "\$@" -o "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=1000"
fi
exec "$real/pg_ctl" "\$@"
EOF
    chmod 755 "$work/pgbin" "$work/pgbin/pg_ctl"
    export PG_BIN="$work/pgbin"
  else
    echo "bench: no PostgreSQL bin directory found; SQL figures will be n/a"
  fi
fi

label=${BENCH_LABEL:-"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo +dirty)"}
export TEST_PROCESSING_DELAY="${TEST_PROCESSING_DELAY:-0}" LOADGEN="$work/loadgen" BENCH_LABEL="$label"
if [ $# -gt 0 ]; then
  runs=("$*")
else
  runs=("-clients 50 -payments 2000" "-clients 10 -payments 1000")
fi
export BENCH_RUNS
BENCH_RUNS=$(printf '%s\n' "${runs[@]}")

# Inside the stack: BASE_URL, STACK_TEMPORAL_PORT and STACK_PG_PORT are set by with-stack.sh, and
# the loadgen takes its -url, -temporal and -database defaults from them.
if [[ $modes == *embedded* ]]; then
./scripts/with-stack.sh bash -c '
  set -euo pipefail
  while IFS= read -r args; do
    [ -n "$args" ] || continue
    echo "=== loadgen $args (TEST_PROCESSING_DELAY=$TEST_PROCESSING_DELAY, stack on $BASE_URL, Temporal 127.0.0.1:$STACK_TEMPORAL_PORT, PostgreSQL 127.0.0.1:$STACK_PG_PORT)"
    # shellcheck disable=SC2086
    "$LOADGEN" -label "$BENCH_LABEL" $args | tee "$LOADGEN.out"
    if [ -n "${BENCH_JSON:-}" ]; then grep "^{\"bench\"" "$LOADGEN.out" >>"$BENCH_JSON"; fi
  done <<<"$BENCH_RUNS"
'
fi

if [[ $modes == *cluster* ]]; then
  pprof_port=7936
  mkdir -m 755 "$work/cluster"
  ./bin/cluster -dir "$work/cluster" -quiet -overlay deploy/gateway.test.env \
    -set TEST_PROCESSING_DELAY="$TEST_PROCESSING_DELAY" -temporal-pprof "$pprof_port" 2>"$work/cluster.log" &
  cluster_pid=$!
  trap 'kill -INT $cluster_pid 2>/dev/null && wait $cluster_pid; rm -rf "$work"' EXIT
  for _ in $(seq 1 240); do
    if curl -fsS http://127.0.0.1:8001/health >/dev/null 2>&1 && curl -fsS http://127.0.0.1:8000/health >/dev/null 2>&1; then break; fi
    kill -0 $cluster_pid 2>/dev/null || { echo "cluster exited:"; tail -30 "$work/cluster.log"; exit 1; }
    sleep 0.5
  done
  first=1
  while IFS= read -r args; do
    [ -n "$args" ] || continue
    echo "=== cluster: loadgen $args (TEST_PROCESSING_DELAY=$TEST_PROCESSING_DELAY, API :8000 and :8001, Temporal 127.0.0.1:7233, PostgreSQL 127.0.0.1:55433)"
    if [ $first = 1 ]; then
      # A 20 s CPU profile of the Temporal server, 15 s into the first run.
      (sleep 15 && curl -fsS -o "$work/temporal.pprof" "http://127.0.0.1:$pprof_port/debug/pprof/profile?seconds=20") &
      profiler=$!
    fi
    # shellcheck disable=SC2086
    "$LOADGEN" -label "$label cluster" -url http://127.0.0.1:8000,http://127.0.0.1:8001 -temporal 127.0.0.1:7233 \
      -database "postgres://postgres@127.0.0.1:55433/gateway?sslmode=disable" $args | tee "$LOADGEN.out"
    if [ -n "${BENCH_JSON:-}" ]; then grep "^{\"bench\"" "$LOADGEN.out" >>"$BENCH_JSON"; fi
    if [ $first = 1 ]; then
      wait "$profiler" 2>/dev/null || true
      if [ -s "$work/temporal.pprof" ]; then
        echo "=== Temporal server CPU profile (20 s of the first cluster run), top 25 by cumulative time"
        go tool pprof -top -cum -nodecount=25 bin/temporal-server "$work/temporal.pprof" 2>/dev/null | sed -n '1,35p'
        echo "=== same, top 20 by own time"
        go tool pprof -top -nodecount=20 bin/temporal-server "$work/temporal.pprof" 2>/dev/null | sed -n '1,28p'
      fi
      first=0
    fi
  done <<<"$BENCH_RUNS"
fi
