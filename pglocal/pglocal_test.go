package pglocal

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// helperDirEnv makes the test binary a stand-in for a program that starts a
// cluster and crashes without stopping it (see TestRecoverServerOfCrashedProcess).
const helperDirEnv = "PGLOCAL_TEST_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		c := &Cluster{Dir: dir, Ephemeral: true}
		if err := c.Start(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(c.URL("postgres"))
		os.Exit(0) // "crash": no Stop
	}
	if _, err := FindBinaries(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// tempDir returns a temporary directory the postgres user can traverse
// (t.TempDir's directories are 0700, which stops it when tests run as root).
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pglocal-unit-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startCluster starts c and stops it when the test ends.
func startCluster(t *testing.T, c *Cluster) {
	t.Helper()
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	began := time.Now()
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func queryString(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(t.Context(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestFindBinaries(t *testing.T) {
	dir, err := FindBinaries()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("binaries in %s", dir)

	t.Setenv("PG_BIN", dir)
	if got, err := FindBinaries(); err != nil || got != dir {
		t.Errorf("with PG_BIN=%s: FindBinaries() = %q, %v", dir, got, err)
	}

	t.Setenv("PG_BIN", t.TempDir())
	if _, err := FindBinaries(); err == nil || !strings.Contains(err.Error(), "PG_BIN") {
		t.Errorf("with PG_BIN set to an empty directory: err = %v, want one naming PG_BIN", err)
	}

	// Nowhere to be found: the error says how to install them.
	t.Setenv("PG_BIN", "")
	t.Setenv("PATH", t.TempDir())
	defer func(old string) { debianRoot = old }(debianRoot)
	debianRoot = t.TempDir()
	if _, err := FindBinaries(); err == nil || !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("without binaries: err = %v, want one telling how to install them", err)
	}
}

func TestClusterLifecycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(tempDir(t), "data")
	c := &Cluster{Dir: dir, Ephemeral: true}
	startCluster(t, c) // runs initdb

	if err := c.Start(ctx); err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if !strings.HasPrefix(c.URL("app"), "postgres://postgres@127.0.0.1:") || c.URL("app") == c.URL("other") {
		t.Errorf("URL(app) = %q", c.URL("app"))
	}

	admin := connect(t, c.URL("postgres"))
	for setting, want := range map[string]string{
		"fsync":                   "off",
		"synchronous_commit":      "off",
		"full_page_writes":        "off",
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": filepath.Join(c.dir, socketName),
		"server_encoding":         "UTF8",
	} {
		if got := queryString(t, admin, "SHOW "+setting); got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}

	if err := c.EnsureDatabase(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDatabase(ctx, "app"); err != nil {
		t.Fatalf("EnsureDatabase on an existing database: %v", err)
	}
	app := connect(t, c.URL("app"))
	if _, err := app.Exec(ctx, "CREATE TABLE payments (id bigint PRIMARY KEY, amount bigint NOT NULL, currency text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exec(ctx, "INSERT INTO payments VALUES (1, 1999, 'EUR')"); err != nil {
		t.Fatal(err)
	}
	app.Close(ctx) // a template must have no sessions

	const clones = 10
	began := time.Now()
	for i := range clones {
		if err := c.CloneDatabase(ctx, fmt.Sprintf("app_copy_%d", i), "app"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("CloneDatabase took %v per clone", (time.Since(began) / clones).Round(100*time.Microsecond))
	if err := c.CloneDatabase(ctx, "app_copy_0", "app"); err == nil {
		t.Error("CloneDatabase onto an existing database: no error")
	}

	copy0 := connect(t, c.URL("app_copy_0"))
	if got := queryString(t, copy0, "SELECT amount || ' ' || currency FROM payments WHERE id = 1"); got != "1999 EUR" {
		t.Errorf("row in clone = %q", got)
	}
	if _, err := copy0.Exec(ctx, "INSERT INTO payments VALUES (2, 5, 'USD')"); err != nil {
		t.Fatal(err)
	}
	copy0.Close(ctx)
	admin.Close(ctx)

	// Restart on the same directory, as a persistent cluster: data kept, fsync on.
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("postmaster.pid after Stop: %v", err)
	}
	if err := c.EnsureDatabase(ctx, "app"); err == nil {
		t.Error("EnsureDatabase on a stopped cluster: no error")
	}

	persistent := &Cluster{Dir: dir, Port: freePortT(t)}
	startCluster(t, persistent)
	if want := fmt.Sprintf(":%d/", persistent.Port); !strings.Contains(persistent.URL("x"), want) {
		t.Errorf("URL = %q, want port %d", persistent.URL("x"), persistent.Port)
	}
	copy0 = connect(t, persistent.URL("app_copy_0"))
	if got := queryString(t, copy0, "SELECT count(*)::text FROM payments"); got != "2" {
		t.Errorf("after restart: %s rows, want 2", got)
	}
	if got := queryString(t, copy0, "SHOW fsync"); got != "on" {
		t.Errorf("persistent cluster: fsync = %s", got)
	}
}

func freePortT(t *testing.T) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// A data directory too deep for a Unix socket address (107 bytes) gets its
// socket in a temporary directory, removed by Stop.
func TestLongPath(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempDir(t), strings.Repeat("deep/", 20), "data")
	c := &Cluster{Dir: dir, Ephemeral: true}
	startCluster(t, c)
	sockDir := c.sockDir
	if strings.HasPrefix(sockDir, c.dir) {
		t.Fatalf("socket directory %s inside the data directory: path too long", sockDir)
	}
	conn := connect(t, c.URL("postgres"))
	if got := queryString(t, conn, "SHOW unix_socket_directories"); got != sockDir {
		t.Errorf("unix_socket_directories = %s, want %s", got, sockDir)
	}
	conn.Close(t.Context())
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sockDir); !os.IsNotExist(err) {
		t.Errorf("socket directory %s after Stop: %v", sockDir, err)
	}
}

func TestTwoClustersOneDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempDir(t), "data")
	startCluster(t, &Cluster{Dir: dir, Ephemeral: true})
	second := &Cluster{Dir: dir, Ephemeral: true}
	if err := second.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "another Cluster") {
		t.Errorf("Start of a second Cluster on the same directory: err = %v", err)
	}
	if err := second.Stop(); err == nil || !strings.Contains(err.Error(), "another Cluster") {
		t.Errorf("Stop of a second Cluster on the same directory: err = %v", err)
	}
}

