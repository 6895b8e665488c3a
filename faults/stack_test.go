//go:build faults

package faults

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// proc is one gateway process that a test starts, kills and restarts, with its stdout and
// stderr appended to a log file that outlives restarts.
type proc struct {
	t    testing.TB
	name string
	args []string
	env  []string
	log  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has been reaped
	err    error         // cmd.Wait's answer
}

// configVars are the gateway's environment variables: its processes get only those the test
// sets, whatever the environment running the suite holds.
var configVars = []string{
	"PORT", "METRICS_PORT", "BIND_ADDRESS", "DATABASE_URL", "DATABASE_MAX_CONNS", "TEMPORAL_ADDRESS",
	"TEMPORAL_NAMESPACE", "TEMPORAL_UI_URL", "TEMPORAL_TASK_QUEUE", "DATA_DIR", "DEV_POSTGRES_PORT",
	"DEV_TEMPORAL_PORT", "DEV_TEMPORAL_UI_PORT", "SEED_TEST_MERCHANT", "API_RATE_LIMIT", "API_RATE_BURST",
	"TEST_MODE", "TEST_PROCESSING_DELAY", "TEST_PAYMENT_SUCCESS", "TEST_MERCHANT_EMAIL", "TEST_API_KEY",
	"TEST_API_SECRET", "WEBHOOK_ALLOW_PRIVATE_TARGETS", "WEBHOOK_RETRY_INTERVALS_TEST", "LOG_LEVEL",
	"WORKFLOW_START_CONCURRENCY", "WORKFLOW_START_QUEUE", "REQUEST_HASH_KEY", "TRUSTED_PROXIES", "PUBLIC_PAYMENT_RATE_LIMIT",
	"PUBLIC_PAYMENT_RATE_BURST", "PUBLIC_KEY_RATE_LIMIT", "PUBLIC_KEY_RATE_BURST", "PUBLIC_READ_RATE_LIMIT",
	"PUBLIC_READ_RATE_BURST", "REGISTRATION_RATE_LIMIT", "REGISTRATION_RATE_BURST", "ORDER_FAILED_PAYMENT_LIMIT",
	"ORDER_FAILED_PAYMENT_WINDOW", "CAPTURE_WINDOW", "EVENT_RETENTION", "WEBHOOK_DISABLE_AFTER", "DEV_TEMPORAL_RETENTION",
	"WORKER_CACHE_SIZE",
}

// newProc prepares a bin/gateway process; start runs it. It is stopped when the test ends, and
// its log's tail is shown if the test failed.
func newProc(t testing.TB, logDir, name string, vars map[string]string, args ...string) *proc {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(configVars, name)
	})
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	p := &proc{t: t, name: name, args: args, env: env, log: filepath.Join(logDir, name+".log")}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("--- %s log (last 40 lines) ---\n%s", name, tail(p.log, 40))
		}
	})
	return p
}

