// Package pglocal runs a PostgreSQL cluster from the system's binaries
// (initdb, pg_ctl), for local development and for test suites.
//
// A Cluster lives in one directory. Start creates it with initdb when the
// directory is missing, then starts the server with pg_ctl, listening on
// 127.0.0.1 only and with its Unix socket in a directory the cluster owns.
// Authentication is "trust" for the superuser postgres, so the cluster must
// never listen anywhere but loopback.
//
// PostgreSQL refuses to run as root. When the calling process is root, the
// data directory is owned by the postgres system user and the binaries run
// through "runuser -u postgres --"; otherwise they run directly, as the
// calling user.
//
// For test binaries, see the pgtest subpackage.
package pglocal

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// debianRoot holds Debian's and Ubuntu's PostgreSQL versions (a variable for tests).
var debianRoot = "/usr/lib/postgresql"

// Files the cluster keeps inside its data directory, next to PostgreSQL's own.
const (
	logName    = "pglocal.log"    // server log (pg_ctl -l)
	socketName = "pglocal-socket" // Unix socket directory (-k)

	maxLogSize = 16 << 20 // rotate the log to pglocal.log.1 on Start beyond this size
	superuser  = "postgres"
)

// Cluster is a PostgreSQL cluster in a directory, run with the system's binaries.
//
// The zero value of the optional fields works; set the fields before Start
// and do not change them afterwards. The methods are safe for concurrent use.
type Cluster struct {
	Dir       string       // data directory (created by initdb when missing)
	Port      int          // TCP port on 127.0.0.1; 0 = pick a free port (for tests)
	Ephemeral bool         // fsync, synchronous_commit, full_page_writes off, little WAL: for throwaway test clusters only
	Logger    *slog.Logger // optional

	mu      sync.Mutex
	env     *runEnv // binaries and the user they run as, set on first use
	dir     string  // Dir, absolute with symlinks resolved
	port    int     // port the running server listens on
	sockDir string  // Unix socket directory in use
	tmpSock bool    // sockDir is a temporary directory, removed by Stop
	started bool
}

// running maps the data directories started by this process to their Cluster,
// so that two Cluster values never fight over one directory.
var running sync.Map // string -> *Cluster

// Start makes sure the cluster is running: it runs initdb when Dir holds no
// cluster yet and starts the server with pg_ctl, waiting until it accepts
// connections. Calling Start on a cluster this process already started is a
// no-op. A server left behind by an earlier run that crashed (a live server,
// or a stale postmaster.pid) is stopped or cleaned up before starting.
func (c *Cluster) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.started {
		if c.serverPID() > 0 {
			return nil
		}
		c.logger().Warn("postgres server stopped behind our back; starting it again", "dir", c.dir)
		c.forget()
	}

	if err := c.setup(); err != nil {
		return err
	}
	if other, loaded := running.LoadOrStore(c.dir, c); loaded && other != c {
		return errOtherCluster(c.dir)
	}
	err := c.prepareDir(ctx)
	if err == nil {
		err = c.start(ctx)
	}
	if err != nil {
		running.CompareAndDelete(c.dir, c)
		c.removeTmpSock()
		return err
	}
	c.started = true
	return nil
}

func errOtherCluster(dir string) error {
	return fmt.Errorf("pglocal: %s is already used by another Cluster in this process", dir)
}

// Stop stops the server with "pg_ctl stop -m fast" and waits for it to exit.
// It is a no-op when no server runs in Dir. It also stops a server that
// another process left running in Dir.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()

	if err := c.setup(); err != nil {
		return err
	}
	if other, ok := running.Load(c.dir); ok && other != c {
		return errOtherCluster(c.dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.stopServer(ctx); err != nil {
		return err
	}
	if c.started {
		c.forget()
	}
	return nil
}

// URL returns the connection URL of database on this cluster, as the
// superuser postgres over TCP:
// postgres://postgres@127.0.0.1:PORT/DATABASE?sslmode=disable.
// The port is known once Start succeeded (or when Port is set).
func (c *Cluster) URL(database string) string {
	c.mu.Lock()
	port := cmp.Or(c.port, c.Port)
	c.mu.Unlock()
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// EnsureDatabase creates the database name unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := c.adminConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("pglocal: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42P04" {
		return nil // duplicate_database: created concurrently
	}
	if err != nil {
		return fmt.Errorf("pglocal: create database %q: %w", name, err)
	}
	return nil
}

