// Package pgtest gives each test its own PostgreSQL database.
//
// A test binary starts one throwaway cluster (pglocal, Ephemeral) in
// TestMain, builds a template database once with a setup function (for
// example, the migrations), and each test then gets a fresh copy of the
// template, dropped when the test ends. Copying a small template takes tens
// of milliseconds, so tests stay isolated and fast, and can run in parallel.
//
//	var pg = pgtest.New(func(ctx context.Context, url string) error {
//		return migrations.Up(ctx, url)
//	})
//
//	func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }
//
//	func TestCapture(t *testing.T) {
//		t.Parallel()
//		url := pg.NewDatabase(t)
//		...
//	}
//
// The PostgreSQL binaries must be installed (apt-get install -y postgresql);
// without them Run fails the test binary with a message saying so.
//
// Clusters live under /dev/shm/pglocal-test-<uid>/<pid>-* when /dev/shm is a
// tmpfs with room to spare (copying a database there took ~15 ms, against
// ~250 ms on a busy disk even with fsync off), else under $TMPDIR. A test
// binary that dies without stopping its cluster (a -timeout panic, SIGKILL)
// leaves it running; the next Start of any test binary stops and removes it.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/pglocal"
)

// TemplateName is the database setup runs against and tests are cloned from.
const TemplateName = "pgtest_template"

// SetupFunc prepares the template database at url (migrations, fixtures).
// It must close its connections before returning; any left open are
// terminated.
type SetupFunc func(ctx context.Context, url string) error

// Server is a test binary's cluster and template database.
// Its methods are safe for concurrent use.
type Server struct {
	setup SetupFunc

	mu        sync.Mutex
	cluster   *pglocal.Cluster
	runDir    string
	dropForce bool // DROP DATABASE ... WITH (FORCE) is supported (PostgreSQL 13+)
	seq       atomic.Int64
}

// New returns a Server that builds its template with setup (nil: an empty
// template). Nothing starts before Run or Start.
func New(setup SetupFunc) *Server {
	return &Server{setup: setup}
}

// Run is for TestMain: it starts the server, runs the tests, stops the
// server and returns the exit code for os.Exit. When the server cannot
// start, it prints why and returns 1 without running any test.
// An interrupt (SIGINT, SIGTERM) stops the server before exiting.
func (s *Server) Run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	err := s.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: cannot start PostgreSQL for the tests: %v\n", err)
		return 1
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if sig, ok := <-sigs; ok {
			fmt.Fprintf(os.Stderr, "pgtest: %v: stopping PostgreSQL\n", sig)
			s.Stop()
			os.Exit(1)
		}
	}()

	code := m.Run()

	signal.Stop(sigs)
	close(sigs)
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Start starts an ephemeral cluster in a new temporary directory and builds
// the template database. Starting a started Server is a no-op.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cluster != nil {
		return nil
	}
	if _, err := pglocal.FindBinaries(); err != nil {
		return err
	}

	bases := baseDirs()
	for _, base := range bases {
		sweep(base)
	}
	runDir, err := newRunDir(bases[0])
	if err != nil {
		return err
	}
	cluster := &pglocal.Cluster{
		Dir:       filepath.Join(runDir, "data"),
		Ephemeral: true,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	fail := func(err error) error {
		cluster.Stop()
		os.RemoveAll(runDir)
		return err
	}
	if err := cluster.Start(ctx); err != nil {
		return fail(err)
	}
	if err := cluster.EnsureDatabase(ctx, TemplateName); err != nil {
		return fail(err)
	}
	if s.setup != nil {
		if err := s.setup(ctx, cluster.URL(TemplateName)); err != nil {
			return fail(fmt.Errorf("pgtest: set up template database: %w", err))
		}
	}
	dropForce, err := sealTemplate(ctx, cluster)
	if err != nil {
		return fail(err)
	}
	s.cluster, s.runDir, s.dropForce = cluster, runDir, dropForce
	return nil
}

// Stop stops the cluster and removes its directory.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cluster == nil {
		return nil
	}
	err := s.cluster.Stop()
	if err == nil {
		err = os.RemoveAll(s.runDir)
	}
	s.cluster, s.runDir = nil, ""
	return err
}

