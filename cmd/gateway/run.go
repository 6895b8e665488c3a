package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/paygate/paygate/api"
	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/metrics"
	"github.com/paygate/paygate/requestid"
	"github.com/paygate/paygate/ui"
	"github.com/paygate/paygate/worker"
	"github.com/paygate/paygate/workflows"
)

func runServe(ctx context.Context, log *slog.Logger) error {
	cfg, pool, tc, m, err := connect(ctx, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer tc.Close()
	defer m.Close()
	m.WatchPool("api", pool)
	return serveAPI(ctx, log, cfg, pool, tc, m, clusterStartConcurrency)
}

// clusterStartConcurrency is how many workflow starts an API process runs at once against a
// Temporal cluster, unless WORKFLOW_START_CONCURRENCY says otherwise.
const clusterStartConcurrency = 8

// serveAPI serves the API and dashboard until ctx ends. Workflow starts run on a start queue of
// defaultStarts goroutines (unless WORKFLOW_START_CONCURRENCY says otherwise); once the HTTP
// server has stopped, the queued ones get a few seconds to run, and the pending sweep starts
// any left.
func serveAPI(ctx context.Context, log *slog.Logger, cfg config.Config, pool *pgxpool.Pool, tc client.Client, m *metrics.Metrics, defaultStarts int) error {
	if err := config.CheckRequestHashKey(cfg.RequestHashKey); err != nil {
		return err
	}
	concurrency := cfg.StartConcurrency
	if concurrency == 0 {
		concurrency = defaultStarts
	}
	starts := workflows.NewStartQueue(cfg.StartQueueSize, concurrency)
	m.WatchStartQueue(starts.Len)
	err := serveHTTP(ctx, log, cfg, api.New(api.Deps{Pool: pool, Temporal: tc, Config: cfg, Logger: log, UI: ui.Handler(), Metrics: m, Starts: starts}))
	drain, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if left := starts.Close(drain); left > 0 {
		log.Warn("workflow starts left to the pending sweep", "count", left)
	}
	return err
}

// runWorker runs the worker; with METRICS_PORT set, its metrics are served on that port.
func runWorker(ctx context.Context, log *slog.Logger) error {
	cfg, pool, tc, m, err := connect(ctx, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer tc.Close()
	defer m.Close()
	m.WatchPool("worker", pool)
	w, err := startWorker(ctx, log, tc, pool, cfg)
	if err != nil {
		return err
	}
	defer w.Stop()
	log.Info("worker running", "task_queue", cfg.TaskQueue)
	if cfg.MetricsPort == 0 {
		<-ctx.Done()
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	cfg.Port = cfg.MetricsPort
	return serveHTTP(ctx, log, cfg, mux)
}

// runMigrate applies the database migrations; with --temporal it also registers the namespace
// (when missing) and the gateway's search attributes on TEMPORAL_ADDRESS (an external cluster).
func runMigrate(ctx context.Context, log *slog.Logger) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	withTemporal := fs.Bool("temporal", false, "also register the search attributes in Temporal")
	if err := fs.Parse(os.Args[2:]); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := prepareDatabase(ctx, log, pool, cfg); err != nil {
		return err
	}
	if !*withTemporal {
		return nil
	}
	if cfg.TemporalAddress == "" {
		return errors.New("--temporal needs TEMPORAL_ADDRESS")
	}
	// A cluster started alongside (docker compose, make cluster) may still be coming up.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		err := prepareTemporal(ctx, log, cfg)
		if err == nil {
			log.Info("namespace and search attributes ready", "namespace", cfg.TemporalNamespace)
			return nil
		}
		log.Warn("Temporal not ready; retrying", "error", err.Error())
		select {
		case <-ctx.Done():
			return err
		case <-time.After(2 * time.Second):
		}
	}
}

// namespaceRetention is how long a namespace that `migrate --temporal` registers keeps closed
// workflows (the embedded dev server's too): Temporal dedupes workflow ids within it.
const namespaceRetention = 7 * 24 * time.Hour

// prepareTemporal registers TEMPORAL_NAMESPACE on a fresh cluster (the server creates none) and
// the gateway's search attributes in it, leaving what exists.
func prepareTemporal(ctx context.Context, log *slog.Logger, cfg config.Config) error {
	tc, err := dialTemporal(ctx, log, cfg, nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	_, err = tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        cfg.TemporalNamespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(namespaceRetention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("register namespace %s: %w", cfg.TemporalNamespace, err)
	}
	if err := workflows.RegisterSearchAttributes(ctx, tc, cfg.TemporalNamespace); err != nil {
		return err
	}
	// The frontend sees a new namespace and new search attributes once its caches refresh; until
	// then a workflow start that sets them fails. Ready when a query over all of them is accepted.
	var clauses []string
	for name, typ := range workflows.SearchAttributeTypes {
		literal := "''"
		if typ == enumspb.INDEXED_VALUE_TYPE_INT {
			literal = "0"
		}
		clauses = append(clauses, name+" = "+literal)
	}
	_, err = tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: cfg.TemporalNamespace, Query: strings.Join(clauses, " AND "),
	})
	if err != nil {
		return fmt.Errorf("search attributes not yet usable: %w", err)
	}
	return nil
}