// CloneDatabase creates the database name as a copy of template
// (CREATE DATABASE name TEMPLATE template). No session may be connected to
// template while it is copied.
func (c *Cluster) CloneDatabase(ctx context.Context, name, template string) error {
	conn, err := c.adminConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
	if err != nil {
		return fmt.Errorf("pglocal: create database %q from template %q: %w", name, template, err)
	}
	return nil
}

// FindBinaries returns the directory holding PostgreSQL's initdb and pg_ctl:
// $PG_BIN when set, else the highest /usr/lib/postgresql/<version>/bin
// (Debian, Ubuntu), else the directory of pg_ctl on $PATH.
func FindBinaries() (dir string, err error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		if err := hasBinaries(dir); err != nil {
			return "", fmt.Errorf("pglocal: PG_BIN=%s: %w; set PG_BIN to the directory of PostgreSQL's "+
				"initdb and pg_ctl, or unset it (install them with `apt-get install -y postgresql`)", dir, err)
		}
		return dir, nil
	}

	entries, _ := os.ReadDir(debianRoot)
	var versions [][]int
	for _, e := range entries {
		if v, ok := parseVersion(e.Name()); ok {
			versions = append(versions, v)
		}
	}
	slices.SortFunc(versions, func(a, b []int) int { return slices.Compare(b, a) })
	for _, v := range versions {
		dir := filepath.Join(debianRoot, formatVersion(v), "bin")
		if hasBinaries(dir) == nil {
			return dir, nil
		}
	}

	if path, err := exec.LookPath("pg_ctl"); err == nil {
		dir := filepath.Dir(path)
		if hasBinaries(dir) == nil {
			return dir, nil
		}
	}
	return "", errors.New("pglocal: PostgreSQL server binaries (initdb, pg_ctl) not found in $PG_BIN, " +
		debianRoot + "/<version>/bin or $PATH; install them with `apt-get install -y postgresql` " +
		"(or set PG_BIN to the directory holding them)")
}

func hasBinaries(dir string) error {
	for _, name := range []string{"initdb", "pg_ctl"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("no %s in %s", name, dir)
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("%s in %s is not executable", name, dir)
		}
	}
	return nil
}

func parseVersion(s string) ([]int, bool) {
	var v []int
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		v = append(v, n)
	}
	return v, true
}

func formatVersion(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// runEnv says where the binaries are and as whom they run.
type runEnv struct {
	bin     string
	runuser string // path of runuser when the process is root, else ""
	uid     int    // uid the server runs as (postgres when root)
	gid     int
	groups  []int // supplementary groups of uid, for the traversal check
}

// setup finds the binaries and the user to run them as, and resolves Dir.
// c.mu must be held.
func (c *Cluster) setup() error {
	if c.Dir == "" {
		return errors.New("pglocal: Cluster.Dir is empty")
	}
	if c.env == nil {
		env, err := newRunEnv()
		if err != nil {
			return err
		}
		c.env = env
	}
	if c.dir == "" {
		abs, err := filepath.Abs(c.Dir)
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		c.dir = resolvePath(abs)
	}
	return nil
}

func newRunEnv() (*runEnv, error) {
	bin, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	env := &runEnv{bin: bin, uid: os.Getuid(), gid: os.Getgid()}
	if os.Geteuid() != 0 {
		return env, nil
	}

	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, fmt.Errorf("pglocal: running as root needs the %q system user to run PostgreSQL "+
			"(apt-get install -y postgresql creates it): %w", superuser, err)
	}
	env.uid, _ = strconv.Atoi(u.Uid)
	env.gid, _ = strconv.Atoi(u.Gid)
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.Atoi(id); err == nil {
				env.groups = append(env.groups, n)
			}
		}
	}
	env.runuser, err = exec.LookPath("runuser")
	if err != nil {
		for _, p := range []string{"/usr/sbin/runuser", "/sbin/runuser"} {
			if _, statErr := os.Stat(p); statErr == nil {
				env.runuser, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return nil, errors.New("pglocal: running as root needs runuser (util-linux) to run PostgreSQL as " + superuser)
	}
	return env, nil
}

// resolvePath resolves the symlinks of the longest existing prefix of path.
func resolvePath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	parent := filepath.Dir(path)
	if parent == path {
		return path
	}
	return filepath.Join(resolvePath(parent), filepath.Base(path))
}

