// Package devtemporal runs an embedded Temporal server, with its Web UI, for
// local development (`gateway dev`).
//
// State lives in two SQLite files under Config.DataDir (the workflows, and
// their visibility records), so stopping and starting again keeps every
// workflow, and unfinished workflows resume. It is tuned for one machine (one
// history shard, one SQLite connection per file, one task queue partition)
// and listens on the loopback interface only. It is not meant for production.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	defaultDataDir   = ".data/temporal"
	defaultHost      = "127.0.0.1"
	defaultPort      = 7233
	defaultUIPort    = 8233
	defaultNamespace = "default"

	// dbFileName is the SQLite file inside Config.DataDir.
	dbFileName = "temporal.db"
	// visibilityFileName holds the visibility store (the workflow lists and their search
	// attributes), in a file and over a connection of its own.
	visibilityFileName = "visibility.db"

	clusterName      = "active"
	defaultRetention = 7 * 24 * time.Hour
	// maxRetentionJitter is Temporal's default spread of the deletion timers of closed workflows
	// (history.retentionTimerJitterDuration); a shorter retention gets a tenth of itself.
	maxRetentionJitter = 30 * time.Minute

	// readyTimeout caps how long Start waits for the frontend (and UI) to answer
	// when the caller's context has no earlier deadline.
	readyTimeout = 60 * time.Second
)

// Config says where and how to run the embedded server. Zero values get defaults.
type Config struct {
	// DataDir is the directory holding the SQLite file (created if missing).
	// Default ".data/temporal", relative to the working directory.
	DataDir string
	// Host is the address every listener binds to. It must be a loopback
	// address; default "127.0.0.1" ("localhost" means 127.0.0.1).
	Host string
	// Port is the frontend gRPC port, default 7233. The history, matching and
	// worker services use Port+1, Port+2 and Port+3, or any free port when one
	// of those is taken.
	Port int
	// UIPort is the Temporal Web UI HTTP port, default 8233; -1 disables the UI.
	UIPort int
	// Namespace is created on first boot (with Retention); default "default".
	Namespace string
	// Retention is how long closed workflows are kept, set when the namespace is created (a
	// data directory's first boot); default 7 days. Temporal deletes a closed workflow at its
	// close time plus Retention plus a random delay of up to min(30 min, Retention/10).
	Retention time.Duration
	// SearchAttributes are custom search attributes registered in Namespace on
	// every boot; ones that already exist with the same type are left alone.
	// SQLite visibility offers a fixed number of slots per type (for example
	// 10 Keyword, 3 Int).
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives the server's logs at warn level and above (the server is
	// chatty below that). Nil discards them.
	Logger *slog.Logger
}

// inUse holds the SQLite files of the servers running in this process. The
// server's SQLite plugin shares one connection per file within a process (and
// never closes it), so the file lock cannot stop a second server here.
var inUse = struct {
	sync.Mutex
	paths map[string]bool
}{paths: map[string]bool{}}