func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited != nil && !isClosed(p.exited) {
		p.t.Fatalf("%s is already running", p.name)
	}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	fmt.Fprintf(f, "=== start of %s at %s\n", p.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(gatewayBin(p.t), p.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr, cmd.Dir = p.env, f, f, filepath.Dir(p.log)
	if err := startCmd(cmd); err != nil {
		f.Close()
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	exited := make(chan struct{})
	p.cmd, p.exited, p.err = cmd, exited, nil
	go func() {
		err := cmd.Wait()
		f.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(exited)
	}()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited != nil && !isClosed(p.exited)
}

// wait waits up to timeout for the process to exit and reports whether it did.
func (p *proc) wait(timeout time.Duration) bool {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	if exited == nil {
		return true
	}
	select {
	case <-exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (p *proc) signalGroup(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited != nil && !isClosed(p.exited) {
		syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// kill sends SIGKILL to the process group and waits until the process is reaped.
func (p *proc) kill() {
	p.t.Helper()
	p.signalGroup(syscall.SIGKILL)
	if !p.wait(10 * time.Second) {
		p.t.Fatalf("%s did not die from SIGKILL", p.name)
	}
}

// stop asks the process to stop (SIGINT) and kills its group if it has not within 20 s.
func (p *proc) stop() {
	p.signalGroup(syscall.SIGINT)
	if !p.wait(20 * time.Second) {
		p.signalGroup(syscall.SIGKILL)
		p.wait(10 * time.Second)
	}
}

func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// waitLog waits until the log holds text after the latest start, failing the test when the
// process exits first or after timeout.
func (p *proc) waitLog(text string, timeout time.Duration) {
	p.t.Helper()
	ok := waitUntil(timeout, 50*time.Millisecond, func() bool {
		return strings.Contains(sinceStart(p.log), text) || !p.running()
	})
	if !ok || !strings.Contains(sinceStart(p.log), text) {
		p.t.Fatalf("%s did not log %q within %s (running: %v):\n%s", p.name, text, timeout, p.running(), tail(p.log, 40))
	}
}

// waitHealthy waits until base/health answers 200, failing when the process exits first.
func (p *proc) waitHealthy(base string, timeout time.Duration) {
	p.t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	healthy := func() bool {
		resp, err := hc.Get(base + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	ok := waitUntil(timeout, 100*time.Millisecond, func() bool { return !p.running() || healthy() })
	if !ok || !p.running() {
		p.t.Fatalf("%s not healthy within %s (running: %v):\n%s", p.name, timeout, p.running(), tail(p.log, 40))
	}
}

func sinceStart(path string) string {
	b, _ := os.ReadFile(path)
	if i := bytes.LastIndex(b, []byte("=== start of ")); i >= 0 {
		b = b[i:]
	}
	return string(b)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freePorts returns n distinct free loopback ports.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// options are what a test chooses about its gateway; every gateway runs the bank in test mode
// (approving every payment) and the short webhook retry schedule (5, 10, 15, 20 s).
type options struct {
	ProcessingDelay time.Duration // bank delay (default 300 ms)
	RateLimit       int           // API_RATE_LIMIT and API_RATE_BURST (0: the defaults)
	RateBurst       int
	DatabaseURL     string // dev only: an external PostgreSQL instead of DATA_DIR/pg
}

func (o options) vars() map[string]string {
	delay := o.ProcessingDelay
	if delay == 0 {
		delay = 300 * time.Millisecond
	}
	v := map[string]string{
		"TEST_MODE":                     "true",
		"TEST_PROCESSING_DELAY":         strconv.Itoa(int(delay.Milliseconds())),
		"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
		"WEBHOOK_RETRY_INTERVALS_TEST":  "true",
	}
	if o.RateLimit > 0 {
		v["API_RATE_LIMIT"] = strconv.Itoa(o.RateLimit)
		v["API_RATE_BURST"] = strconv.Itoa(o.RateBurst)
	}
	return v
}

func with(a map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// devStack is `gateway dev` (PostgreSQL, embedded Temporal, worker and API in one process) in a
// temporary DATA_DIR on free ports.
type devStack struct {
	t        testing.TB
	dir      string // DATA_DIR, with the logs
	base     string // the API's URL
	dbURL    string // the gateway's database, for the tests' own queries
	temporal string // the embedded Temporal's frontend address
	gateway  *proc
	api      *apiClient
}

func startDev(t testing.TB, o options) *devStack {
	t.Helper()
	dir := tempDir(t, "dev")
	ports := freePorts(t, 4)
	vars := with(o.vars(), "DATA_DIR", dir, "PORT", strconv.Itoa(ports[0]), "DEV_POSTGRES_PORT", strconv.Itoa(ports[1]),
		"DEV_TEMPORAL_PORT", strconv.Itoa(ports[2]), "DEV_TEMPORAL_UI_PORT", strconv.Itoa(ports[3]))
	s := &devStack{t: t, dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		dbURL:    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gateway?sslmode=disable", ports[1]),
		temporal: fmt.Sprintf("127.0.0.1:%d", ports[2])}
	if o.DatabaseURL != "" {
		vars["DATABASE_URL"] = o.DatabaseURL
		s.dbURL = o.DatabaseURL
	}
	s.gateway = newProc(t, dir, "gateway-dev", vars, "dev")
	s.api = newAPIClient(s.base, testAPIKey, testAPISecret)
	s.start()
	return s
}

// start starts `gateway dev` (again) and waits until it is healthy.
func (s *devStack) start() {
	s.t.Helper()
	s.gateway.start()
	s.gateway.waitHealthy(s.base, 3*time.Minute)
}

// killAll kills the whole gateway as a power cut would: SIGKILL to `gateway dev` (API, worker,
// embedded Temporal) and to the PostgreSQL server it started, which runs in a session of its own.
func (s *devStack) killAll() {
	s.t.Helper()
	postmaster := readPID(filepath.Join(s.dir, "pg", "postmaster.pid"))
	s.gateway.kill()
	if postmaster > 0 {
		syscall.Kill(postmaster, syscall.SIGKILL)
		// Gone, or a zombie waiting for its parent (init) to reap it.
		if !waitUntil(10*time.Second, 20*time.Millisecond, func() bool { return syscall.Kill(postmaster, 0) != nil || isZombie(postmaster) }) {
			s.t.Fatalf("PostgreSQL (pid %d) did not die from SIGKILL", postmaster)
		}
	}
}

func readPID(path string) int {
	b, _ := os.ReadFile(path)
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	i := bytes.LastIndexByte(b, ')')
	return err != nil || (i >= 0 && i+2 < len(b) && b[i+2] == 'Z')
}

// multiStack is the scale-out layout on one machine: `gateway temporal` (the embedded server as
// a process of its own), `gateway migrate`, one `gateway serve` and N `gateway worker`, all on one
// PostgreSQL database.
type multiStack struct {
	dbURL    string
	temporal string // frontend address
	workers  []*proc
	api      *apiClient
}

func startMulti(t testing.TB, workers int, o options) *multiStack {
	t.Helper()
	dir := tempDir(t, "multi")
	ports := freePorts(t, 3)
	s := &multiStack{dbURL: sharedDatabase(t), temporal: fmt.Sprintf("127.0.0.1:%d", ports[0])}

	temporal := newProc(t, dir, "temporal", map[string]string{"DATA_DIR": dir,
		"DEV_TEMPORAL_PORT": strconv.Itoa(ports[0]), "DEV_TEMPORAL_UI_PORT": strconv.Itoa(ports[1])}, "temporal")
	temporal.start()
	temporal.waitLog("Temporal running", 2*time.Minute)

	// Smaller pools: the processes share the suite's PostgreSQL cluster.
	vars := with(o.vars(), "DATABASE_URL", s.dbURL, "TEMPORAL_ADDRESS", s.temporal, "DATABASE_MAX_CONNS", "10")
	migrate := newProc(t, dir, "migrate", with(vars, "SEED_TEST_MERCHANT", "true"), "migrate", "--temporal")
	migrate.start()
	if !migrate.wait(2*time.Minute) || migrate.err != nil {
		t.Fatalf("gateway migrate failed or did not finish (%v):\n%s", migrate.err, tail(migrate.log, 40))
	}

	base := fmt.Sprintf("http://127.0.0.1:%d", ports[2])
	serve := newProc(t, dir, "serve", with(vars, "PORT", strconv.Itoa(ports[2]), "REQUEST_HASH_KEY", "faults-suite-request-hash-key-0123456789"), "serve")
	serve.start()
	for i := range workers {
		w := newProc(t, dir, fmt.Sprintf("worker-%d", i+1), vars, "worker")
		w.start()
		s.workers = append(s.workers, w)
	}
	serve.waitHealthy(base, 2*time.Minute)
	for _, w := range s.workers {
		w.waitLog("worker running", 2*time.Minute)
	}
	s.api = newAPIClient(base, testAPIKey, testAPISecret)
	return s
}

// temporalClient is a client of the stack's Temporal server, for reading workflow histories.
func (s *multiStack) temporalClient(t testing.TB) client.Client { return dialTemporal(t, s.temporal) }

// dialTemporal is a client of the Temporal server at addr, closed when the test ends.
func dialTemporal(t testing.TB, addr string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatalf("dial Temporal: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// historyOf is a workflow's history in one line, for a failing test's log: each event's time
// (seconds.milliseconds), id and type, and the identity of the worker that started or completed a
// workflow task.
func historyOf(ctx context.Context, tc client.Client, workflowID string) string {
	var events []string
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return strings.Join(append(events, err.Error()), " ")
		}
		line := fmt.Sprintf("%s #%d %s", e.EventTime.AsTime().Format("05.000"), e.EventId, strings.TrimPrefix(e.EventType.String(), "EVENT_TYPE_"))
		if id := e.GetWorkflowTaskStartedEventAttributes().GetIdentity(); id != "" {
			line += "(" + id + ")"
		}
		if id := e.GetWorkflowTaskCompletedEventAttributes().GetIdentity(); id != "" {
			line += "(" + id + ")"
		}
		events = append(events, line)
	}
	return strings.Join(events, ", ")
}

// openDB opens a small pool on the gateway's database, for the tests' own reads.
func openDB(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