func (c *Cluster) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// command runs a PostgreSQL binary, as postgres when the process is root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.env.bin, name)
	var cmd *exec.Cmd
	if c.env.runuser != "" {
		cmd = exec.CommandContext(ctx, c.env.runuser, append([]string{"-u", superuser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/" // the caller's directory may not be readable by postgres
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// runuser passes SIGTERM on to its child; SIGKILL would orphan it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs a PostgreSQL binary; the error carries its trimmed stderr.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := c.command(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return nil
	}
	msg := strings.TrimSpace(stderr.String())
	if msg == "" {
		msg = strings.TrimSpace(stdout.String())
	}
	if msg != "" {
		return fmt.Errorf("%s: %w: %s", name, err, msg)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// prepareDir creates the data directory with the right owner and runs initdb
// when it holds no cluster yet.
func (c *Cluster) prepareDir(ctx context.Context) error {
	parent := filepath.Dir(c.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if err := c.checkTraversable(parent); err != nil {
		return err
	}

	fi, err := os.Stat(c.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(c.dir, 0o700); err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		if err := c.chown(c.dir); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("pglocal: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("pglocal: %s is not a directory", c.dir)
	}

	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); err == nil {
		return c.checkOwner(c.dir)
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("pglocal: %s is neither empty nor a PostgreSQL data directory (no PG_VERSION)", c.dir)
	}
	if err := c.chown(c.dir); err != nil {
		return err
	}

	args := []string{"-D", c.dir, "-A", "trust", "-U", superuser, "-E", "UTF8", "--locale=C"}
	if c.Ephemeral {
		args = append(args, "--no-sync")
	}
	began := time.Now()
	if err := c.run(ctx, "initdb", args...); err != nil {
		// Leave an empty directory, so that the next Start runs initdb again.
		entries, _ := os.ReadDir(c.dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(c.dir, e.Name()))
		}
		return fmt.Errorf("pglocal: %w", err)
	}
	c.logger().Info("postgres cluster created", "dir", c.dir, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// checkTraversable checks that the server's user can reach dir: every
// directory from / down to dir must grant it search (x) permission.
func (c *Cluster) checkTraversable(dir string) error {
	if c.env.runuser == "" {
		return nil // we run the server ourselves and already reached dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		if !c.canSearch(fi) {
			return fmt.Errorf("pglocal: the %s user cannot reach %s: %s is mode %v, owner uid %d; "+
				"make it traversable (chmod o+x %s) or put the cluster elsewhere",
				superuser, c.dir, d, fi.Mode().Perm(), ownerUID(fi), d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (c *Cluster) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == c.env.uid:
		return perm&0o100 != 0
	case int(st.Gid) == c.env.gid || slices.Contains(c.env.groups, int(st.Gid)):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

func ownerUID(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// chown gives path to the server's user when the process is root.
func (c *Cluster) chown(path string) error {
	if c.env.runuser == "" {
		return nil
	}
	if err := os.Chown(path, c.env.uid, c.env.gid); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	return nil
}

func (c *Cluster) checkOwner(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if uid := ownerUID(fi); uid >= 0 && uid != c.env.uid {
		who := "the current user"
		if c.env.runuser != "" {
			who = superuser
		}
		return fmt.Errorf("pglocal: data directory %s belongs to uid %d, not to %s (uid %d); "+
			"chown -R it or remove it", dir, uid, who, c.env.uid)
	}
	return nil
}

// start starts the server on a prepared data directory. c.mu must be held.
func (c *Cluster) start(ctx context.Context) error {
	if err := c.recoverStale(ctx); err != nil {
		return err
	}
	if err := c.prepareSocketDir(); err != nil {
		return err
	}
	logFile := filepath.Join(c.dir, logName)
	if fi, err := os.Stat(logFile); err == nil && fi.Size() > maxLogSize {
		os.Rename(logFile, logFile+".1")
	}

	for attempt := 1; ; attempt++ {
		port := c.Port
		if port == 0 {
			p, err := freePort()
			if err != nil {
				return err
			}
			port = p
		}
		var logStart int64
		if fi, err := os.Stat(logFile); err == nil {
			logStart = fi.Size()
		}

		opts := []string{
			"-p", strconv.Itoa(port),
			"-k", shellQuote(c.sockDir),
			"-c", "listen_addresses=127.0.0.1",
		}
		if c.Ephemeral {
			opts = append(opts, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
				// Keep little WAL: each copy of a database writes megabytes of it,
				// and a test cluster may live in RAM (tmpfs).
				"-c", "max_wal_size=128MB", "-c", "min_wal_size=32MB")
		}
		began := time.Now()
		err := c.run(ctx, "pg_ctl", "start", "-D", c.dir, "-l", logFile, "-w", "-t", "300", "-s",
			"-o", strings.Join(opts, " "))
		if err == nil {
			c.port = port
			c.logger().Info("postgres started", "dir", c.dir, "port", port, "pid", c.serverPID(),
				"ephemeral", c.Ephemeral, "took", time.Since(began).Round(time.Millisecond))
			return nil
		}

		serverLog := readFrom(logFile, logStart)
		if c.Port == 0 && attempt < 3 && strings.Contains(serverLog, "Address already in use") {
			c.logger().Warn("postgres port taken meanwhile; retrying", "port", port)
			continue
		}
		if serverLog != "" {
			return fmt.Errorf("pglocal: start %s: %w\nserver log:\n%s", c.dir, err, serverLog)
		}
		return fmt.Errorf("pglocal: start %s: %w", c.dir, err)
	}
}

// prepareSocketDir sets c.sockDir: a directory inside the data directory, or
// a temporary one when that path is too long for a Unix socket address.
func (c *Cluster) prepareSocketDir() error {
	c.removeTmpSock()
	dir := filepath.Join(c.dir, socketName)
	// sun_path holds 107 bytes; the socket is named .s.PGSQL.NNNNN.
	if len(dir)+len("/.s.PGSQL.65535") <= 100 && !strings.ContainsAny(dir, `,"`) {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("pglocal: %w", err)
		}
		// No server runs here (see recoverStale): old sockets and lock files are stale.
		stale, _ := filepath.Glob(filepath.Join(dir, ".s.PGSQL.*"))
		for _, f := range stale {
			os.Remove(f)
		}
		c.sockDir, c.tmpSock = dir, false
	} else {
		tmp, err := os.MkdirTemp("", "pglocal-sock-")
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		c.sockDir, c.tmpSock = tmp, true
	}
	return c.chown(c.sockDir)
}

func (c *Cluster) removeTmpSock() {
	if c.tmpSock {
		os.RemoveAll(c.sockDir)
		c.sockDir, c.tmpSock = "", false
	}
}

// forget marks the cluster as not started by this process. c.mu must be held.
func (c *Cluster) forget() {
	c.started = false
	c.port = 0
	running.CompareAndDelete(c.dir, c)
	c.removeTmpSock()
}

// recoverStale handles a postmaster.pid left by an earlier run: a server still
// running is stopped; when the server is gone, its orphaned processes are
// killed and a lock file naming another process is removed (the server would
// refuse to start otherwise). c.mu must be held.
func (c *Cluster) recoverStale(ctx context.Context) error {
	pidFile := filepath.Join(c.dir, "postmaster.pid")
	if _, err := os.Stat(pidFile); err != nil {
		return nil
	}
	if pid := c.serverPID(); pid > 0 {
		c.logger().Warn("a postgres server from an earlier run still holds the data directory; stopping it",
			"dir", c.dir, "pid", pid)
	} else {
		c.logger().Warn("stale postmaster.pid from an earlier run; cleaning up", "dir", c.dir)
	}
	if err := c.stopServer(ctx); err != nil {
		return err
	}
	// PostgreSQL takes any process it can signal for its old self and refuses
	// to start: a recycled PID, or the killed postmaster as a zombie not yet
	// reaped (containers' init may be slow at it). The server and its
	// processes are gone by now, so such a lock is stale.
	if pid := readPID(pidFile); pid > 0 && syscall.Kill(pid, 0) == nil && c.serverPID() == 0 {
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pglocal: remove stale %s: %w", pidFile, err)
		}
	}
	return nil
}

// stopServer stops the server running in c.dir, if any, and kills the
// processes a dead server left behind. c.mu must be held.
func (c *Cluster) stopServer(ctx context.Context) error {
	if pid := c.serverPID(); pid > 0 {
		err := c.run(ctx, "pg_ctl", "stop", "-D", c.dir, "-m", "fast", "-w", "-t", "60", "-s")
		if err != nil && c.serverPID() > 0 {
			c.logger().Warn("fast shutdown failed; trying immediate", "dir", c.dir, "err", err)
			err = c.run(ctx, "pg_ctl", "stop", "-D", c.dir, "-m", "immediate", "-w", "-t", "60", "-s")
		}
		if err != nil && c.serverPID() > 0 {
			return fmt.Errorf("pglocal: stop %s: %w", c.dir, err)
		}
		c.logger().Info("postgres stopped", "dir", c.dir)
		return nil
	}
	return c.killOrphans(ctx)
}

// serverPID returns the PID of the postmaster running in c.dir, or 0.
func (c *Cluster) serverPID() int {
	pid := readPID(filepath.Join(c.dir, "postmaster.pid"))
	if pid <= 0 || !processAlive(pid) {
		return 0
	}
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd != c.dir {
		return 0 // a recycled PID: the postmaster runs in its data directory
	}
	return pid
}

// killOrphans kills the server processes (backends, checkpointer, ...) that
// outlived a killed postmaster: they would keep the old shared memory in use.
// They are recognized by their working directory, the data directory.
func (c *Cluster) killOrphans(ctx context.Context) error {
	find := func() []int {
		var pids []int
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			if cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd"); err == nil && cwd == c.dir {
				pids = append(pids, pid)
			}
		}
		return pids
	}
	pids := find()
	if len(pids) == 0 {
		return nil
	}
	c.logger().Warn("killing processes left by a dead postgres server", "dir", c.dir, "pids", pids)
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for len(pids) > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("pglocal: wait for old server processes %v to exit: %w", pids, ctx.Err())
		case <-deadline:
			return fmt.Errorf("pglocal: old server processes %v in %s did not exit", pids, c.dir)
		case <-tick.C:
			pids = slices.DeleteFunc(pids, func(pid int) bool { return !processAlive(pid) })
		}
	}
	return nil
}

// readPID returns the PID on the first line of a postmaster.pid file, or 0.
func readPID(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0
	}
	return pid
}

// processAlive reports whether pid is a live process this process may signal.
// (A server we run always is: root, or our own user.)
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil {
		return false
	}
	// A zombie is not alive.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func (c *Cluster) adminConn(ctx context.Context) (*pgx.Conn, error) {
	c.mu.Lock()
	started := c.started
	c.mu.Unlock()
	if !started {
		return nil, errors.New("pglocal: cluster not started")
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return nil, fmt.Errorf("pglocal: connect: %w", err)
	}
	return conn, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pglocal: pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// shellQuote quotes s for the shell pg_ctl runs the server with.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readFrom returns the trimmed text of path from offset on, at most its last 4 KiB.
func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > 4096 {
		offset = fi.Size() - 4096
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	data, _ := io.ReadAll(f)
	return strings.TrimSpace(string(data))
}
