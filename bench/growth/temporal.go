package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	workflowservice "go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	_ "modernc.org/sqlite" // the driver Temporal's own SQLite plugin uses

	"github.com/paygate/paygate/auth"
)

// TemporalPhase is the embedded Temporal server's disk under a steady load with a short
// retention, and the Web UI's visibility queries with many closed workflows.
type TemporalPhase struct {
	Retention       string             `json:"retention"`
	Rate            float64            `json:"rate"`
	Duration        string             `json:"duration"`
	Payments        int                `json:"payments"`
	Samples         []sample           `json:"samples"` // file sizes (with WAL) during the steady load
	PlateauFrom     string             `json:"plateau_from"`
	SizeAtPlateau   int64              `json:"size_at_plateau"`
	MaxAfterPlateau int64              `json:"max_after_plateau"`
	SizeAtEnd       int64              `json:"size_at_end"`
	Visibility      *visibilityFigures `json:"visibility,omitempty"`
}

type sample struct {
	Second int   `json:"s"`
	Bytes  int64 `json:"bytes"`
}

type visibilityFigures struct {
	Inserted      int          `json:"inserted"`
	InsertSeconds float64      `json:"insert_seconds"`
	Rows          int64        `json:"rows"`
	Queries       []queryTimes `json:"queries"`
}

type queryTimes struct {
	What      string  `json:"what"`
	P50       float64 `json:"p50_ms"`
	Max       float64 `json:"max_ms"`
	FirstPage int     `json:"first_page"` // rows in the first page (lists) or the count (counts)
	Error     string  `json:"error,omitempty"`
}

// usedBytes checkpoints the SQLite files under dir (the server must be stopped) and returns the
// bytes of their pages in use.
func usedBytes(dir string) (int64, error) {
	var total int64
	for _, name := range []string{"temporal.db", "visibility.db"} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, name))
		if err != nil {
			return 0, err
		}
		var pages, free, size int64
		_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		if err == nil {
			err = db.QueryRow("SELECT (SELECT page_count FROM pragma_page_count), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &free, &size)
		}
		db.Close()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		total += (pages - free) * size
	}
	return total, nil
}

