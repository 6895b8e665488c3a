// Command growth is `make bench-growth`: it grows the gateway's database by bulk insert and
// measures, at each size, the requests whose cost must not grow with it; then it measures the
// embedded Temporal server's disk under a steady load with a short retention, and the Web UI's
// visibility queries with a million closed workflows.
//
// It starts `gateway dev` (bin/gateway) itself, in a temporary directory on free loopback ports,
// and stops it at the end. See bench/RESULTS.md ("Growth benchmark") for what it measures and how.
//
// Environment (all optional):
//
//	GROWTH_SIZES="10000 1000000 10000000"  payments at which to measure, increasing
//	GROWTH_REPS=50                 timed requests per read figure
//	GROWTH_LATENCY_PAYMENTS=300    payments of the 10-client loadgen run (create-payment p50/p99)
//	GROWTH_THROUGHPUT_PAYMENTS=1000  payments of the 50-client loadgen run (end-to-end payments/s)
//	GROWTH_TEMPORAL=1              run the Temporal part (0: skip it)
//	GROWTH_RETENTION=1m            the Temporal part's namespace retention (DEV_TEMPORAL_RETENTION)
//	GROWTH_STEADY=4m, GROWTH_STEADY_RATE=40  its steady load: this long, at this many payments/s
//	GROWTH_VISIBILITY_ROWS=1000000 closed workflows put into the visibility store for the UI queries
//	GROWTH_GATEWAY=bin/gateway     the gateway binary
//	GROWTH_JSON=FILE               also append the result's JSON line to FILE
//	GROWTH_RECOUNT="SELECT …"      SQL that recomputes what triggers maintain after a COPY
//	                               (default: every function of the public schema named recount_*
//	                               or *_recount that takes no argument)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/auth"
)

// Result is the whole run, printed as one JSON line at the end.
type Result struct {
	Bench   string  `json:"bench"`
	Started string  `json:"started"`
	Commit  string  `json:"commit"`
	Seconds float64 `json:"seconds"`
	Scales  []Scale `json:"scales"`
	// TemporalBytesPerPayment is the Temporal files' pages in use after the growth runs (default
	// retention, checkpointed) divided by the payments those runs made through the API.
	TemporalBytesPerPayment float64        `json:"temporal_bytes_per_payment"`
	Temporal                *TemporalPhase `json:"temporal,omitempty"`
}

