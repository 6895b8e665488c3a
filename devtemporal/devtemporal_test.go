package devtemporal_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/devtemporal"
)

const (
	taskQueue = "devtemporal-test"

	// phase1DirEnv makes TestPhase1Helper run (in a child process).
	phase1DirEnv = "DEVTEMPORAL_PHASE1_DIR"

	echoID    = "echo-1"
	waiterID  = "waiter-1"
	sleeperID = "sleeper-1"
	signal    = "go"
)

var (
	merchantKey = temporal.NewSearchAttributeKeyKeyword("MerchantId")
	amountKey   = temporal.NewSearchAttributeKeyInt64("Amount")
	currencyKey = temporal.NewSearchAttributeKeyKeyword("Currency")

	baseSearchAttributes = map[string]enumspb.IndexedValueType{
		"MerchantId": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"Amount":     enumspb.INDEXED_VALUE_TYPE_INT,
	}
)

// Echo runs one activity and returns its result.
func Echo(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, Hello, name).Get(ctx, &out)
	return out, err
}

// Hello is Echo's activity.
func Hello(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// Waiter blocks until it receives the "go" signal and returns its payload.
func Waiter(ctx workflow.Context) (string, error) {
	var v string
	workflow.GetSignalChannel(ctx, signal).Receive(ctx, &v)
	return "signalled " + v, nil
}

// Sleeper blocks on a durable timer.
func Sleeper(ctx workflow.Context, d time.Duration) (string, error) {
	if err := workflow.Sleep(ctx, d); err != nil {
		return "", err
	}
	return "slept", nil
}

// Empty does nothing (throughput benchmark).
func Empty(workflow.Context) error { return nil }

// logBuffer collects server logs so that the test output stays readable and
// nothing is written after the test ends.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer starts a server on free ports with the UI enabled, logging to
// logs, and stops it at cleanup.
func startServer(tb testing.TB, dir string, logs io.Writer, extra map[string]enumspb.IndexedValueType) (*devtemporal.Server, time.Duration) {
	tb.Helper()
	sas := map[string]enumspb.IndexedValueType{}
	for k, v := range baseSearchAttributes {
		sas[k] = v
	}
	for k, v := range extra {
		sas[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	srv, err := devtemporal.Start(ctx, devtemporal.Config{
		DataDir:          dir,
		Port:             freePort(tb),
		UIPort:           freePort(tb),
		SearchAttributes: sas,
		Logger:           slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	took := time.Since(began)
	tb.Cleanup(func() { _ = srv.Stop() })
	return srv, took
}

// newClientAndWorker dials srv and runs a worker with every test workflow.
// Both are closed at cleanup, or earlier by the returned function.
func newClientAndWorker(tb testing.TB, srv *devtemporal.Server) (client.Client, func()) {
	tb.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendAddress(),
		Namespace: "default",
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	w := worker.New(c, taskQueue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8,
	})
	w.RegisterWorkflow(Echo)
	w.RegisterWorkflow(Waiter)
	w.RegisterWorkflow(Sleeper)
	w.RegisterWorkflow(Empty)
	w.RegisterActivity(Hello)
	if err := w.Start(); err != nil {
		c.Close()
		tb.Fatalf("worker: %v", err)
	}
	var once sync.Once
	closeFn := func() {
		once.Do(func() {
			w.Stop()
			c.Close()
		})
	}
	tb.Cleanup(closeFn)
	return c, closeFn
}

func checkUI(t *testing.T, srv *devtemporal.Server) {
	t.Helper()
	if srv.UIAddress() == "" {
		t.Fatal("UI address is empty")
	}
	resp, err := http.Get(srv.UIAddress() + "/")
	if err != nil {
		t.Fatalf("UI: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Fatalf("UI: status %d, body starts %.80q", resp.StatusCode, body)
	}
	// The UI's API proxies to the frontend.
	resp, err = http.Get(srv.UIAddress() + "/api/v1/namespaces/default")
	if err != nil {
		t.Fatalf("UI API: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"default"`) {
		t.Fatalf("UI API: status %d, body starts %.200q", resp.StatusCode, body)
	}
}

// waitListed polls a visibility query until it returns exactly wantIDs
// (SQL visibility is written asynchronously).
func waitListed(t *testing.T, c client.Client, query string, wantIDs ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got []string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		cancel()
		if err != nil {
			t.Fatalf("list %q: %v", query, err)
		}
		got = got[:0]
		for _, e := range resp.GetExecutions() {
			got = append(got, e.GetExecution().GetWorkflowId())
		}
		slices.Sort(got)
		slices.Sort(wantIDs)
		if slices.Equal(got, wantIDs) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("list %q: got %v, want %v", query, got, wantIDs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func status(t *testing.T, c client.Client, id string) enumspb.WorkflowExecutionStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	return d.GetWorkflowExecutionInfo().GetStatus()
}

// waitSettled waits until the first workflow task of id has completed, so
// that stopping the worker cannot leave a task started by a worker that is
// gone (it would only be retried after the 10 s workflow task timeout).
func waitSettled(t *testing.T, c client.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		cancel()
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		info := d.GetWorkflowExecutionInfo()
		if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("%s is %v, want running", id, info.GetStatus())
		}
		if d.GetPendingWorkflowTask() == nil && info.GetHistoryLength() >= 4 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: first workflow task not completed", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func result(t *testing.T, c client.Client, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out string
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &out); err != nil {
		t.Fatalf("result of %s: %v", id, err)
	}
	return out
}

func start(t *testing.T, c client.Client, opts client.StartWorkflowOptions, wf any, args ...any) {
	t.Helper()
	opts.TaskQueue = taskQueue
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.ExecuteWorkflow(ctx, opts, wf, args...); err != nil {
		t.Fatalf("start %s: %v", opts.ID, err)
	}
}

// TestPhase1Helper is the first life of the data dir in TestRestart. It runs
// only in the child process that TestRestart starts, so that the restart
// reopens the SQLite file in a new process, as `gateway dev` does.
func TestPhase1Helper(t *testing.T) {
	dir := os.Getenv(phase1DirEnv)
	if dir == "" {
		t.Skip("runs only as TestRestart's child process")
	}
	logs := &logBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("server logs:\n%s", logs)
		}
	}()
	srv, took := startServer(t, dir, logs, nil)
	t.Logf("TIMING fresh-dir Start: %v", took.Round(time.Millisecond))
	checkUI(t, srv)
	c, closeClient := newClientAndWorker(t, srv)

	// A workflow run to completion, with typed search attributes.
	start(t, c, client.StartWorkflowOptions{
		ID:                    echoID,
		TypedSearchAttributes: temporal.NewSearchAttributes(merchantKey.ValueSet("m-123"), amountKey.ValueSet(4200)),
	}, Echo, "bank")
	if got := result(t, c, echoID); got != "hello bank" {
		t.Fatalf("echo result %q", got)
	}
	waitListed(t, c, "MerchantId = 'm-123' AND Amount > 1000", echoID)
	waitListed(t, c, "MerchantId = 'm-123' AND Amount > 5000")

	// Workflows left running across the restart: one waits for a signal, one
	// on a timer.
	start(t, c, client.StartWorkflowOptions{ID: waiterID}, Waiter)
	start(t, c, client.StartWorkflowOptions{ID: sleeperID}, Sleeper, 3*time.Second)
	waitSettled(t, c, waiterID)
	waitSettled(t, c, sleeperID)
	closeClient()
	began := time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("TIMING Stop: %v", time.Since(began).Round(time.Millisecond))
}

// TestRestart: a first process creates the data dir, completes a workflow and
// leaves two running; this process starts on the same dir, finds the history,
// and the two finish. Then an in-process Stop/Start with one more search
// attribute.
func TestRestart(t *testing.T) {
	if os.Getenv(phase1DirEnv) != "" {
		t.Skip("child process")
	}
	dir := t.TempDir()
	logs := &logBuffer{}
	defer func() {
		l := logs.String()
		if strings.Contains(l, "level=INFO") || strings.Contains(l, "level=DEBUG") {
			t.Error("server logs below warn level reached the logger")
		}
		if l != "" && (t.Failed() || testing.Verbose()) {
			t.Logf("server logs (warn and above):\n%s", l)
		}
	}()

	// Phase 1 in a child process.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPhase1Helper$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), phase1DirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "TIMING") {
			t.Log("child:", strings.TrimSpace(line))
		}
	}
	if err != nil {
		t.Fatalf("phase 1 (child process): %v\n%s", err, out)
	}

	// Phase 2: reopen the dir in this (new) process.
	srv, took := startServer(t, dir, logs, nil)
	t.Logf("TIMING reused-dir Start (new process): %v", took.Round(time.Millisecond))
	checkUI(t, srv)
	c, closeClient := newClientAndWorker(t, srv)

	if st := status(t, c, echoID); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("%s is %v after the restart", echoID, st)
	}
	if got := result(t, c, echoID); got != "hello bank" {
		t.Fatalf("echo result after restart %q", got)
	}
	var events []enumspb.EventType
	it := c.GetWorkflowHistory(context.Background(), echoID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		events = append(events, e.GetEventType())
	}
	if len(events) < 5 || events[0] != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED ||
		events[len(events)-1] != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("history of %s after restart: %v", echoID, events)
	}
	waitListed(t, c, "MerchantId = 'm-123'", echoID)

	if err := c.SignalWorkflow(context.Background(), waiterID, "", signal, "after restart"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	if got := result(t, c, waiterID); got != "signalled after restart" {
		t.Fatalf("waiter result %q", got)
	}
	if got := result(t, c, sleeperID); got != "slept" {
		t.Fatalf("sleeper result %q", got)
	}
	start(t, c, client.StartWorkflowOptions{ID: "waiter-2"}, Waiter)
	waitSettled(t, c, "waiter-2")

	// Phase 3: Stop and Start again within this process, with one more
	// search attribute.
	closeClient()
	began := time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("TIMING Stop: %v", time.Since(began).Round(time.Millisecond))
	extra := map[string]enumspb.IndexedValueType{"Currency": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	srv, took = startServer(t, dir, logs, extra)
	t.Logf("TIMING reused-dir Start (same process, adds a search attribute): %v", took.Round(time.Millisecond))
	c, _ = newClientAndWorker(t, srv)
	if err := c.SignalWorkflow(context.Background(), "waiter-2", "", signal, "again"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	if got := result(t, c, "waiter-2"); got != "signalled again" {
		t.Fatalf("waiter-2 result %q", got)
	}
	waitListed(t, c, "WorkflowType = 'Waiter' AND ExecutionStatus = 'Completed'", "waiter-2", waiterID)

	// The search attribute added on this boot is usable at once.
	start(t, c, client.StartWorkflowOptions{
		ID:                    "echo-2",
		TypedSearchAttributes: temporal.NewSearchAttributes(currencyKey.ValueSet("EUR"), merchantKey.ValueSet("m-9")),
	}, Echo, "eur")
	if got := result(t, c, "echo-2"); got != "hello eur" {
		t.Fatalf("echo-2 result %q", got)
	}
	waitListed(t, c, "Currency = 'EUR' AND MerchantId = 'm-9'", "echo-2")
}

func TestStartErrors(t *testing.T) {
	if os.Getenv(phase1DirEnv) != "" {
		t.Skip("child process")
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Close() }()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	ctx := context.Background()

	_, err = devtemporal.Start(ctx, devtemporal.Config{DataDir: t.TempDir(), Port: busyPort, UIPort: -1})
	if err == nil || !strings.Contains(err.Error(), "frontend port") || !strings.Contains(err.Error(), "in use") {
		t.Errorf("busy frontend port: got %v", err)
	}
	_, err = devtemporal.Start(ctx, devtemporal.Config{DataDir: t.TempDir(), Port: freePort(t), UIPort: busyPort})
	if err == nil || !strings.Contains(err.Error(), "UI port") {
		t.Errorf("busy UI port: got %v", err)
	}
	_, err = devtemporal.Start(ctx, devtemporal.Config{DataDir: t.TempDir(), Host: "0.0.0.0"})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("non-loopback host: got %v", err)
	}
}

// BenchmarkEmptyWorkflows: 500 empty workflows started from 16 goroutines
// with eager start, worker in the same process, on a file-backed server.
// Run with: go test ./devtemporal/ -run '^$' -bench EmptyWorkflows -benchtime 1x
func BenchmarkEmptyWorkflows(b *testing.B) {
	const (
		workflows  = 500
		goroutines = 16
	)
	srv, err := devtemporal.Start(context.Background(), devtemporal.Config{
		DataDir: b.TempDir(),
		Port:    freePort(b),
		UIPort:  -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	c, closeClient := newClientAndWorker(b, srv)
	defer closeClient()

	var (
		run   atomic.Int64
		total time.Duration
	)
	b.ResetTimer()
	for b.Loop() {
		began := time.Now()
		runID := run.Add(1)
		var next atomic.Int64
		errs := make(chan error, goroutines)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for n := next.Add(1); n <= workflows; n = next.Add(1) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
						ID:               fmt.Sprintf("empty-%d-%d", runID, n),
						TaskQueue:        taskQueue,
						EnableEagerStart: true,
					}, Empty)
					if err == nil {
						err = r.Get(ctx, nil)
					}
					cancel()
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		elapsed := time.Since(began)
		total += elapsed
		b.Logf("run %d: %d workflows in %v: %.0f/s", runID, workflows, elapsed.Round(time.Millisecond), workflows/elapsed.Seconds())
	}
	b.ReportMetric(float64(workflows)*float64(run.Load())/total.Seconds(), "workflows/s")
}

// The visibility indexes no query of the gateway or the Web UI's lists uses are dropped, and
// the ones they use are kept.
func TestUnusedVisibilityIndexesDropped(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startServer(t, dir, &logBuffer{}, nil)
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// This process keeps the file open exclusively (the plugin's connection outlives the
	// server): read a copy, with its write-ahead log.
	cp := t.TempDir()
	for _, f := range []string{"visibility.db", "visibility.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err == nil {
			err = os.WriteFile(filepath.Join(cp, f), b, 0o600)
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(cp, "visibility.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	indexes := map[string]bool{}
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes[name] = true
	}
	for _, name := range []string{"by_bool_01", "by_double_03", "by_history_length", "by_temporal_keyword_01"} {
		if indexes[name] {
			t.Errorf("index %s is still there", name)
		}
	}
	for _, name := range []string{"default_idx", "by_workflow_type", "by_status", "by_task_queue", "by_keyword_01", "by_int_01", "by_temporal_namespace_division"} {
		if !indexes[name] {
			t.Errorf("index %s was dropped", name)
		}
	}
}

// TestRetentionDeletesClosedWorkflows: a short Config.Retention is the namespace's, and a closed
// workflow is deleted once it has passed (Temporal's deletion timer, with the jitter Start bounds
// to a tenth of the retention), which is what keeps the SQLite files from growing without end.
// Without Retention the namespace keeps closed workflows 7 days.
func TestRetentionDeletesClosedWorkflows(t *testing.T) {
	for _, tc := range []struct {
		set, want time.Duration
	}{{0, 7 * 24 * time.Hour}, {2 * time.Second, 2 * time.Second}} {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		srv, err := devtemporal.Start(ctx, devtemporal.Config{DataDir: t.TempDir(), Port: freePort(t), UIPort: -1,
			Retention: tc.set, SearchAttributes: baseSearchAttributes, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		defer srv.Stop()
		c, stop := newClientAndWorker(t, srv)
		defer stop()
		ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ns.Config.WorkflowExecutionRetentionTtl.AsDuration(); got != tc.want {
			t.Fatalf("Retention %s: namespace retention %s, want %s", tc.set, got, tc.want)
		}
		if tc.set == 0 {
			continue
		}
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "retained", TaskQueue: taskQueue}, Empty)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for {
			_, err := c.DescribeWorkflowExecution(ctx, "retained", run.GetRunID())
			var notFound *serviceerror.NotFound
			if errors.As(err, &notFound) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("the closed workflow is still there 90 s after it closed with a 2 s retention: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}