// temporalPhase starts a gateway of its own with DEV_TEMPORAL_RETENTION=GROWTH_RETENTION, offers
// a steady load and samples the Temporal files; then stops it, puts GROWTH_VISIBILITY_ROWS closed
// payment workflows into its visibility store (copies of a real one, through SQL on Temporal's
// own schema), starts it again and times the Web UI's queries.
func temporalPhase(ctx context.Context, bin, dir, loadgen string, loadLog io.Writer) (*TemporalPhase, error) {
	retention := envDuration("GROWTH_RETENTION", time.Minute)
	dur := envDuration("GROWTH_STEADY", 4*time.Minute)
	rate := float64(envInt("GROWTH_STEADY_RATE", 40))
	tp := &TemporalPhase{Retention: retention.String(), Rate: rate, Duration: dur.String()}
	st, err := newStack(bin, dir, "DEV_TEMPORAL_RETENTION="+retention.String())
	if err != nil {
		return tp, err
	}
	logf("Temporal: gateway dev with retention %s; %0.f payments/s for %s", retention, rate, dur)
	if err := st.start(ctx); err != nil {
		return tp, err
	}
	defer st.stop()
	tp.Payments = int(rate * dur.Seconds())
	done := make(chan error, 1)
	go func() {
		_, err := runLoadgenArgs(ctx, loadgen, st.baseURL(), "key_test_abc123", "secret_test_xyz789", loadLog,
			"-clients", "10", "-payments", fmt.Sprint(tp.Payments), "-rate", fmt.Sprint(rate), "-timeout", (dur + 5*time.Minute).String())
		done <- err
	}()
	began := time.Now()
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	base := dirBytes(st.temporalDir())
	tp.Samples = append(tp.Samples, sample{0, base})
loop:
	for {
		select {
		case err := <-done:
			if err != nil {
				return tp, err
			}
			break loop
		case <-tick.C:
			tp.Samples = append(tp.Samples, sample{int(time.Since(began).Seconds()), dirBytes(st.temporalDir())})
		case <-ctx.Done():
			return tp, ctx.Err()
		}
	}
	tp.Samples = append(tp.Samples, sample{int(time.Since(began).Seconds()), dirBytes(st.temporalDir())})
	plateau := retention + retention/10 + 30*time.Second
	tp.PlateauFrom = plateau.String()
	for _, s := range tp.Samples {
		switch {
		case time.Duration(s.Second)*time.Second < plateau:
		case tp.SizeAtPlateau == 0:
			tp.SizeAtPlateau = s.Bytes
		default:
			tp.MaxAfterPlateau = max(tp.MaxAfterPlateau, s.Bytes)
		}
	}
	tp.SizeAtEnd = tp.Samples[len(tp.Samples)-1].Bytes

	rows := envInt("GROWTH_VISIBILITY_ROWS", 1_000_000)
	if rows <= 0 {
		return tp, nil
	}
	st.stop()
	vis := &visibilityFigures{Inserted: rows}
	tp.Visibility = vis
	t0 := time.Now()
	logf("Temporal: inserting %d closed workflows into the visibility store", rows)
	if vis.Rows, err = seedVisibility(ctx, filepath.Join(st.temporalDir(), "visibility.db"), rows); err != nil {
		return tp, fmt.Errorf("visibility: %w", err)
	}
	vis.InsertSeconds = time.Since(t0).Seconds()
	logf("Temporal: %d rows in visibility after %.0f s; restarting", vis.Rows, vis.InsertSeconds)
	if err := st.start(ctx); err != nil {
		return tp, err
	}
	tc, err := sdkclient.Dial(sdkclient.Options{HostPort: st.temporalAddr(), Namespace: "default", Logger: quietLogger{}})
	if err != nil {
		return tp, err
	}
	defer tc.Close()
	// A merchant with 1/1000 of the other four fifths (rank 501: the ranks that are multiples of 5
	// belong to the big merchant).
	small := merchantID(501).String()
	for _, q := range []struct{ what, query string }{
		{"list, no filter (the UI's first screen)", ""},
		{"list MerchantId = big merchant (20 %)", fmt.Sprintf(`MerchantId = "%s"`, auth.TestMerchantID)},
		{"list MerchantId = a small merchant", fmt.Sprintf(`MerchantId = "%s"`, small)},
		{`list ExecutionStatus = "Running"`, `ExecutionStatus = "Running"`},
		{"count MerchantId = big merchant", fmt.Sprintf(`MerchantId = "%s"`, auth.TestMerchantID)},
		{`count ExecutionStatus = "Running"`, `ExecutionStatus = "Running"`},
		{"count, no filter", ""},
	} {
		qt := queryTimes{What: q.what}
		var ds []time.Duration
		for i := range 6 {
			t := time.Now()
			qctx, cancel := context.WithTimeout(ctx, time.Minute)
			if strings.HasPrefix(q.what, "count") {
				var resp *workflowservice.CountWorkflowExecutionsResponse
				resp, err = tc.CountWorkflow(qctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: q.query})
				if resp != nil {
					qt.FirstPage = int(resp.Count)
				}
			} else {
				var resp *workflowservice.ListWorkflowExecutionsResponse
				resp, err = tc.ListWorkflow(qctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", Query: q.query, PageSize: 20})
				if resp != nil {
					qt.FirstPage = len(resp.Executions)
				}
			}
			cancel()
			if err != nil {
				// A query that does not answer is a figure too: say after how long, and why.
				qt.Error = fmt.Sprintf("after %.1f s: %v", time.Since(t).Seconds(), err)
				logf("Temporal: %s: %s", q.what, qt.Error)
				break
			}
			if i > 0 { // the first one warms the cache
				ds = append(ds, time.Since(t))
			}
		}
		if len(ds) > 0 {
			qt.P50 = latency(ds).P50
			qt.Max = float64(slices.Max(ds).Microseconds()) / 1000
		}
		vis.Queries = append(vis.Queries, qt)
		logf("Temporal: %s: p50 %.1f ms, max %.1f ms", q.what, qt.P50, qt.Max)
	}
	return tp, nil
}

// visibilityMerchants is the number of merchants the seeded workflows belong to: every fifth to
// the big (test) merchant, the rest spread evenly.
const visibilityMerchants = 1000