// Scale is everything measured at one size.
type Scale struct {
	Payments       int64           `json:"payments"`
	SeedSeconds    float64         `json:"seed_seconds"`      // COPY, index rebuild, recount
	CopySeconds    float64         `json:"copy_seconds"`      // COPY alone
	VacuumSeconds  float64         `json:"vacuum_seconds"`    // VACUUM ANALYZE after seeding
	Seeded         Counts          `json:"seeded"`            // rows this step added
	Big            merchantFigures `json:"big"`               // the test merchant (20 % of the rows)
	Small          merchantFigures `json:"small"`             // a median merchant
	Metrics        Latency         `json:"metrics_ms"`        // /metrics scrape
	PGBytes        int64           `json:"pg_bytes"`          // every table of the schema, with indexes
	PaymentsBytes  int64           `json:"payments_bytes"`    // the payments table with its indexes
	TemporalBytes  int64           `json:"temporal_bytes"`    // growth of the Temporal files during this step's runs
	TemporalPayNum int             `json:"temporal_payments"` // payments made through the API in this step
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench-growth:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
		fmt.Fprintf(os.Stderr, "bench-growth: %s=%q is not an integer; using %d\n", name, v, def)
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "bench-growth: %s=%q is not a duration; using %s\n", name, v, def)
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Printf("[%s] %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context) error {
	began := time.Now()
	var sizes []int64
	for _, f := range strings.Fields(envOr("GROWTH_SIZES", "10000 1000000 10000000")) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 100 || (len(sizes) > 0 && n <= sizes[len(sizes)-1]) {
			return fmt.Errorf("GROWTH_SIZES must be increasing integers of at least 100, got %q", f)
		}
		sizes = append(sizes, n)
	}
	reps := envInt("GROWTH_REPS", 50)
	bin, err := filepath.Abs(envOr("GROWTH_GATEWAY", "bin/gateway"))
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: build it with `make build`", bin)
	}
	work, err := os.MkdirTemp("", "paygate-growth.")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	os.Chmod(work, 0o755)
	loadgen := filepath.Join(work, "loadgen")
	if out, err := exec.Command("go", "build", "-o", loadgen, "./bench/loadgen").CombinedOutput(); err != nil {
		return fmt.Errorf("build loadgen: %v: %s", err, out)
	}
	loadLog, err := os.Create(filepath.Join(work, "loadgen.log"))
	if err != nil {
		return err
	}
	defer loadLog.Close()

	res := &Result{Bench: "paygate-growth", Started: began.UTC().Format(time.RFC3339), Commit: commit()}
	st, err := newStack(bin, filepath.Join(work, "growth"))
	if err != nil {
		return err
	}
	logf("starting gateway dev in %s (API %s, PostgreSQL :%d, Temporal %s)", st.dir, st.baseURL(), st.portPG, st.temporalAddr())
	if err := st.start(ctx); err != nil {
		return err
	}
	defer st.stop()
	pool, err := pgxpool.New(ctx, st.pgURL()+"&pool_max_conns=6")
	if err != nil {
		return err
	}
	defer pool.Close()
	// Fewer checkpoints while copying gigabytes; the same setting for every size.
	for _, q := range []string{"ALTER SYSTEM SET max_wal_size = '4GB'", "ALTER SYSTEM SET checkpoint_timeout = '15min'", "SELECT pg_reload_conf()"} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := EnsureMerchants(ctx, pool, auth.TestMerchantID, false); err != nil {
		return fmt.Errorf("merchants: %w", err)
	}
	pop := NewPopulation(auth.TestMerchantID)
	seeder := &Seeder{Pop: pop, Now: time.Now().UTC(), Seed: uint64(began.UnixNano()), Workers: envInt("GROWTH_SEED_WORKERS", 3), Chunk: 20000}
	var lastProgress time.Time
	seeder.Progress = func(c Counts) {
		if time.Since(lastProgress) > 20*time.Second {
			lastProgress = time.Now()
			logf("  … %d payments copied", c.Payments)
		}
	}
	bigKey, bigSecret := "key_test_abc123", "secret_test_xyz789"
	smallKey, smallSecret := SmallCredentials()
	httpc := &http.Client{Timeout: 30 * time.Second}
	big := &client{base: st.baseURL(), key: bigKey, secret: bigSecret, http: httpc}
	small := &client{base: st.baseURL(), key: smallKey, secret: smallSecret, http: httpc}

	var seeded int64
	chunk := 0
	for _, size := range sizes {
		sc := Scale{Payments: size}
		t0 := time.Now()
		add := size - seeded
		logf("seeding %d payments (to %d)", add, size)
		// No autovacuum while copying (it would scan the growing tables over and over); the
		// VACUUM below does its work once, and autovacuum is back for the measurements.
		if err := setSystem(ctx, pool, "autovacuum", "off"); err != nil {
			return err
		}
		dropped, err := dropIndexesIfWorth(ctx, pool, seeded, add)
		if err != nil {
			return err
		}
		tc := time.Now()
		counts, err := seeder.Add(ctx, pool, int(add), chunk)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		sc.CopySeconds = time.Since(tc).Seconds()
		logf("copied %d payments in %.0f s (%.0f payments/s)", counts.Payments, sc.CopySeconds, float64(counts.Payments)/sc.CopySeconds)
		chunk += int(add)/seeder.Chunk + 1
		seeded = size
		sc.Seeded = counts
		if err := createIndexes(ctx, pool, dropped); err != nil {
			return err
		}
		if err := recount(ctx, pool); err != nil {
			return err
		}
		sc.SeedSeconds = time.Since(t0).Seconds()
		logf("seeded %+v in %.0f s", counts, sc.SeedSeconds)
		t0 = time.Now()
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) orders, payments, refunds, webhook_logs"); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
		sc.VacuumSeconds = time.Since(t0).Seconds()
		if err := setSystem(ctx, pool, "autovacuum", "on"); err != nil {
			return err
		}

		tempBefore := dirBytes(st.temporalDir())
		latencyN, throughputN := envInt("GROWTH_LATENCY_PAYMENTS", 300), envInt("GROWTH_THROUGHPUT_PAYMENTS", 1000)
		for _, m := range []struct {
			name        string
			id          uuid.UUID
			c           *client
			key, secret string
			f           *merchantFigures
		}{{"big", auth.TestMerchantID, big, bigKey, bigSecret, &sc.Big}, {"small", pop.IDs[SmallRank], small, smallKey, smallSecret, &sc.Small}} {
			logf("%d payments, %s merchant: reads", size, m.name)
			if err := measureReads(ctx, pool, m.c, m.id, reps, m.f); err != nil {
				return fmt.Errorf("%s merchant reads: %w", m.name, err)
			}
			logf("%d payments, %s merchant: loadgen 10 clients × %d", size, m.name, latencyN)
			lr, err := runLoadgen(ctx, loadgen, st.baseURL(), m.key, m.secret, 10, latencyN, loadLog)
			if err != nil {
				return err
			}
			m.f.CreateP50, m.f.CreateP99 = lr.Gateway.CreatePayment.P50, lr.Gateway.CreatePayment.P99
			logf("%d payments, %s merchant: loadgen 50 clients × %d", size, m.name, throughputN)
			tr, err := runLoadgen(ctx, loadgen, st.baseURL(), m.key, m.secret, 50, throughputN, loadLog)
			if err != nil {
				return err
			}
			m.f.PerSecond = tr.Gateway.EndToEndPerSecond
			m.f.LoadErrors = lr.Gateway.Errors + tr.Gateway.Errors
			sc.TemporalPayNum += latencyN + throughputN + 20
		}
		sc.TemporalBytes = dirBytes(st.temporalDir()) - tempBefore
		if sc.Metrics, err = timeMetrics(ctx, st.baseURL(), max(10, reps/5)); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		var n int64
		if n, sc.PaymentsBytes, sc.PGBytes, err = pgSizes(ctx, pool); err != nil {
			return err
		}
		sc.Payments = n
		res.Scales = append(res.Scales, sc)
		logf("measured at %d payments", n)
	}
	st.stop()
	apiPayments := 0
	for _, s := range res.Scales {
		apiPayments += s.TemporalPayNum
	}
	if used, err := usedBytes(st.temporalDir()); err != nil {
		logf("Temporal files: %v", err)
	} else {
		res.TemporalBytesPerPayment = div(used, int64(apiPayments))
		logf("Temporal files: %s in use for %d payments made through the API", human(used), apiPayments)
	}

	if envOr("GROWTH_TEMPORAL", "1") != "0" {
		tp, err := temporalPhase(ctx, bin, filepath.Join(work, "temporal"), loadgen, loadLog)
		res.Temporal = tp
		if err != nil {
			printReport(os.Stdout, res)
			line, _ := json.Marshal(res)
			fmt.Println(string(line))
			return fmt.Errorf("temporal part: %w", err)
		}
	}
	res.Seconds = time.Since(began).Seconds()
	printReport(os.Stdout, res)
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	if f := os.Getenv("GROWTH_JSON"); f != "" {
		if err := appendLine(f, line); err != nil {
			return err
		}
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if exec.Command("git", "diff", "--quiet", "HEAD").Run() != nil {
		c += "+dirty"
	}
	return c
}

