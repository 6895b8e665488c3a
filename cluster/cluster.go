// Package cluster runs the topology of docker-compose.yml as processes on this machine, for
// `make cluster` (cmd/cluster) and the cluster tests: one PostgreSQL cluster (databases gateway,
// temporal and temporal_visibility), Temporal's schema step (deploy/temporal/setup-schema.sh with
// temporal-sql-tool), the official Temporal server (its embedded config template, the one the
// temporalio/server image runs), the Temporal Web UI (ui-server with deploy/temporal-ui), `gateway
// migrate --temporal`, API replicas (`gateway serve`) and workers (`gateway worker`).
//
// Every setting comes from the env files under deploy/ that docker-compose.yml reads too; this
// package sets only what differs by host: addresses, ports and paths.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/pglocal"
)

// Options say where the cluster lives and how it is reached.
type Options struct {
	Root        string            // the repository: deploy/ and bin/ (gateway, temporal-server, temporal-sql-tool, temporal-ui)
	Dir         string            // data and logs: pg/ and logs/
	Ports       Ports             // DefaultPorts for make cluster, FreePorts for tests
	Workers     int               // gateway worker processes
	Overlays    []string          // env files applied over deploy/gateway.env (make cluster: deploy/gateway.test.env)
	GatewayEnv  map[string]string // applied last to every gateway process
	TemporalEnv map[string]string // applied last to the Temporal server
	Ephemeral   bool              // PostgreSQL without fsync: for throwaway test clusters
	Output      io.Writer         // every process's output, prefixed with its name (nil: log files only)
	Logger      *slog.Logger
}

// Ports are the loopback ports the topology listens on.
type Ports struct {
	Postgres   int
	Temporal   int // frontend gRPC (TEMPORAL_ADDRESS)
	TemporalUI int
	API        []int // one `gateway serve` per port
	// The Temporal server's other ports: frontend HTTP, history, matching and worker gRPC, and
	// the four membership ports.
	TemporalHTTP, History, Matching, Worker                                     int
	FrontendMembership, HistoryMembership, MatchingMembership, WorkerMembership int
	TemporalPprof                                                               int // 0: no pprof server
}

// DefaultPorts are docker-compose.yml's: API replicas on 8000 and 8001, Temporal on 7233 and its
// Web UI on 8233; PostgreSQL on 55433 (`make dev` uses 55432).
func DefaultPorts() Ports {
	return Ports{Postgres: 55433, Temporal: 7233, TemporalUI: 8233, API: []int{8000, 8001},
		TemporalHTTP: 7243, History: 7234, Matching: 7235, Worker: 7239,
		FrontendMembership: 6933, HistoryMembership: 6934, MatchingMembership: 6935, WorkerMembership: 6939}
}

// FreePorts picks distinct free loopback ports for every listener, with apiReplicas API ports.
// Membership ports are taken below 32768: Temporal stores them as a PostgreSQL smallint.
func FreePorts(apiReplicas int) (Ports, error) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	listen := func(port int) (int, bool) {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return 0, false
		}
		held = append(held, l)
		return l.Addr().(*net.TCPAddr).Port, true
	}
	var ports, low []int
	for range 8 + apiReplicas {
		p, ok := listen(0)
		if !ok {
			return Ports{}, errors.New("no free loopback port")
		}
		ports = append(ports, p)
	}
	for tries := 0; len(low) < 4; tries++ {
		if tries > 1000 {
			return Ports{}, errors.New("no free loopback port below 32768")
		}
		if p, ok := listen(20000 + rand.IntN(12000)); ok {
			low = append(low, p)
		}
	}
	return Ports{Postgres: ports[0], Temporal: ports[1], TemporalUI: ports[2], TemporalHTTP: ports[3],
		History: ports[4], Matching: ports[5], Worker: ports[6], TemporalPprof: ports[7], API: ports[8:],
		FrontendMembership: low[0], HistoryMembership: low[1], MatchingMembership: low[2], WorkerMembership: low[3]}, nil
}

// Cluster is a running topology. Its processes may be stopped, killed and started again.
type Cluster struct {
	opts     Options
	Postgres *pglocal.Cluster
	Temporal *Proc
	UI       *Proc
	API      []*Proc
	Workers  []*Proc

	gatewayEnv *environ
}