// Server is a running embedded Temporal server (+ UI).
type Server struct {
	cfg          Config
	dbPath       string
	frontendAddr string
	uiAddr       string

	server   temporal.Server
	logLevel *slog.LevelVar
	ui       *uiserver.Server
	uiDone   chan error

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server (and the UI unless disabled) and returns once the
// frontend answers: the namespace is usable and the search attributes are
// registered. ctx bounds that wait; it does not stop the server later (use Stop).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}

	// Ports first: a busy port should be a clear error, not a server that
	// half starts (or, for the UI server, exits the process). The probes stay
	// bound until just before the server starts, so that the free ports
	// picked for the internal services cannot collide with them.
	var ports portReservation
	defer ports.release()
	frontendAddr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if err := ports.reserve(frontendAddr); err != nil {
		return nil, fmt.Errorf("devtemporal: frontend port: %w", err)
	}
	var uiAddr string
	if cfg.UIPort > 0 {
		uiAddr = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.UIPort))
		if err := ports.reserve(uiAddr); err != nil {
			return nil, fmt.Errorf("devtemporal: UI port: %w", err)
		}
	}
	var internalPorts [3]int // history, matching, worker
	for i := range internalPorts {
		p, err := ports.reserveNear(cfg.Host, cfg.Port+1+i)
		if err != nil {
			return nil, fmt.Errorf("devtemporal: finding a free port: %w", err)
		}
		internalPorts[i] = p
	}

	dbPath, err := filepath.Abs(filepath.Join(cfg.DataDir, dbFileName))
	if err != nil {
		return nil, fmt.Errorf("devtemporal: data dir: %w", err)
	}
	inUse.Lock()
	if inUse.paths[dbPath] {
		inUse.Unlock()
		return nil, fmt.Errorf("devtemporal: %s is already used by a server running in this process", dbPath)
	}
	inUse.paths[dbPath] = true
	inUse.Unlock()
	started := false
	defer func() {
		if !started {
			releasePath(dbPath)
		}
	}()

	_, statErr := os.Stat(dbPath)
	existed := statErr == nil
	sqlCfg, err := prepareDatabase(cfg, dbPath)
	if err != nil {
		return nil, err
	}
	visCfg, err := prepareVisibility(sqlCfg, filepath.Join(filepath.Dir(dbPath), visibilityFileName), existed)
	if err != nil {
		return nil, err
	}
	if err := trimVisibilityIndexes(visCfg); err != nil {
		return nil, err
	}

	logLevel := new(slog.LevelVar)
	logLevel.Set(slog.LevelWarn)
	logger := newServerLogger(cfg.Logger, logLevel)
	srvCfg := buildServerConfig(cfg, sqlCfg, visCfg, internalPorts)
	authorizer, err := authorization.GetAuthorizerFromConfig(&srvCfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&srvCfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: claim mapper: %w", err)
	}
	hosts := make(map[primitives.ServiceName]static.Hosts, len(srvCfg.Services))
	for name, svc := range srvCfg.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(
			net.JoinHostPort(cfg.Host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	// The server binds its ports while it is built: free them now.
	ports.release()
	srv, err := newServer(
		temporal.WithConfig(srvCfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig(cfg.Retention)),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
	)
	if err != nil {
		return nil, err
	}

	s := &Server{cfg: cfg, dbPath: dbPath, frontendAddr: frontendAddr, server: srv, logLevel: logLevel}
	if uiAddr != "" {
		s.uiAddr = "http://" + uiAddr
		s.startUI()
	}

	readyCtx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := s.waitReady(readyCtx); err != nil {
		_ = s.stop()
		return nil, err
	}
	started = true
	return s, nil
}

// newServer builds and starts the Temporal server. A Fatal logged by the
// server while doing so (see fatalError) comes back as an error.
func newServer(opts ...temporal.ServerOption) (srv temporal.Server, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		fe, ok := r.(fatalError)
		if !ok {
			panic(r)
		}
		if srv != nil {
			stopQuietly(srv)
		}
		srv, err = nil, fmt.Errorf("devtemporal: starting server: %w", fe)
	}()
	srv, err = temporal.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: creating server: %w", err)
	}
	if err := srv.Start(); err != nil {
		stopQuietly(srv) // some services may have started before one failed
		return nil, fmt.Errorf("devtemporal: starting server: %w", err)
	}
	return srv, nil
}

// stopQuietly stops a server that failed to start, ignoring a second fatal.
func stopQuietly(srv temporal.Server) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalError); !ok {
				panic(r)
			}
		}
	}()
	_ = srv.Stop()
}

func releasePath(p string) {
	inUse.Lock()
	delete(inUse.paths, p)
	inUse.Unlock()
}

// FrontendAddress is the frontend gRPC host:port, e.g. "127.0.0.1:7233".
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIAddress is the Web UI base URL, e.g. "http://127.0.0.1:8233", or "" when
// the UI is disabled.
func (s *Server) UIAddress() string { return s.uiAddr }

// Stop shuts down the UI and then the server. Workflows left running resume
// on the next Start with the same DataDir. Calling Stop again is a no-op.
func (s *Server) Stop() error {
	err := s.stop()
	releasePath(s.dbPath)
	return err
}

