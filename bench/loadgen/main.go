// Command loadgen drives the HTTP API of a running gateway and measures it against the Temporal
// server the gateway runs on.
//
// One run: point the test merchant's webhooks at a receiver in this process; create -payments
// orders and payments (half UPI, half card) from -clients goroutines; wait until every payment's
// payment.success webhook has arrived (signature verified); then start as many empty workflows,
// from as many goroutines, on the same Temporal server with a worker in this process (the
// baseline). It reports API latency, end-to-end payments/s, the baseline's workflows/s, the cost
// of a payment (Temporal state transitions and history events, SQL statements from
// pg_stat_statements) and the CPU split between the gateway, PostgreSQL and this process.
//
// With -peer it drives the Node/Bull peer of issue 18 instead (its webhook configuration, signature
// and payment list; no Temporal), and -compare prints the ours/peer table of bench/peer.sh's runs.
//
// Everything it talks to must be on a loopback address. See bench/run.sh, bench/peer.sh and
// bench/RESULTS.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type options struct {
	url, temporal, namespace, database string
	clients, payments, warmup, sample  int
	timeout                            time.Duration
	idempotency, baseline, webhooks    bool
	probe, quietWait                   time.Duration
	rate                               float64
	key, secret, label                 string
	// capture is the orders' capture mode (-capture).
	capture string
	// peer: the target is the Node/Bull peer (bench/peer.sh), not PayGate.
	peer bool
	// pair numbers the run in bench/peer.sh's alternation (0: not part of one).
	pair int
	// cpuGroups are extra process groups to charge CPU to (-cpu-group), by name.
	cpuGroups map[string][]int
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", envOr("BASE_URL", "http://127.0.0.1:8000"), "gateway API base URL (loopback only); several, comma-separated, spread the payments over API replicas")
	flag.IntVar(&o.clients, "clients", 10, "concurrent API clients (and baseline goroutines)")
	flag.IntVar(&o.payments, "payments", 1000, "payments to make (and empty workflows for the baseline)")
	flag.IntVar(&o.warmup, "warmup", 20, "payments and empty workflows made before measuring, not counted")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "bound on the whole run")
	flag.StringVar(&o.temporal, "temporal", defaultTemporal(), "Temporal frontend host:port for the baseline and the cost figures (empty: skip both)")
	flag.StringVar(&o.namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace")
	flag.StringVar(&o.database, "database", defaultDatabase(), "the gateway's PostgreSQL URL, for pg_stat_statements (empty: skip)")
	flag.IntVar(&o.sample, "sample", 200, "payment workflows to describe for the state-transition figures")
	flag.BoolVar(&o.idempotency, "idempotency-keys", false, "send an Idempotency-Key with every create request")
	flag.StringVar(&o.capture, "capture", "automatic", "the orders' capture mode: automatic (each payment's workflow ends captured, as every payment's did before authorizations) or manual (each leaves an open authorization)")
	flag.BoolVar(&o.webhooks, "webhooks", true, "deliver webhooks to the receiver and wait for payment.success; false turns the merchant's webhooks off and polls the API until no payment is pending (an experiment: what webhooks cost)")
	flag.Float64Var(&o.rate, "rate", 0, "offer at most this many payments/s (open loop; 0: each client as fast as it gets answers)")
	flag.DurationVar(&o.probe, "probe", 0, "during the payments, start an empty workflow this often and time the start call (0: off)")
	flag.DurationVar(&o.quietWait, "quiet-wait", 2*time.Minute, "before each phase, wait up to this long for the machine to be less than 20% busy (0: don't)")
	flag.BoolVar(&o.baseline, "baseline", true, "run the empty-workflow baseline after the payments")
	flag.StringVar(&o.key, "api-key", "key_test_abc123", "merchant API key")
	flag.StringVar(&o.secret, "api-secret", "secret_test_xyz789", "merchant API secret")
	flag.StringVar(&o.label, "label", "", "free text carried into the JSON line (e.g. the git commit)")
	flag.BoolVar(&o.peer, "peer", false, "the target is the Node/Bull peer of issue 18 (bench/peer.sh): webhooks configured with PUT /api/v1/webhooks and signed with X-Webhook-Signature only; no Temporal")
	flag.IntVar(&o.pair, "pair", 0, "number of this run's pair in an ours/peer alternation, carried into the JSON line")
	o.cpuGroups = map[string][]int{}
	flag.Func("cpu-group", "`name=pid[,pid...]`: also charge these processes' CPU to a group of that name (repeatable; e.g. the peer's workers and Redis)", func(v string) error {
		name, pids, err := parseCPUGroup(v)
		if err == nil {
			o.cpuGroups[name] = append(o.cpuGroups[name], pids...)
		}
		return err
	})
	compare := flag.String("compare", "", "print the ours/peer comparison of the JSON lines in this file (written by bench/peer.sh) and exit")
	flag.Parse()
	if *compare != "" {
		if err := compareFile(os.Stdout, *compare); err != nil {
			fatal(err)
		}
		return
	}
	if o.peer {
		o.temporal = "" // the peer has no Temporal: no baseline, no workflow cost
	}
	if o.clients < 1 || o.payments < 1 || o.warmup < 0 || o.sample < 0 || o.timeout <= 0 {
		fatal(errors.New("-clients and -payments must be at least 1; -warmup, -sample and -timeout not negative"))
	}
	if err := checkLoopback(o); err != nil {
		fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	res, err := run(ctx, o)
	if res != nil {
		interference(res)
		printTable(os.Stdout, o, res)
		line, _ := json.Marshal(res)
		fmt.Println(string(line))
	}
	if err != nil {
		fatal(err)
	}
}

// run does one measured run; it returns what it measured even when a later step failed.
func run(ctx context.Context, o options) (*Result, error) {
	res := &Result{
		Bench: "paygate-loadgen", Label: o.label, Started: time.Now().UTC().Format(time.RFC3339),
		System: systemName(o), Pair: o.pair,
		Clients: o.clients, Payments: o.payments, IdempotencyKeys: o.idempotency, Webhooks: o.webhooks, Rate: o.rate, CPUs: numCPU(),
		BusyBefore: map[string]float64{},
	}
	procs := findProcesses(o)
	res.Processes = procs.describe()

	var tc *temporalClient
	if o.temporal != "" {
		var err error
		if tc, err = dialTemporal(o.temporal, o.namespace); err != nil {
			return nil, err
		}
		defer tc.Close()
	}
	var pg *pgStats
	if o.database != "" {
		pg = openPGStats(ctx, o.database)
		defer pg.Close()
	}

	var empty *emptyWorker
	var probe *prober
	if tc != nil && (o.baseline || o.probe > 0) {
		var err error
		if empty, err = startEmptyWorker(tc); err != nil {
			return nil, err
		}
		defer empty.stop()
		probe = &prober{e: empty, every: o.probe}
	}

	gw, err := runGateway(ctx, o, procs, pg, probe, res)
	if err != nil {
		return res, err
	}
	if tc != nil {
		cost, err := tc.describe(ctx, sampleIDs(gw.paymentIDs, o.sample))
		if err != nil {
			return res, fmt.Errorf("describe payment workflows: %w", err)
		}
		probeQueue := ""
		if empty != nil {
			probeQueue = empty.queue
		}
		cost.WorkflowsStarted, cost.WorkflowsPerPayment = tc.countStarted(ctx, gw.began, o.payments, probeQueue)
		res.Gateway.Temporal = cost
	}
	if tc != nil && o.baseline {
		b, err := runBaseline(ctx, empty, o, procs, res)
		if err != nil {
			return res, fmt.Errorf("baseline: %w", err)
		}
		res.Baseline = b
		if b.PerSecond > 0 {
			res.Ratio = round(res.Gateway.EndToEndPerSecond/b.PerSecond, 3)
		}
	}
	res.Goals = goals(res)
	return res, nil
}

// interference notes phases in which something else used the machine noticeably.
func interference(res *Result) {
	check := func(phase string, cpu map[string]CPU) {
		if c, ok := cpu["other"]; ok && c.Percent > 25 {
			res.Interference = append(res.Interference, fmt.Sprintf(
				"%s phase: %.0f%% of a core went to other processes or interrupts; its figures are unreliable", phase, c.Percent))
		}
	}
	check("payment", res.Gateway.CPU)
	if res.Baseline != nil {
		check("baseline", res.Baseline.CPU)
	}
}

// checkLoopback refuses any target that is not on this machine's loopback interface.
func checkLoopback(o options) error {
	hosts := map[string]string{}
	for i, raw := range strings.Split(o.url, ",") {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return fmt.Errorf("-url %q is not a URL", raw)
		}
		hosts[fmt.Sprintf("-url #%d", i+1)] = u.Hostname()
	}
	if o.temporal != "" {
		h, _, err := net.SplitHostPort(o.temporal)
		if err != nil {
			return fmt.Errorf("-temporal %q is not host:port", o.temporal)
		}
		hosts["-temporal"] = h
	}
	if o.database != "" {
		d, err := url.Parse(o.database)
		if err != nil || d.Hostname() == "" {
			return errors.New("-database must be a postgres:// URL with a host")
		}
		hosts["-database"] = d.Hostname()
	}
	for flagName, h := range hosts {
		if h == "localhost" {
			continue
		}
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s host %q is not a loopback address: loadgen only talks to this machine", flagName, h)
		}
	}
	return nil
}

func defaultTemporal() string {
	if p := os.Getenv("STACK_TEMPORAL_PORT"); p != "" {
		return "127.0.0.1:" + p
	}
	return envOr("TEMPORAL_ADDRESS", "")
}

func defaultDatabase() string {
	if p := os.Getenv("STACK_PG_PORT"); p != "" {
		return "postgres://postgres@127.0.0.1:" + p + "/gateway?sslmode=disable"
	}
	return os.Getenv("DATABASE_URL")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func numCPU() int {
	b, err := os.ReadFile("/sys/fs/cgroup/cpu.max")
	if err == nil {
		var quota, period string
		if n, _ := fmt.Sscan(string(b), &quota, &period); n == 2 && quota != "max" {
			q, _ := strconv.Atoi(quota)
			p, _ := strconv.Atoi(period)
			if q > 0 && p > 0 {
				return max(1, q/p)
			}
		}
	}
	return runtime.NumCPU()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}
