package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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
	FirstPage int     `json:"first_page"`
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
	if vis.Rows, err = seedVisibility(filepath.Join(st.temporalDir(), "visibility.db"), rows); err != nil {
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
	small := merchantID(SmallRank % visibilityMerchants).String()
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
			if strings.HasPrefix(q.what, "count") {
				_, err = tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: q.query})
			} else {
				var resp *workflowservice.ListWorkflowExecutionsResponse
				resp, err = tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", Query: q.query, PageSize: 20})
				if resp != nil {
					qt.FirstPage = len(resp.Executions)
				}
			}
			if err != nil {
				return tp, fmt.Errorf("%s: %w", q.what, err)
			}
			if i > 0 { // the first one warms the cache
				ds = append(ds, time.Since(t))
			}
		}
		l := latency(ds)
		qt.P50 = l.P50
		qt.Max = float64(slices.Max(ds).Microseconds()) / 1000
		vis.Queries = append(vis.Queries, qt)
		logf("Temporal: %s: p50 %.1f ms, max %.1f ms", q.what, qt.P50, qt.Max)
	}
	return tp, nil
}

// visibilityMerchants is the number of merchants the seeded workflows belong to: every fifth to
// the big (test) merchant, the rest spread evenly.
const visibilityMerchants = 1000

// seedVisibility inserts n copies of a real closed payment workflow's visibility row, each with
// its own workflow and run ids, payment and order ids, merchant, and start and close times spread
// over the last 7 days, through Temporal's own table (its generated columns, indexes and full-text
// triggers do their part). The server must be stopped (it holds the file exclusively).
func seedVisibility(path string, n int) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var (
		rowid                        int64
		workflowID, rootWF, rootRun  string
		runID, startTime, attributes string
	)
	err = db.QueryRow(`SELECT rowid, workflow_id, run_id, root_workflow_id, root_run_id, CAST(start_time AS TEXT), search_attributes
		FROM executions_visibility WHERE status = 2 AND search_attributes LIKE '%pay\_%' ESCAPE '\' ORDER BY rowid DESC LIMIT 1`).
		Scan(&rowid, &workflowID, &runID, &rootWF, &rootRun, &startTime, &attributes)
	if err != nil {
		return 0, fmt.Errorf("no completed payment workflow to copy: %w", err)
	}
	layout, err := detectLayout(startTime)
	if err != nil {
		return 0, err
	}
	var sa map[string]any
	if err := json.Unmarshal([]byte(attributes), &sa); err != nil {
		return 0, fmt.Errorf("search attributes %q: %w", attributes, err)
	}
	var merchantKey, paymentKey, orderKey string
	for k, v := range sa {
		s, _ := v.(string)
		switch {
		case s == auth.TestMerchantID.String():
			merchantKey = k
		case strings.HasPrefix(s, "pay_"):
			paymentKey = k
		case strings.HasPrefix(s, "order_"):
			orderKey = k
		}
	}
	if merchantKey == "" {
		return 0, fmt.Errorf("no MerchantId in the template's search attributes %s", attributes)
	}
	templatePayment, _ := sa[paymentKey].(string)

	tx, err := db.Begin()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO executions_visibility (namespace_id, run_id, _version, start_time, execution_time, workflow_id,
		workflow_type_name, status, close_time, history_length, history_size_bytes, execution_duration, state_transition_count, memo,
		encoding, task_queue, search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id)
		SELECT namespace_id, ?1, _version, ?2, ?2, ?3, workflow_type_name, status, ?4, history_length, history_size_bytes,
		execution_duration, state_transition_count, memo, encoding, task_queue, ?5, parent_workflow_id, parent_run_id,
		CASE WHEN root_workflow_id = workflow_id THEN ?3 ELSE root_workflow_id END,
		CASE WHEN root_run_id = run_id THEN ?1 ELSE root_run_id END
		FROM executions_visibility WHERE rowid = ?6`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	week := 7 * 24 * time.Hour
	for i := range n {
		start := now.Add(-week + time.Duration(int64(i)*int64(week)/int64(n)))
		closeAt := start.Add(time.Duration(300+r.IntN(2000)) * time.Millisecond)
		pay, order := newID(r, "pay"), newID(r, "order")
		merchant := auth.TestMerchantID.String()
		if i%5 != 0 {
			merchant = merchantID(i % visibilityMerchants).String()
		}
		sa[merchantKey] = merchant
		if paymentKey != "" {
			sa[paymentKey] = pay
		}
		if orderKey != "" {
			sa[orderKey] = order
		}
		attrs, _ := json.Marshal(sa)
		wf := strings.Replace(workflowID, templatePayment, pay, 1)
		if templatePayment == "" || wf == workflowID {
			wf = workflowID + "-" + pay
		}
		run := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
		if _, err := stmt.Exec(run, start.Format(layout), wf, closeAt.Format(layout), string(attrs), rowid); err != nil {
			return 0, fmt.Errorf("row %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	var count int64
	err = db.QueryRow("SELECT count(*) FROM executions_visibility").Scan(&count)
	return count, err
}

// detectLayout finds the time layout of a timestamp as Temporal's SQLite plugin stored it.
func detectLayout(s string) (string, error) {
	for _, l := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if _, err := time.Parse(l, s); err == nil {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown timestamp layout %q", s)
}

// quietLogger drops the SDK client's logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
