// Command gateway runs the payment gateway: `gateway dev` runs everything on one machine;
// `gateway serve` (API) and `gateway worker` (Temporal worker) scale out against an external
// PostgreSQL and Temporal; `gateway migrate` prepares the database.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `usage: gateway <command>

commands:
  dev       run PostgreSQL (under .data/pg unless DATABASE_URL is set), an embedded Temporal
            server with its Web UI on :8233 (unless TEMPORAL_ADDRESS is set), the API and
            dashboard on :8000 and the worker, all in this process
  temporal  run only the embedded Temporal server and Web UI (DEV_TEMPORAL_PORT, DEV_TEMPORAL_UI_PORT),
            for serve and worker processes to share on one machine
  serve     run the HTTP API against DATABASE_URL and TEMPORAL_ADDRESS
  worker    run the Temporal worker against DATABASE_URL and TEMPORAL_ADDRESS
  migrate [--temporal]
            apply database migrations to DATABASE_URL (and seed the test merchant when
            SEED_TEST_MERCHANT=true); --temporal also registers TEMPORAL_NAMESPACE (when
            missing) and the search attributes in it on TEMPORAL_ADDRESS, waiting up to 2 min
            for the server
  webhooks listen [--port 9000] [--forward-to URL] [--api-key KEY --api-secret SECRET]
            a local endpoint that verifies, prints and forwards webhook deliveries
  trigger <event> [--base-url URL] [--api-key KEY] [--api-secret SECRET]
            make the objects (order, payment with the matching test card, capture, refund) whose
            life emits the event, through the API (make dev's test merchant by default)
  healthcheck  exit 0 when the API on 127.0.0.1:$PORT answers /health with 200 (for containers)
`

func main() {
	if os.Getenv("GOGC") == "" {
		// The gateway's live heap is small and short-lived garbage is most of its allocation:
		// collecting at 5x the live heap instead of 2x cut CPU per payment by about a fifth in
		// bench/ (GOGC=400 vs 100), for some hundreds of megabytes of memory.
		debug.SetGCPercent(400)
	}
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	commands := map[string]func(context.Context, *slog.Logger) error{
		"dev":         runDev,
		"temporal":    runTemporal,
		"serve":       runServe,
		"worker":      runWorker,
		"migrate":     runMigrate,
		"healthcheck": runHealthcheck,
		"webhooks":    runWebhooks,
		"trigger":     runTrigger,
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if addr := os.Getenv("PPROF_ADDRESS"); addr != "" {
		servePprof(log, addr)
	}
	if err := run(ctx, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("gateway stopped", "command", os.Args[1], "error", err.Error())
		os.Exit(1)
	}
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// servePprof serves net/http/pprof on a loopback address (PPROF_ADDRESS, e.g. 127.0.0.1:6060),
// for profiling under load.
func servePprof(log *slog.Logger, addr string) {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Error("PPROF_ADDRESS must be a loopback address and port; profiling stays off", "address", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Error("pprof server stopped", "error", err.Error())
		}
	}()
}