// seedVisibility inserts n copies of a real closed payment workflow's visibility row, each with
// its own workflow and run ids, payment and order ids, merchant (every fifth the big one, the
// others spread over visibilityMerchants), and start and close times spread over the last 7 days,
// through Temporal's own table, so that its generated columns, indexes and full-text triggers do
// their part. It is one INSERT … SELECT over a recursive CTE, run by the sqlite3 program when it is
// installed (C SQLite: about 4 times faster) and otherwise through modernc.org/sqlite, the driver
// the server itself uses. The server must be stopped (it holds the file exclusively).
func seedVisibility(ctx context.Context, path string, n int) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var (
		rowid                  int64
		workflowID, attributes string
	)
	err = db.QueryRowContext(ctx, `SELECT rowid, workflow_id, search_attributes FROM executions_visibility
		WHERE status = 2 AND search_attributes LIKE '%pay\_%' ESCAPE '\' ORDER BY rowid DESC LIMIT 1`).Scan(&rowid, &workflowID, &attributes)
	if err != nil {
		return 0, fmt.Errorf("no completed payment workflow to copy: %w", err)
	}
	var sa map[string]any
	if err := json.Unmarshal([]byte(attributes), &sa); err != nil {
		return 0, fmt.Errorf("search attributes %q: %w", attributes, err)
	}
	var merchantKey, paymentKey, orderKey, templatePay string
	for k, v := range sa {
		s, _ := v.(string)
		switch {
		case s == auth.TestMerchantID.String():
			merchantKey = k
		case strings.HasPrefix(s, "pay_"):
			paymentKey, templatePay = k, s
		case strings.HasPrefix(s, "order_"):
			orderKey = k
		}
	}
	if merchantKey == "" || paymentKey == "" || orderKey == "" {
		return 0, fmt.Errorf("the template's search attributes %s lack a MerchantId, PaymentId or OrderId", attributes)
	}
	// merchantID(rank) is a fixed prefix and the rank in 4 hex digits.
	prefix := merchantID(0).String()
	prefix = prefix[:len(prefix)-4]
	const ts = `'%Y-%m-%d %H:%M:%f+00:00'`
	week := (7 * 24 * time.Hour).Seconds()
	insert := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %[1]d),
	r AS (SELECT i, printf('%%08x-%%04x-7%%03x-8%%03x-%%012x', abs(random()) %% 4294967296, i %% 65536, abs(random()) %% 4096, abs(random()) %% 4096, i) AS run,
	             'pay_G' || printf('%%015d', i) AS pay,
	             strftime(%[2]s, 'now', printf('%%+.3f seconds', i * %[3]f / %[1]d - %[3]f - 1)) AS started,
	             strftime(%[2]s, 'now', printf('%%+.3f seconds', i * %[3]f / %[1]d - %[3]f - 0.6)) AS closed
	      FROM n),
	t AS (SELECT * FROM executions_visibility WHERE rowid = %[4]d)
INSERT INTO executions_visibility (namespace_id, run_id, _version, start_time, execution_time, workflow_id, workflow_type_name,
	status, close_time, history_length, history_size_bytes, execution_duration, state_transition_count, memo, encoding, task_queue,
	search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id)
SELECT t.namespace_id, r.run, t._version, r.started, r.started, replace(t.workflow_id, '%[5]s', r.pay), t.workflow_type_name,
	t.status, r.closed, t.history_length, t.history_size_bytes, t.execution_duration, t.state_transition_count, t.memo, t.encoding, t.task_queue,
	json_set(t.search_attributes,
		'$.%[6]s', CASE WHEN r.i %% 5 = 0 THEN '%[7]s' ELSE '%[8]s' || printf('%%04x', r.i %% %[9]d) END,
		'$.%[10]s', r.pay, '$.%[11]s', 'order_G' || printf('%%013d', r.i)),
	t.parent_workflow_id, t.parent_run_id,
	CASE WHEN t.root_workflow_id = t.workflow_id THEN replace(t.workflow_id, '%[5]s', r.pay) ELSE t.root_workflow_id END,
	CASE WHEN t.root_run_id = t.run_id THEN r.run ELSE t.root_run_id END
FROM r, t`, n, ts, week, rowid, templatePay, merchantKey, auth.TestMerchantID, prefix, visibilityMerchants, paymentKey, orderKey)
	script := "PRAGMA cache_size = -1048576;\nBEGIN;\n" + insert + ";\nCOMMIT;\nPRAGMA wal_checkpoint(TRUNCATE);\n"
	if cli, err := exec.LookPath("sqlite3"); err == nil {
		db.Close()
		cmd := exec.CommandContext(ctx, cli, "-bail", path)
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("sqlite3: %v: %s", err, out)
		}
		if db, err = sql.Open("sqlite", "file:"+path); err != nil {
			return 0, err
		}
		defer db.Close()
	} else {
		logf("Temporal: no sqlite3 program; inserting through modernc.org/sqlite (slower)")
		for _, stmt := range []string{"PRAGMA cache_size = -1048576", insert} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return 0, err
			}
		}
	}
	var count int64
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM executions_visibility").Scan(&count)
	return count, err
}

// quietLogger drops the SDK client's logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