func runHealthcheck(ctx context.Context, _ *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/health", cfg.Port), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s", resp.Status)
	}
	return nil
}

// connect reads the configuration and opens what `serve` and `worker` share: the database pool,
// the metrics registry and the Temporal client.
func connect(ctx context.Context, log *slog.Logger) (config.Config, *pgxpool.Pool, client.Client, *metrics.Metrics, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	if cfg.DatabaseURL == "" || cfg.TemporalAddress == "" {
		return cfg, nil, nil, nil, errors.New("DATABASE_URL and TEMPORAL_ADDRESS are required (or run `gateway dev`)")
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	m := metrics.New(pool)
	tc, err := dialTemporal(ctx, log, cfg, m)
	if err != nil {
		m.Close()
		pool.Close()
		return cfg, nil, nil, nil, err
	}
	return cfg, pool, tc, m, nil
}

func openPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL") // the URL may hold a password: not echoed
	}
	pc.MaxConns = cfg.DatabaseMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", pc.ConnConfig.Host, pc.ConnConfig.Port, err)
	}
	return pool, nil
}

// dialTemporal connects to Temporal; with m, the SDK's metrics are reported there.
func dialTemporal(ctx context.Context, log *slog.Logger, cfg config.Config, m *metrics.Metrics) (client.Client, error) {
	var sdkMetrics client.MetricsHandler
	if m != nil {
		sdkMetrics = m.Temporal()
	}
	tc, err := client.DialContext(ctx, client.Options{
		MetricsHandler:     sdkMetrics,
		HostPort:           cfg.TemporalAddress,
		Namespace:          cfg.TemporalNamespace,
		Logger:             sdklog.NewStructuredLogger(slog.New(levelAtLeast{log.Handler(), slog.LevelInfo})),
		ContextPropagators: []workflow.ContextPropagator{requestid.Propagator{}},
		ConnectionOptions: client.ConnectionOptions{
			GrpcCompression: &client.GrpcCompressionNone{},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return tc, nil
}

// prepareDatabase applies migrations and seeds the test merchant when configured to.
func prepareDatabase(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, cfg config.Config) error {
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	if cfg.SeedTestMerchant {
		m, err := auth.SeedTestMerchant(ctx, db.New(pool), cfg.TestMerchant)
		if err != nil {
			return err
		}
		log.Info("test merchant ready", "email", m.Email, "api_key", m.APIKey)
	}
	return nil
}

// startWorker starts the worker, makes sure the gateway's schedules exist, starts the recovery
// sweep, which resumes at once what a process that died left pending, and folds the running
// totals until ctx ends.
func startWorker(ctx context.Context, log *slog.Logger, tc client.Client, pool *pgxpool.Pool, cfg config.Config) (sdkworker.Worker, error) {
	if cfg.WorkerCacheSize > 0 {
		sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerCacheSize)
	}
	w := worker.New(tc, pool, cfg)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	if err := workflows.EnsureSchedules(ctx, tc, cfg.TaskQueue); err != nil {
		w.Stop()
		return nil, err
	}
	if err := workflows.StartRecoverySweep(ctx, tc, cfg.TaskQueue); err != nil {
		w.Stop()
		return nil, err
	}
	go db.FoldTotalsEvery(ctx, db.New(pool), db.FoldInterval, log)
	return w, nil
}

// serveHTTP serves h on cfg's address until ctx ends, then drains in-flight requests.
func serveHTTP(ctx context.Context, log *slog.Logger, cfg config.Config, h http.Handler) error {
	addr := net.JoinHostPort(cfg.BindAddress, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("API listening", "url", "http://"+addr)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// levelAtLeast drops records below a level: the Temporal SDK is chatty at debug.
type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (l levelAtLeast) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.min && l.Handler.Enabled(ctx, level)
}

func (l levelAtLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelAtLeast{l.Handler.WithAttrs(attrs), l.min}
}

func (l levelAtLeast) WithGroup(name string) slog.Handler {
	return levelAtLeast{l.Handler.WithGroup(name), l.min}
}
