package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/devtemporal"
	"github.com/paygate/paygate/metrics"
	"github.com/paygate/paygate/pglocal"
	"github.com/paygate/paygate/workflows"
)

// runDev runs the whole gateway in one process: PostgreSQL under DATA_DIR/pg (unless
// DATABASE_URL is set), the embedded Temporal server with its Web UI (unless TEMPORAL_ADDRESS is
// set), migrations, the test merchant, the worker and the API. Everything is kept across
// restarts, and unfinished workflows resume when the worker is back.
func runDev(ctx context.Context, log *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	cfg.SeedTestMerchant = true
	if cfg.RequestHashKey == "" {
		if cfg.RequestHashKey, err = config.LocalRequestHashKey(cfg.DataDir); err != nil {
			return err
		}
	}

	if cfg.DatabaseURL == "" {
		cluster := &pglocal.Cluster{Dir: filepath.Join(cfg.DataDir, "pg"), Port: cfg.DevPostgresPort, Logger: log}
		if err := cluster.Start(ctx); err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer stopLogged(log, "PostgreSQL", cluster.Stop)
		if err := cluster.EnsureDatabase(ctx, "gateway"); err != nil {
			return err
		}
		cfg.DatabaseURL = cluster.URL("gateway")
		log.Info("PostgreSQL running", "data_dir", cluster.Dir, "port", cfg.DevPostgresPort)
	}
	// The embedded server writes through one SQLite connection: one stream of starts keeps it
	// busy without queueing in front of it (bench/RESULTS.md).
	startConcurrency := clusterStartConcurrency
	if cfg.TemporalAddress == "" {
		startConcurrency = 1
		srv, err := startTemporal(ctx, log, cfg)
		if err != nil {
			return err
		}
		defer stopLogged(log, "Temporal", srv.Stop)
		cfg.TemporalAddress, cfg.TemporalUIURL = srv.FrontendAddress(), srv.UIAddress()
		log.Info("Temporal running", "address", cfg.TemporalAddress, "web_ui", cfg.TemporalUIURL)
	}

	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := prepareDatabase(ctx, log, pool, cfg); err != nil {
		return err
	}
	m := metrics.New(pool)
	defer m.Close()
	tc, err := dialTemporal(ctx, log, cfg, m)
	if err != nil {
		return err
	}
	defer tc.Close()
	// The worker gets a pool of its own, as it has in a process of its own: sharing one, API
	// requests queued behind the worker's steps for connections whenever the worker kept the
	// cores busy (at 50 clients, 56 ms of waiting per connection on average; bench/RESULTS.md).
	workerPool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer workerPool.Close()
	m.WatchPool("api", pool)
	m.WatchPool("worker", workerPool)
	// The API and the worker share one client, so payment workflows start eagerly on this worker.
	w, err := startWorker(ctx, log, tc, workerPool, cfg)
	if err != nil {
		return err
	}
	defer w.Stop()
	return serveAPI(ctx, log, cfg, pool, tc, m, startConcurrency)
}

func stopLogged(log *slog.Logger, what string, stop func() error) {
	if err := stop(); err != nil {
		log.Warn("stop "+what, "error", err.Error())
	}
}

// runTemporal runs only the embedded Temporal server and its Web UI, so that `serve` and
// `worker` processes can share it as they would a cluster (TEMPORAL_ADDRESS=127.0.0.1:7233).
func runTemporal(ctx context.Context, log *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	srv, err := startTemporal(ctx, log, cfg)
	if err != nil {
		return err
	}
	log.Info("Temporal running", "address", srv.FrontendAddress(), "web_ui", srv.UIAddress())
	<-ctx.Done()
	return srv.Stop()
}

// startTemporal starts the embedded Temporal server under DATA_DIR/temporal.
func startTemporal(ctx context.Context, log *slog.Logger, cfg config.Config) (*devtemporal.Server, error) {
	srv, err := devtemporal.Start(ctx, devtemporal.Config{
		DataDir:          filepath.Join(cfg.DataDir, "temporal"),
		Port:             cfg.DevTemporalPort,
		UIPort:           cfg.DevTemporalUIPort,
		Retention:        cfg.DevTemporalRetention,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: workflows.SearchAttributeTypes,
		Logger:           log.With("component", "temporal"),
	})
	if err != nil {
		return nil, fmt.Errorf("start Temporal: %w", err)
	}
	return srv, nil
}