func (s *Server) stop() error {
	s.stopOnce.Do(func() {
		// Services stopping one by one log warnings about each other
		// (refused dials, failed polls): only errors matter from here.
		s.logLevel.Set(slog.LevelError)
		var errs []error
		if s.ui != nil {
			s.ui.Stop()
			select {
			case err := <-s.uiDone:
				if err != nil {
					errs = append(errs, fmt.Errorf("devtemporal: UI server: %w", err))
				}
			case <-time.After(10 * time.Second):
				errs = append(errs, errors.New("devtemporal: UI server did not stop within 10s"))
			}
		}
		if err := s.server.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("devtemporal: stopping server: %w", err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

func (c Config) withDefaults() (Config, error) {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir
	}
	switch c.Host {
	case "":
		c.Host = defaultHost
	case "localhost":
		c.Host = "127.0.0.1"
	}
	if ip := net.ParseIP(c.Host); ip == nil || !ip.IsLoopback() {
		return c, fmt.Errorf("devtemporal: host %q is not a loopback address: the dev server has no authentication", c.Host)
	}
	if c.Port == 0 {
		c.Port = defaultPort
	}
	if c.Port < 0 || c.Port > 65535 {
		return c, fmt.Errorf("devtemporal: invalid frontend port %d", c.Port)
	}
	if c.UIPort == 0 {
		c.UIPort = defaultUIPort
	}
	if c.UIPort < -1 || c.UIPort > 65535 {
		return c, fmt.Errorf("devtemporal: invalid UI port %d (use -1 to disable the UI)", c.UIPort)
	}
	if c.UIPort == c.Port {
		return c, fmt.Errorf("devtemporal: UI port and frontend port are both %d", c.Port)
	}
	if c.Namespace == "" {
		c.Namespace = defaultNamespace
	}
	if c.Retention == 0 {
		c.Retention = defaultRetention
	}
	if c.Retention < 0 {
		return c, fmt.Errorf("devtemporal: negative retention %s", c.Retention)
	}
	for name, typ := range c.SearchAttributes {
		if name == "" || typ == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return c, fmt.Errorf("devtemporal: search attribute %q needs a name and a type", name)
		}
	}
	return c, nil
}

// portReservation holds listeners on the ports chosen for the server.
type portReservation []net.Listener

// reserve binds addr, with a clear error when it is taken.
func (r *portReservation) reserve(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s is not available (already in use? another Temporal dev server?): %w", addr, err)
	}
	*r = append(*r, l)
	return nil
}

// reserveNear binds host:port if it is free, otherwise any free port on host,
// and returns the port.
func (r *portReservation) reserveNear(host string, port int) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if l, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return 0, err
		}
	}
	*r = append(*r, l)
	return l.Addr().(*net.TCPAddr).Port, nil
}

// release frees the ports for the server to bind; it may be called twice.
func (r *portReservation) release() {
	for _, l := range *r {
		_ = l.Close()
	}
	*r = nil
}

// prepareDatabase creates DataDir, the schema (when the SQLite file is new)
// and the namespace (when missing), and returns the SQL store config.
func prepareDatabase(cfg Config, dbPath string) (*config.SQL, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("devtemporal: creating data dir: %w", err)
	}
	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: sqliteFileName(dbPath),
		// Keys other than URI parameters (mode, cache, ...) become pragmas.
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			// A 64 MiB page cache (the default is 2 MiB) keeps the visibility table's indexes
			// in memory, and checkpointing every 10 000 pages instead of 1 000 writes a page
			// changed many times once.
			"cache_size":         "-65536",
			"wal_autocheckpoint": "10000",
			// One process owns the file: a second dev server on the same
			// DataDir fails at once instead of fighting over the shard.
			"locking_mode": "exclusive",
		},
		// More than one connection gives "database is locked" errors.
		MaxConns:     1,
		MaxIdleConns: 1,
	}

	_, statErr := os.Stat(dbPath)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			return nil, fmt.Errorf("devtemporal: creating schema in %s (remove the file to start over): %w", dbPath, err)
		}
	case statErr != nil:
		return nil, fmt.Errorf("devtemporal: %w", statErr)
	}

	ns, err := sqliteschema.NewNamespaceConfig(clusterName, cfg.Namespace, false, cfg.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: namespace %q: %w", cfg.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(cfg.Retention)
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") {
			// The file is opened with locking_mode=exclusive.
			return nil, fmt.Errorf("devtemporal: %s is in use by another process (another dev server on this data dir?): %w",
				dbPath, err)
		}
		return nil, fmt.Errorf("devtemporal: creating namespace %q in %s: %w", cfg.Namespace, dbPath, err)
	}
	return sqlCfg, nil
}

