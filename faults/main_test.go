//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paygate/paygate/cluster"
	"github.com/paygate/paygate/pglocal"
	"github.com/paygate/paygate/pglocal/pgtest"
)

// tempPrefix names the directories the suite creates under os.TempDir(), followed by the test
// binary's pid, so that a later run can clean up after one that died (see sweepLeftovers).
const tempPrefix = "paygate-faults-"

func TestMain(m *testing.M) {
	sweepLeftovers()
	began := time.Now()
	code := m.Run()
	if err := sharedPG.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "faults: stop PostgreSQL: %v\n", err)
	}
	if !isFuzzWorker() {
		figures.print(os.Stdout, time.Since(began))
		if path := os.Getenv("FAULTS_REPORT"); path != "" {
			if err := figures.write(path, time.Since(began)); err != nil {
				fmt.Fprintf(os.Stderr, "faults: write %s: %v\n", path, err)
			}
		}
	}
	os.Exit(code)
}

// isFuzzWorker reports whether this is one of the processes `go test -fuzz` starts to run
// inputs: they run TestMain too, and must not overwrite the report.
func isFuzzWorker() bool {
	for _, a := range os.Args {
		if strings.HasPrefix(a, "-test.fuzzworker") {
			return true
		}
	}
	return false
}

// gatewayBin is the binary under test: $GATEWAY_BIN, else bin/gateway at the module root.
func gatewayBin(t testing.TB) string {
	t.Helper()
	path := os.Getenv("GATEWAY_BIN")
	if path == "" {
		path = filepath.Join("..", "bin", "gateway")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(abs); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("the fault suite runs the built gateway and %s is missing: run `make build` or set GATEWAY_BIN", abs)
	}
	return abs
}

// sharedPG is one throwaway cluster for the tests that need only a database of their own (the
// multi-process layout, the fuzz target); it starts on first use and stops in TestMain.
var sharedPG = pgtest.New(nil)

func sharedDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sharedPG.Start(ctx); err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	return sharedPG.NewDatabase(t)
}

// tempDir is a directory removed at the end of the test that the postgres user can traverse
// (t.TempDir is mode 0700, and PostgreSQL runs as postgres when the suite runs as root).
func tempDir(t testing.TB, what string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-%s-", tempPrefix, os.Getpid(), what))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopClustersIn(dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// stopClustersIn stops any PostgreSQL server still running from a data directory in dir or one
// level below (one a killed `gateway dev` left behind, or a test's own cluster).
func stopClustersIn(dir string) {
	pidFiles, _ := filepath.Glob(filepath.Join(dir, "*", "postmaster.pid"))
	for _, f := range pidFiles {
		c := &pglocal.Cluster{Dir: filepath.Dir(f)}
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "faults: stop PostgreSQL in %s: %v\n", c.Dir, err)
		}
	}
}

// sweepLeftovers stops the clusters and removes the directories of earlier runs whose test
// binary is gone (killed by -timeout, or by hand).
func sweepLeftovers() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), tempPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		stopClustersIn(dir)
		os.RemoveAll(dir)
	}
}

// startCmd starts cmd in a process group of its own, killed if the test binary dies.
func startCmd(cmd *exec.Cmd) error { return cluster.StartChild(cmd) }

// figures are the suite's totals, for docs/reliability.md: printed at the end and, with
// FAULTS_REPORT=file, written there as JSON.
var figures suiteFigures

type counts struct {
	Requests       int64   `json:"requests"`        // HTTP requests the tests sent to the API
	Faults         int64   `json:"faults_injected"` // kills, outages, misbehaving endpoint answers, hostile requests, bursts
	Payments       int64   `json:"payments"`        // payments accepted (201) and checked in PostgreSQL to the end
	Lost           int64   `json:"payments_lost"`   // accepted payments not final, or missing
	SettledTwice   int64   `json:"settled_twice"`   // payments without exactly one bank ledger row
	DeliveredTwice int64   `json:"delivered_twice"` // payment.success events answered 2xx more than once
	Seconds        float64 `json:"seconds"`
}

type suiteFigures struct {
	requests, faults, payments, lost, settledTwice, deliveredTwice atomic.Int64

	mu    sync.Mutex
	tests map[string]counts
}

func (f *suiteFigures) now() counts {
	return counts{Requests: f.requests.Load(), Faults: f.faults.Load(), Payments: f.payments.Load(),
		Lost: f.lost.Load(), SettledTwice: f.settledTwice.Load(), DeliveredTwice: f.deliveredTwice.Load()}
}

// track records the figures of one test (tests run one at a time: what the totals grew by).
func (f *suiteFigures) track(t testing.TB) {
	began, before := time.Now(), f.now()
	t.Cleanup(func() {
		c := f.now()
		c.Requests -= before.Requests
		c.Faults -= before.Faults
		c.Payments -= before.Payments
		c.Lost -= before.Lost
		c.SettledTwice -= before.SettledTwice
		c.DeliveredTwice -= before.DeliveredTwice
		c.Seconds = time.Since(began).Round(100 * time.Millisecond).Seconds()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.tests == nil {
			f.tests = map[string]counts{}
		}
		f.tests[t.Name()] = c
	})
}

func (f *suiteFigures) print(w io.Writer, wall time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tests) == 0 {
		return
	}
	c := f.now()
	fmt.Fprintf(w, "fault suite: %d requests, %d faults injected, %d payments, %d lost, %d settled twice, %d delivered twice, %s\n",
		c.Requests, c.Faults, c.Payments, c.Lost, c.SettledTwice, c.DeliveredTwice, wall.Round(time.Second))
	names := make([]string, 0, len(f.tests))
	for n := range f.tests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := f.tests[n]
		fmt.Fprintf(w, "  %-36s %5d requests %5d faults %4d payments %d lost %d settled twice %d delivered twice %5.1fs\n",
			n, c.Requests, c.Faults, c.Payments, c.Lost, c.SettledTwice, c.DeliveredTwice, c.Seconds)
	}
}

func (f *suiteFigures) write(path string, wall time.Duration) error {
	f.mu.Lock()
	total := f.now()
	total.Seconds = wall.Round(time.Second).Seconds()
	report := struct {
		Date  string            `json:"date"`
		CPUs  int               `json:"cpus"`
		Total counts            `json:"total"`
		Tests map[string]counts `json:"tests"`
	}{time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), total, f.tests}
	b, err := json.MarshalIndent(report, "", "  ")
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