// setSystem changes a server setting that a reload applies.
func setSystem(ctx context.Context, pool *pgxpool.Pool, name, value string) error {
	if _, err := pool.Exec(ctx, fmt.Sprintf("ALTER SYSTEM SET %s = '%s'", name, value)); err != nil {
		return err
	}
	_, err := pool.Exec(ctx, "SELECT pg_reload_conf()")
	return err
}

// seededTables are the tables the seeder copies into.
var seededTables = []string{"orders", "payments", "refunds", "webhook_logs"}

// dropIndexesIfWorth drops the seeded tables' indexes that back no constraint when the step more
// than doubles the tables (building an index once is much faster than growing it row by row);
// createIndexes puts them back, with the same definitions.
func dropIndexesIfWorth(ctx context.Context, pool *pgxpool.Pool, have, add int64) ([]string, error) {
	if add < 500_000 || add < have {
		return nil, nil
	}
	rows, err := pool.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, seededTables)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := pool.Exec(ctx, "DROP INDEX "+n); err != nil {
			return nil, err
		}
	}
	logf("dropped %d indexes for the copy", len(names))
	return defs, nil
}

func createIndexes(ctx context.Context, pool *pgxpool.Pool, defs []string) error {
	if len(defs) == 0 {
		return nil
	}
	t0 := time.Now()
	work := make(chan string, len(defs))
	for _, d := range defs {
		work <- d
	}
	close(work)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, "SET maintenance_work_mem = '512MB'"); err != nil {
				errs <- err
				return
			}
			for d := range work {
				if _, err := conn.Exec(ctx, d); err != nil {
					errs <- fmt.Errorf("%s: %w", d, err)
					return
				}
			}
			errs <- nil
		}()
	}
	err := errors.Join(<-errs, <-errs)
	logf("rebuilt %d indexes in %.0f s", len(defs), time.Since(t0).Seconds())
	return err
}

// recount recomputes what the tables' triggers maintain (the COPY ran with triggers off).
func recount(ctx context.Context, pool *pgxpool.Pool) error {
	q := os.Getenv("GROWTH_RECOUNT")
	if q == "" {
		rows, err := pool.Query(ctx, `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = 'public' AND p.pronargs = 0 AND (p.proname LIKE 'recount%' OR p.proname LIKE '%recount')`)
		if err != nil {
			return err
		}
		var calls []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			calls = append(calls, "SELECT "+name+"()")
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(calls) == 0 {
			logf("no recount function in the schema: nothing maintained by triggers to recount")
			return nil
		}
		q = strings.Join(calls, "; ")
	}
	t0 := time.Now()
	if _, err := pool.Exec(ctx, q); err != nil {
		return fmt.Errorf("recount (%s): %w", q, err)
	}
	logf("recount (%s) in %.1f s", q, time.Since(t0).Seconds())
	return nil
}