// prepareVisibility returns the visibility store's config: a file of its own at visPath, so that
// its writes (which Temporal makes in batches, see dynamicConfig) do not queue workflow starts and
// task completions behind them on the one SQLite connection of the main file. A data directory
// whose main file predates this (mainExisted, and no visibility file) keeps its visibility in the
// main file, where its workflows are listed.
func prepareVisibility(sqlCfg *config.SQL, visPath string, mainExisted bool) (*config.SQL, error) {
	_, statErr := os.Stat(visPath)
	switch {
	case statErr == nil:
		// opened below
	case !errors.Is(statErr, os.ErrNotExist):
		return nil, fmt.Errorf("devtemporal: %w", statErr)
	case mainExisted:
		return sqlCfg, nil
	}
	visCfg := *sqlCfg // the same pragmas; the plugin only reads them
	visCfg.DatabaseName = sqliteFileName(visPath)
	if errors.Is(statErr, os.ErrNotExist) {
		// The plugin creates one schema for both stores; the execution tables stay empty here.
		if err := sqliteschema.SetupSchema(&visCfg); err != nil {
			return nil, fmt.Errorf("devtemporal: creating schema in %s (remove the file to start over): %w", visPath, err)
		}
	}
	return &visCfg, nil
}

// sqliteFileName escapes a path for the plugin, which builds "file:<DatabaseName>?...".
func sqliteFileName(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

func buildServerConfig(cfg Config, sqlCfg, visCfg *config.SQL, internalPorts [3]int) *config.Config {
	const store, visibilityStore = "sqlite-default", "sqlite-visibility"
	frontendAddr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: cfg.Host}}
	}

	var c config.Config
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = cfg.Host
	c.Persistence = config.Persistence{
		DefaultStore:     store,
		VisibilityStore:  visibilityStore,
		NumHistoryShards: 1, // fixed once the database exists
		DataStores:       map[string]config.DataStore{store: {SQL: sqlCfg}, visibilityStore: {SQL: visCfg}},
	}
	c.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
			},
		},
	}
	c.DCRedirectionPolicy.Policy = "noop"
	c.Services = map[string]config.Service{
		string(primitives.FrontendService): service(cfg.Port),
		string(primitives.HistoryService):  service(internalPorts[0]),
		string(primitives.MatchingService): service(internalPorts[1]),
		string(primitives.WorkerService):   service(internalPorts[2]),
	}
	c.Archival.History.State = "disabled"
	c.Archival.Visibility.State = "disabled"
	c.NamespaceDefaults.Archival.History.State = "disabled"
	c.NamespaceDefaults.Archival.Visibility.State = "disabled"
	c.PublicClient.HostPort = frontendAddr
	return &c
}

// dynamicConfig holds the values measured as best for one machine with one
// SQLite connection (see shared/reference/temporal-notes.md).
func dynamicConfig(retention time.Duration) dynamicconfig.StaticClient {
	const high = 100000
	return dynamicconfig.StaticClient{
		dynamicconfig.RetentionTimerJitterDuration.Key():       min(maxRetentionJitter, retention/10),
		dynamicconfig.FrontendPersistenceMaxQPS.Key():          10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():           45000,
		dynamicconfig.MatchingPersistenceMaxQPS.Key():          high,
		dynamicconfig.FrontendRPS.Key():                        high,
		dynamicconfig.FrontendMaxNamespaceRPSPerInstance.Key(): high,
		dynamicconfig.HistoryRPS.Key():                         high,
		dynamicconfig.MatchingRPS.Key():                        high,
		// One partition: with the default 4 a task sometimes sat ~60 s in
		// matching before a poller got it.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The visibility queue is read once a second (default 20/s): a workflow that closes
		// before its start is read, as a payment usually does, gets only its close record
		// written (the start task finds it closed and skips). Lists show new runs up to a second
		// late.
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(): 1,
		dynamicconfig.VisibilityTaskBatchSize.Key():       1000,
		// The Web UI polls visibility; the default of 10/s is easily hit.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
}

// startUI runs the Web UI server in the background (its Start blocks).
func (s *Server) startUI() {
	host := s.cfg.Host
	if strings.Contains(host, ":") { // IPv6: the UI server joins host and port with a colon
		host = "[" + host + "]"
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                s.cfg.UIPort,
		TemporalGRPCAddress: s.frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    s.cfg.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true, // no banner or access log on stdout
		DisableNewsFetch:    true, // no outbound requests
	}))
	s.uiDone = make(chan error, 1)
	go func() { s.uiDone <- s.ui.Start() }()
}