// A program started a cluster and died without stopping it: its server still
// runs. The next Start stops it and starts anew, keeping the data.
func TestRecoverServerOfCrashedProcess(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempDir(t), "data")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	cmd.Stderr = t.Output()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper process: %v", err)
	}
	oldURL := string(out)
	c := &Cluster{Dir: dir, Ephemeral: true}
	if err := c.setup(); err != nil {
		t.Fatal(err)
	}
	oldPID := c.serverPID()
	if oldPID == 0 {
		t.Fatal("no server left running by the helper process")
	}
	t.Cleanup(func() { // should the test fail before stopping it
		if c.serverPID() == oldPID {
			syscall.Kill(oldPID, syscall.SIGQUIT)
		}
	})

	conn := connect(t, oldURL)
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (id int)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())

	startCluster(t, c)
	if pid := c.serverPID(); pid == oldPID || pid == 0 {
		t.Errorf("server PID after Start = %d, old one was %d", pid, oldPID)
	}
	if processAlive(oldPID) {
		t.Errorf("old server %d still alive", oldPID)
	}
	conn = connect(t, c.URL("postgres"))
	queryString(t, conn, "SELECT 'kept'::regclass::text")
}

// The server was killed (SIGKILL, OOM killer): postmaster.pid is stale and
// some of its processes may linger. Start cleans up and starts again.
// (Not Ephemeral: with synchronous_commit off, the last commits may be lost.)
func TestRecoverKilledServer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := &Cluster{Dir: filepath.Join(tempDir(t), "data")}
	startCluster(t, c)
	if err := c.EnsureDatabase(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, c.URL("app")) // a backend to be orphaned
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	pid := c.serverPID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for processAlive(pid) {
		time.Sleep(10 * time.Millisecond)
	}
	conn.Close(ctx)

	if err := c.Start(ctx); err != nil { // "already started" must notice the server is gone
		t.Fatal(err)
	}
	conn = connect(t, c.URL("app"))
	if got := queryString(t, conn, "SELECT id::text FROM kept"); got != "42" {
		t.Errorf("after recovery: id = %s", got)
	}
}

// postmaster.pid names a live process that is not the server (the PID was
// reused after a reboot or a crash); PostgreSQL alone would refuse to start.
func TestRecoverPIDReused(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := &Cluster{Dir: filepath.Join(tempDir(t), "data"), Ephemeral: true}
	startCluster(t, c)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}

	// An unrelated process of the server's user (it could signal the server).
	impostor := exec.CommandContext(ctx, "sleep", "60")
	if os.Geteuid() == 0 {
		impostor.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(c.env.uid), Gid: uint32(c.env.gid)}}
	}
	if err := impostor.Start(); err != nil {
		t.Fatal(err)
	}
	defer impostor.Wait()
	defer impostor.Process.Kill()
	pid := impostor.Process.Pid
	fake := fmt.Sprintf("%d\n%s\n1700000000\n5432\n/tmp\n127.0.0.1\n  1234  5678\nready   \n", pid, c.dir)
	if err := os.WriteFile(filepath.Join(c.dir, "postmaster.pid"), []byte(fake), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !processAlive(pid) {
		t.Error("Start killed the unrelated process holding the old PID")
	}
	connect(t, c.URL("postgres"))
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	t.Run("not empty, not a cluster", func(t *testing.T) {
		dir := tempDir(t)
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o644)
		err := (&Cluster{Dir: dir}).Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "neither empty nor a PostgreSQL data directory") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("port taken", func(t *testing.T) {
		c := &Cluster{Dir: filepath.Join(tempDir(t), "data"), Ephemeral: true}
		startCluster(t, c)
		other := &Cluster{Dir: filepath.Join(tempDir(t), "data"), Ephemeral: true, Port: c.port}
		err := other.Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "Address already in use") {
			t.Errorf("err = %v, want the server log's reason", err)
		}
		other.Stop()
	})
	t.Run("parent not traversable", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root hands the data directory to another user")
		}
		dir, err := os.MkdirTemp("", "pglocal-private-") // 0700
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		err = (&Cluster{Dir: filepath.Join(dir, "data")}).Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "cannot reach") {
			t.Errorf("err = %v", err)
		}
	})
}