// DatabaseURL is the gateway's database.
func (c *Cluster) DatabaseURL() string { return c.Postgres.URL("gateway") }

// TemporalAddress is the Temporal frontend's host:port.
func (c *Cluster) TemporalAddress() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.opts.Ports.Temporal))
}

// UIURL is the Temporal Web UI's base URL.
func (c *Cluster) UIURL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(c.opts.Ports.TemporalUI))
}

// APIURL is replica i's base URL.
func (c *Cluster) APIURL(i int) string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(c.opts.Ports.API[i]))
}

// Options are the options the cluster was started with.
func (c *Cluster) Options() Options { return c.opts }

func (c *Cluster) bin(name string) string { return filepath.Join(c.opts.Root, "bin", name) }

func (c *Cluster) log() *slog.Logger {
	if c.opts.Logger != nil {
		return c.opts.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Start brings the topology up in order and returns once every API replica answers /health and
// every worker polls. On an existing Dir it resumes: the schema step and migrations apply only
// what is missing, and the workers pick up unfinished workflows. On error, what was started is
// stopped.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Root, opts.Dir = root, dir
	for _, b := range []string{"gateway", "temporal-server", "temporal-sql-tool", "temporal-ui"} {
		if _, err := os.Stat(filepath.Join(root, "bin", b)); err != nil {
			return nil, fmt.Errorf("bin/%s is missing: run `make cluster-build`", b)
		}
	}
	// PostgreSQL runs as the postgres user when this runs as root: it must traverse Dir.
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	c := &Cluster{opts: opts}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()

	c.Postgres = &pglocal.Cluster{Dir: filepath.Join(dir, "pg"), Port: opts.Ports.Postgres, Ephemeral: opts.Ephemeral, Logger: c.log()}
	if err := c.Postgres.Start(ctx); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	if err := c.Postgres.EnsureDatabase(ctx, "gateway"); err != nil {
		return nil, err
	}
	c.log().Info("PostgreSQL running", "port", opts.Ports.Postgres, "data_dir", c.Postgres.Dir)

	if err := c.setupSchema(); err != nil {
		return nil, err
	}
	if err := c.startTemporal(ctx); err != nil {
		return nil, err
	}
	if err := c.startUI(); err != nil {
		return nil, err
	}
	if err := c.startGateway(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) deploy(name string) string { return filepath.Join(c.opts.Root, "deploy", name) }

// temporalEnv is deploy/temporal.env with this host's database address.
func (c *Cluster) temporalEnv() (*environ, error) {
	e := newEnviron()
	if err := e.file(c.deploy("temporal.env")); err != nil {
		return nil, err
	}
	return e, nil
}

// setupSchema runs deploy/temporal/setup-schema.sh with bin/temporal-sql-tool: the schema step
// docker-compose.yml runs in the admin-tools image.
func (c *Cluster) setupSchema() error {
	e, err := c.temporalEnv()
	if err != nil {
		return err
	}
	e.set("PATH", filepath.Join(c.opts.Root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	e.setAll(map[string]string{"SQL_HOST": "127.0.0.1", "SQL_PORT": strconv.Itoa(c.opts.Ports.Postgres),
		"SQL_USER": "postgres", "SQL_PASSWORD": ""})
	p := newProc(c, "schema", "/bin/sh", e.list(), c.deploy("temporal/setup-schema.sh"))
	p.out = nil // a page of the tool's info lines: the log file keeps them
	began := time.Now()
	if err := p.Run(3 * time.Minute); err != nil {
		return fmt.Errorf("Temporal schema: %w", err)
	}
	c.log().Info("Temporal schemas ready", "took", time.Since(began).Round(time.Millisecond))
	return nil
}

func (c *Cluster) startTemporal(ctx context.Context) error {
	e, err := c.temporalEnv()
	if err != nil {
		return err
	}
	p := c.opts.Ports
	e.setAll(map[string]string{
		"POSTGRES_SEEDS": "127.0.0.1", "DB_PORT": strconv.Itoa(p.Postgres), "POSTGRES_USER": "postgres", "POSTGRES_PWD": "",
		"BIND_ON_IP":               "127.0.0.1",
		"DYNAMIC_CONFIG_FILE_PATH": c.deploy("temporal/dynamicconfig.yaml"),
		"FRONTEND_GRPC_PORT":       strconv.Itoa(p.Temporal), "FRONTEND_HTTP_PORT": strconv.Itoa(p.TemporalHTTP),
		"FRONTEND_MEMBERSHIP_PORT": strconv.Itoa(p.FrontendMembership),
		"HISTORY_GRPC_PORT":        strconv.Itoa(p.History), "HISTORY_MEMBERSHIP_PORT": strconv.Itoa(p.HistoryMembership),
		"MATCHING_GRPC_PORT": strconv.Itoa(p.Matching), "MATCHING_MEMBERSHIP_PORT": strconv.Itoa(p.MatchingMembership),
		"WORKER_GRPC_PORT": strconv.Itoa(p.Worker), "WORKER_MEMBERSHIP_PORT": strconv.Itoa(p.WorkerMembership),
		"PPROF_PORT": strconv.Itoa(p.TemporalPprof),
	})
	e.setAll(c.opts.TemporalEnv)
	c.Temporal = newProc(c, "temporal", c.bin("temporal-server"), e.list(), "start")
	return c.StartTemporal(ctx)
}

// StartTemporal starts the Temporal server (again) and waits until its frontend answers.
func (c *Cluster) StartTemporal(ctx context.Context) error {
	began := time.Now()
	if err := c.Temporal.Start(); err != nil {
		return err
	}
	if err := c.waitTemporal(ctx, 3*time.Minute); err != nil {
		return err
	}
	c.log().Info("Temporal server running", "address", c.TemporalAddress(), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// waitTemporal polls the frontend's health check until it is serving.
func (c *Cluster) waitTemporal(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if !c.Temporal.Running() {
			return fmt.Errorf("Temporal server exited (%v); log: %s", c.Temporal.Err(), c.Temporal.LogPath())
		}
		last = c.checkTemporal(ctx)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("Temporal frontend not serving within %s: %v (log: %s)", timeout, last, c.Temporal.LogPath())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (c *Cluster) checkTemporal(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tc, err := client.DialContext(ctx, client.Options{HostPort: c.TemporalAddress(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return err
	}
	defer tc.Close()
	_, err = tc.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

func (c *Cluster) startUI() error {
	e := newEnviron()
	if err := e.file(c.deploy("temporal-ui.env")); err != nil {
		return err
	}
	e.setAll(map[string]string{"TEMPORAL_ADDRESS": c.TemporalAddress(), "TEMPORAL_UI_HOST": "127.0.0.1",
		"TEMPORAL_UI_PORT": strconv.Itoa(c.opts.Ports.TemporalUI)})
	c.UI = newProc(c, "temporal-ui", c.bin("temporal-ui"), e.list(),
		"--root", c.deploy("temporal-ui"), "--config", ".", "--env", "docker", "start")
	if err := c.UI.Start(); err != nil {
		return err
	}
	c.log().Info("Temporal Web UI running", "url", c.UIURL())
	return nil
}

// startGateway runs `gateway migrate --temporal`, then the API replicas and the workers.
func (c *Cluster) startGateway(ctx context.Context) error {
	e := newEnviron()
	for _, f := range append([]string{c.deploy("gateway.env")}, c.opts.Overlays...) {
		if err := e.file(f); err != nil {
			return err
		}
	}
	e.setAll(map[string]string{"DATABASE_URL": c.DatabaseURL(), "TEMPORAL_ADDRESS": c.TemporalAddress(),
		"BIND_ADDRESS": "127.0.0.1", "TEMPORAL_UI_URL": c.UIURL()})
	e.setAll(c.opts.GatewayEnv)
	if e.vals["REQUEST_HASH_KEY"] == "" {
		// As gateway dev does: a key of its own, kept with the data.
		key, err := config.LocalRequestHashKey(c.opts.Dir)
		if err != nil {
			return err
		}
		e.set("REQUEST_HASH_KEY", key)
	}
	c.gatewayEnv = e

	migrate := newProc(c, "migrate", c.bin("gateway"), e.list(), "migrate", "--temporal")
	if err := migrate.Run(3 * time.Minute); err != nil {
		return err
	}
	for i, port := range c.opts.Ports.API {
		env := e.clone().set("PORT", strconv.Itoa(port))
		c.API = append(c.API, newProc(c, fmt.Sprintf("api-%d", i+1), c.bin("gateway"), env.list(), "serve"))
	}
	for i := range c.opts.Workers {
		c.Workers = append(c.Workers, newProc(c, fmt.Sprintf("worker-%d", i+1), c.bin("gateway"), e.list(), "worker"))
	}
	for _, p := range append(append([]*Proc(nil), c.API...), c.Workers...) {
		if err := p.Start(); err != nil {
			return err
		}
	}
	for i := range c.API {
		if err := c.WaitAPI(ctx, i, 2*time.Minute); err != nil {
			return err
		}
	}
	for _, w := range c.Workers {
		if err := waitLog(ctx, w, "worker running", 2*time.Minute); err != nil {
			return err
		}
	}
	c.log().Info("gateway running", "api", c.opts.Ports.API, "workers", len(c.Workers))
	return nil
}

// WaitAPI waits until replica i answers /health with 200.
func (c *Cluster) WaitAPI(ctx context.Context, i int, timeout time.Duration) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	url := c.APIURL(i) + "/health"
	deadline := time.Now().Add(timeout)
	for {
		if !c.API[i].Running() {
			return fmt.Errorf("%s exited (%v); log: %s", c.API[i].Name, c.API[i].Err(), c.API[i].LogPath())
		}
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy within %s (log: %s)", c.API[i].Name, timeout, c.API[i].LogPath())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitLog waits until p's log, since its latest start, holds text.
func waitLog(ctx context.Context, p *Proc, text string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if sinceStart(p.log, text) {
			return nil
		}
		if !p.Running() {
			return fmt.Errorf("%s exited (%v); log: %s", p.Name, p.Err(), p.log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not log %q within %s (log: %s)", p.Name, text, timeout, p.log)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// WaitWorker waits until worker i polls again after a start.
func (c *Cluster) WaitWorker(ctx context.Context, i int) error {
	return waitLog(ctx, c.Workers[i], "worker running", 2*time.Minute)
}

// Exited is closed with the name of the first long-running process that exits without being
// stopped or killed by Stop (or a test), checked every second until ctx ends.
func (c *Cluster) Exited(ctx context.Context) <-chan *Proc {
	ch := make(chan *Proc, 1)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for _, p := range c.procs() {
				if p.exitedOnItsOwn() {
					ch <- p
					return
				}
			}
		}
	}()
	return ch
}

func (c *Cluster) procs() []*Proc {
	var ps []*Proc
	for _, p := range append(append([]*Proc{c.Temporal, c.UI}, c.API...), c.Workers...) {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// Stop stops everything in reverse order: API replicas and workers (SIGINT: in-flight requests
// drain, queued workflow starts get a few seconds), the Web UI, the Temporal server, PostgreSQL.
func (c *Cluster) Stop() error {
	var errs []error
	stopAll := func(ps []*Proc, grace time.Duration) {
		done := make(chan error, len(ps))
		for _, p := range ps {
			go func() { done <- p.Stop(grace) }()
		}
		for range ps {
			errs = append(errs, <-done)
		}
	}
	stopAll(append(append([]*Proc(nil), c.API...), c.Workers...), 30*time.Second)
	var temporal []*Proc
	for _, p := range []*Proc{c.UI, c.Temporal} {
		if p != nil {
			temporal = append(temporal, p)
		}
	}
	stopAll(temporal, 30*time.Second)
	if c.Postgres != nil {
		errs = append(errs, c.Postgres.Stop())
	}
	return errors.Join(errs...)
}

func sinceStart(path, text string) bool {
	b, _ := os.ReadFile(path)
	s := string(b)
	if i := strings.LastIndex(s, "=== start of "); i >= 0 {
		s = s[i:]
	}
	return strings.Contains(s, text)
}