// waitReady polls until the namespace answers, registers the search
// attributes, and waits for the UI to answer.
func (s *Server) waitReady(ctx context.Context) error {
	conn, err := grpc.NewClient(s.frontendAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("devtemporal: dialing frontend: %w", err)
	}
	defer func() { _ = conn.Close() }()
	wf := workflowservice.NewWorkflowServiceClient(conn)
	op := operatorservice.NewOperatorServiceClient(conn)

	if err := poll(ctx, "namespace "+s.cfg.Namespace, func(ctx context.Context) error {
		_, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.cfg.Namespace})
		return err
	}); err != nil {
		return err
	}
	if err := s.registerSearchAttributes(ctx, wf, op); err != nil {
		return err
	}
	if s.ui != nil {
		client := &http.Client{Timeout: 2 * time.Second}
		if err := poll(ctx, "web UI", func(ctx context.Context) error {
			select {
			case err := <-s.uiDone:
				s.uiDone <- err // keep it for Stop
				return fmt.Errorf("UI server exited: %v", err)
			default:
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.uiAddr+"/healthz", nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %s", resp.Status)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// registerSearchAttributes adds the configured search attributes that the
// namespace lacks. An existing one with another type is an error.
func (s *Server) registerSearchAttributes(ctx context.Context, wf workflowservice.WorkflowServiceClient, op operatorservice.OperatorServiceClient) error {
	if len(s.cfg.SearchAttributes) == 0 {
		return nil
	}
	var existing *operatorservice.ListSearchAttributesResponse
	if err := poll(ctx, "search attributes", func(ctx context.Context) error {
		var err error
		existing, err = op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.cfg.Namespace})
		return err
	}); err != nil {
		return err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, want := range s.cfg.SearchAttributes {
		have, ok := existing.GetCustomAttributes()[name]
		if !ok {
			have, ok = existing.GetSystemAttributes()[name]
		}
		switch {
		case !ok:
			missing[name] = want
		case have != want:
			return fmt.Errorf("devtemporal: search attribute %q exists as %s, config asks for %s (use another name, or remove the data dir)",
				name, have, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        s.cfg.Namespace,
		SearchAttributes: missing,
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("devtemporal: adding search attributes: %w", err)
	}
	// The frontend sees new aliases after its namespace cache refreshes (2 s):
	// wait until a visibility query that uses every new one is accepted.
	var clauses []string
	for name, typ := range missing {
		clauses = append(clauses, fmt.Sprintf("`%s` = %s", name, zeroLiteral(typ)))
	}
	query := strings.Join(clauses, " AND ")
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return poll(ctx, "search attributes in query "+query, func(ctx context.Context) error {
		_, err := wf.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: s.cfg.Namespace,
			Query:     query,
		})
		return err
	})
}

// zeroLiteral is a visibility-query literal of the given type.
func zeroLiteral(t enumspb.IndexedValueType) string {
	switch t {
	case enumspb.INDEXED_VALUE_TYPE_INT, enumspb.INDEXED_VALUE_TYPE_DOUBLE:
		return "0"
	case enumspb.INDEXED_VALUE_TYPE_BOOL:
		return "false"
	case enumspb.INDEXED_VALUE_TYPE_DATETIME:
		return "'2000-01-01T00:00:00Z'"
	default:
		return "''"
	}
}

// poll calls f until it succeeds or ctx ends, with a short per-call timeout.
func poll(ctx context.Context, what string, f func(context.Context) error) error {
	delay := 20 * time.Millisecond
	for {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := f(callCtx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devtemporal: waiting for %s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}
