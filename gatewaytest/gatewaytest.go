// Package gatewaytest runs the whole gateway inside a test binary: a real PostgreSQL database per
// test (cloned from a migrated, seeded template), a real in-process Temporal server shared by the
// binary, a worker on a task queue of the test's own, and the HTTP API on a loopback port.
//
//	func TestMain(m *testing.M) { os.Exit(gatewaytest.Main(m)) }
//
//	func TestPay(t *testing.T) {
//		gw := gatewaytest.Start(t)
//		order := gw.Post(t, "/api/v1/orders", map[string]any{"amount": 50000})
//		...
//	}
package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"

	"github.com/paygate/paygate/api"
	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/metrics"
	"github.com/paygate/paygate/pglocal/pgtest"
	"github.com/paygate/paygate/requestid"
	"github.com/paygate/paygate/ui"
	"github.com/paygate/paygate/worker"
	"github.com/paygate/paygate/workflows"
)

// Test merchant credentials, as seeded.
const (
	APIKey    = "key_test_abc123"
	APISecret = "secret_test_xyz789"
)

var pg = pgtest.New(func(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	_, err = auth.SeedTestMerchant(ctx, db.New(pool), config.TestMerchant{
		Email: "test@example.com", APIKey: APIKey, APISecret: APISecret,
	})
	return err
})

// temporal is the test binary's in-process Temporal server, with the gateway's search attributes.
var temporal struct {
	server *temporaltest.TestServer
	once   sync.Once
	err    error
}

// Main is TestMain's body: it starts PostgreSQL, runs the tests and stops what they started.
func Main(m *testing.M) int {
	temporal.server = temporaltest.NewServer()
	code := pg.Run(m)
	if temporal.server != nil {
		temporal.server.Stop()
	}
	return code
}

// FastRetries is the webhook retry schedule of test stacks, short so tests can walk through it.
var FastRetries = []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}

// Stack is a running gateway.
type Stack struct {
	URL      string // the API's base URL
	Pool     *pgxpool.Pool
	Queries  *db.Queries
	Temporal client.Client
	Config   config.Config
	// Starts is the API's workflow start queue (one start at a time, as in `gateway dev`).
	Starts *workflows.StartQueue
	logs   *lockedBuffer
	worker sdkworker.Worker
	t      *testing.T
}

// StopWorker stops the worker as a shutdown of its process does: steps in flight get the worker's
// stop timeout to finish, then workflows wait while timers keep running in Temporal.
func (s *Stack) StopWorker() { s.worker.Stop() }

// StartWorker starts a new worker on the stack's task queue.
func (s *Stack) StartWorker() {
	s.worker = worker.New(s.Temporal, s.Pool, s.Config)
	if err := s.worker.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(s.worker.Stop)
}

// Logs returns everything the gateway has logged so far in this test.
func (s *Stack) Logs() string {
	s.logs.mu.Lock()
	defer s.logs.mu.Unlock()
	return s.logs.String()
}

// Start runs a gateway for the test, stopped at its end. Options adjust the configuration; the
// default is test mode with no processing delay.
func Start(t *testing.T, options ...func(*config.Config)) *Stack {
	t.Helper()
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.TaskQueue = "test-" + strings.ToLower(ids.Random(12))
	cfg.Bank = config.BankConfig{TestMode: true, ProcessingDelay: 0, PaymentSuccess: true}
	cfg.Webhooks = config.WebhookConfig{AllowPrivateTargets: true, RetryIntervals: FastRetries}
	cfg.RequestHashKey = "gatewaytest-request-hash-key-0123456789"
	for _, o := range options {
		o(&cfg)
	}
	cfg.DatabaseURL = pg.NewDatabase(t)

	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	m := metrics.New(pool)
	t.Cleanup(func() { m.Close() })
	tc := temporal.server.NewClientWithOptions(client.Options{
		MetricsHandler:     m.Temporal(),
		Logger:             sdklog.NewStructuredLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))),
		ContextPropagators: []workflow.ContextPropagator{requestid.Propagator{}},
	})
	temporal.once.Do(func() {
		temporal.err = workflows.RegisterSearchAttributes(ctx, tc, temporal.server.GetDefaultNamespace())
	})
	if temporal.err != nil {
		t.Fatal(temporal.err)
	}
	cfg.TemporalNamespace = temporal.server.GetDefaultNamespace()
	// The real UI handler is mounted as in every gateway process: routing must be tested with it.
	// As in `gateway dev`: workflows start in the background, one at a time.
	starts := workflows.NewStartQueue(cfg.StartQueueSize, 1)
	t.Cleanup(func() { starts.Close(context.Background()) })
	m.WatchStartQueue(starts.Len)
	srv := httptest.NewServer(api.New(api.Deps{Pool: pool, Temporal: tc, Config: cfg, Logger: log, UI: ui.Handler(), Metrics: m, Starts: starts}))
	t.Cleanup(srv.Close)
	s := &Stack{URL: srv.URL, Pool: pool, Queries: db.New(pool), Temporal: tc, Config: cfg, Starts: starts, logs: logs, t: t}
	s.StartWorker()
	return s
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response %d is not a JSON object: %s", r.Status, r.Body)
	}
	return v
}

// ErrorCode is the code of an error response ("" if it is not one).
func (r Response) ErrorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Request is an API call; Headers replace the test merchant's credentials when they set them.
type Request struct {
	Method  string
	Path    string
	Body    any // marshalled to JSON unless it is a string or []byte
	Headers map[string]string
	// Anonymous sends no credentials.
	Anonymous bool
}

// Do sends a request as the test merchant.
func (s *Stack) Do(t testing.TB, req Request) Response {
	t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	httpReq, err := http.NewRequest(req.Method, s.URL+req.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	if !req.Anonymous {
		httpReq.Header.Set("X-Api-Key", APIKey)
		httpReq.Header.Set("X-Api-Secret", APISecret)
	}
	for k, v := range req.Headers {
		httpReq.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Get sends GET path as the test merchant.
func (s *Stack) Get(t testing.TB, path string) Response {
	t.Helper()
	return s.Do(t, Request{Method: http.MethodGet, Path: path})
}

// Post sends POST path with a JSON body as the test merchant.
func (s *Stack) Post(t testing.TB, path string, body any) Response {
	t.Helper()
	return s.Do(t, Request{Method: http.MethodPost, Path: path, Body: body})
}

// MustCreate posts and requires 201 Created, returning the object.
func (s *Stack) MustCreate(t testing.TB, path string, body any) map[string]any {
	t.Helper()
	r := s.Post(t, path, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST %s = %d %s", path, r.Status, r.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// WaitFor polls GET path until cond holds for the object, or fails the test after 30 s.
func (s *Stack) WaitFor(t testing.TB, path string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.Get(t, path)
		var v map[string]any
		json.Unmarshal(r.Body, &v)
		if r.Status == http.StatusOK && cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: condition not met after 30 s; last answer %d %s", path, r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForStatus polls an object until its status is final (not pending) and returns it.
func (s *Stack) WaitForStatus(t testing.TB, path string) map[string]any {
	t.Helper()
	return s.WaitFor(t, path, func(v map[string]any) bool { return v["status"] != "pending" })
}

type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}