// Cluster returns the running cluster, or nil before Start.
func (s *Server) Cluster() *pglocal.Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cluster
}

// NewDatabase creates a database for the test t, cloned from the template,
// and returns its URL. The database is dropped when t ends; connections
// still open then are terminated.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	cluster, dropForce := s.cluster, s.dropForce
	s.mu.Unlock()
	if cluster == nil {
		t.Fatal("pgtest: server not started; call os.Exit(srv.Run(m)) in TestMain")
	}

	name := databaseName(s.seq.Add(1), t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cluster.CloneDatabase(ctx, name, TemplateName); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, cluster, name, dropForce); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return cluster.URL(name)
}

// databaseName makes a database name unique in the cluster that still tells
// which test it belongs to: t<seq>_<test name>, at most 63 bytes.
func databaseName(seq int64, testName string) string {
	var b strings.Builder
	b.WriteString("t" + strconv.FormatInt(seq, 10) + "_")
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()[:min(b.Len(), 63)]
}

// sealTemplate closes the sessions setup left open and forbids new ones, so
// that the template can be copied. It reports whether the server supports
// DROP DATABASE ... WITH (FORCE).
func sealTemplate(ctx context.Context, cluster *pglocal.Cluster) (dropForce bool, err error) {
	conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		return false, fmt.Errorf("pgtest: connect: %w", err)
	}
	defer conn.Close(context.Background())

	template := pgx.Identifier{TemplateName}.Sanitize()
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+template+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return false, fmt.Errorf("pgtest: seal template: %w", err)
	}
	_, err = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", TemplateName)
	if err != nil {
		return false, fmt.Errorf("pgtest: seal template: %w", err)
	}
	var major int
	fmt.Sscanf(conn.PgConn().ParameterStatus("server_version"), "%d", &major)
	return major >= 13, nil
}

func dropDatabase(ctx context.Context, cluster *pglocal.Cluster, name string, force bool) error {
	conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to drop database %q: %w", name, err)
	}
	defer conn.Close(context.Background())

	sql := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize()
	if force {
		sql += " WITH (FORCE)"
	} else {
		_, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
		if err != nil {
			return fmt.Errorf("drop database %q: %w", name, err)
		}
	}
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("drop database %q: %w", name, err)
	}
	return nil
}

// baseDirs returns where test clusters live, the one to use first: one
// directory per user (so that sweep only meets clusters it may stop), in RAM
// when possible.
func baseDirs() []string {
	name := "pglocal-test-" + strconv.Itoa(os.Getuid())
	onDisk := filepath.Join(os.TempDir(), name)
	const shm = "/dev/shm"
	if !roomyTmpfs(shm) {
		return []string{onDisk}
	}
	return []string{filepath.Join(shm, name), onDisk}
}

// roomyTmpfs reports whether dir is a writable tmpfs with 1 GiB free: a
// cluster takes ~40 MB plus up to ~160 MB of WAL plus the tests' databases.
// (Docker gives containers a 64 MB /dev/shm by default.)
func roomyTmpfs(dir string) bool {
	const tmpfsMagic = 0x01021994
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || int64(st.Type) != tmpfsMagic {
		return false
	}
	if uint64(st.Bavail)*uint64(st.Bsize) < 1<<30 {
		return false
	}
	return syscall.Access(dir, 0o2 /* W_OK */) == nil
}

// newRunDir creates <base>/<pid>-<random>, reachable by the postgres user
// (os.MkdirTemp makes 0700 directories; the data directory inside is 0700).
func newRunDir(base string) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	fi, err := os.Lstat(base)
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !fi.IsDir() || (ok && int(st.Uid) != os.Getuid()) {
		return "", fmt.Errorf("pgtest: %s is not a directory owned by the current user; remove it", base)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	dir, err := os.MkdirTemp(base, strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("pgtest: %w", err)
	}
	return dir, nil
}

// sweep stops and removes the clusters of test binaries that are gone.
func sweep(base string) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		pidText, _, ok := strings.Cut(e.Name(), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		stale := &pglocal.Cluster{Dir: filepath.Join(dir, "data")}
		if err := stale.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: clean up %s: %v\n", dir, err)
			continue
		}
		if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "pgtest: clean up %s: %v\n", dir, err)
		}
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
