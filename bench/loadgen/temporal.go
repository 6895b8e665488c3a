package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

type temporalClient struct {
	client.Client
	namespace string
}

// dialTemporal connects like the gateway does (no gRPC compression).
func dialTemporal(addr, namespace string) (*temporalClient, error) {
	c, err := client.Dial(client.Options{
		HostPort:          addr,
		Namespace:         namespace,
		Logger:            sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))),
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
	}
	return &temporalClient{Client: c, namespace: namespace}, nil
}

// TemporalCost is what DescribeWorkflowExecution says about a sample of workflows, averaged.
type TemporalCost struct {
	Described           int     `json:"described"`
	StateTransitions    float64 `json:"state_transitions"`
	StateTransitionsMin int64   `json:"state_transitions_min"`
	StateTransitionsMax int64   `json:"state_transitions_max"`
	HistoryEvents       float64 `json:"history_events"`
	HistoryBytes        float64 `json:"history_bytes"`
	// WorkflowsStarted counts every workflow started in the namespace since the phase began
	// (payment workflows, webhook retry workflows, the sweep schedule's runs); -1 if unknown.
	WorkflowsStarted    int64   `json:"workflows_started"`
	WorkflowsPerPayment float64 `json:"workflows_per_payment,omitempty"`
}

// describe averages state transitions and history length over the workflows with these ids.
func (c *temporalClient) describe(ctx context.Context, ids []string) (*TemporalCost, error) {
	cost := &TemporalCost{WorkflowsStarted: -1}
	var transitions, events, bytes int64
	for _, id := range ids {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		d, err := c.DescribeWorkflowExecution(dctx, id, "")
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		info := d.GetWorkflowExecutionInfo()
		st := info.GetStateTransitionCount()
		if cost.Described == 0 || st < cost.StateTransitionsMin {
			cost.StateTransitionsMin = st
		}
		cost.StateTransitionsMax = max(cost.StateTransitionsMax, st)
		transitions += st
		events += info.GetHistoryLength()
		bytes += info.GetHistorySizeBytes()
		cost.Described++
	}
	if n := float64(cost.Described); n > 0 {
		cost.StateTransitions = round(float64(transitions)/n, 2)
		cost.HistoryEvents = round(float64(events)/n, 2)
		cost.HistoryBytes = round(float64(bytes)/n, 0)
	}
	return cost, nil
}

// countStarted counts the workflows started since t, through visibility (which lags a little).
func (c *temporalClient) countStarted(ctx context.Context, t time.Time, payments int, notQueue string) (int64, float64) {
	query := fmt.Sprintf("StartTime >= '%s'", t.UTC().Format(time.RFC3339Nano))
	if notQueue != "" {
		query += fmt.Sprintf(" AND TaskQueue != '%s'", notQueue)
	}
	var n int64 = -1
	for range 20 { // visibility is written asynchronously: wait until the count settles
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		r, err := c.CountWorkflow(cctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: c.namespace, Query: query})
		cancel()
		if err != nil {
			return -1, 0
		}
		if r.GetCount() == n && n >= int64(payments) {
			break
		}
		n = r.GetCount()
		time.Sleep(250 * time.Millisecond)
	}
	return n, round(float64(n)/float64(payments), 3)
}

// benchEmpty is the baseline's workflow: it does nothing.
func benchEmpty(workflow.Context) error { return nil }

// emptyWorker runs benchEmpty on a task queue of its own, in this process, so that workflows
// started by this client start eagerly, as the gateway's do.
type emptyWorker struct {
	c     *temporalClient
	w     worker.Worker
	queue string
}

func startEmptyWorker(c *temporalClient) (*emptyWorker, error) {
	queue := fmt.Sprintf("bench-empty-%x", time.Now().UnixNano())
	w := worker.New(c.Client, queue, worker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8})
	w.RegisterWorkflowWithOptions(benchEmpty, workflow.RegisterOptions{Name: "BenchEmptyWorkflow"})
	if err := w.Start(); err != nil {
		return nil, err
	}
	return &emptyWorker{c: c, w: w, queue: queue}, nil
}

func (e *emptyWorker) stop() {
	if e != nil {
		e.w.Stop()
	}
}

func (e *emptyWorker) start(ctx context.Context, id string) (client.WorkflowRun, error) {
	return e.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.queue, EnableEagerStart: true}, "BenchEmptyWorkflow")
}

// prober starts an empty workflow at a steady pace during the payment phase and times each start
// call alone: how long a StartWorkflowExecution takes on the server the gateway is loading.
type prober struct {
	e     *emptyWorker
	every time.Duration
}

// start begins probing; the function it returns stops and returns the start latencies.
func (p *prober) start(ctx context.Context) func() []time.Duration {
	if p == nil || p.e == nil || p.every <= 0 {
		return func() []time.Duration { return nil }
	}
	done := make(chan struct{})
	var lat []time.Duration
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(p.every)
		defer t.Stop()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			began := time.Now()
			_, err := p.e.start(sctx, fmt.Sprintf("%s-probe-%d", p.e.queue, n))
			cancel()
			if err == nil {
				lat = append(lat, time.Since(began))
			}
		}
	})
	return func() []time.Duration {
		close(done)
		wg.Wait()
		return lat
	}
}

// runBaseline starts as many empty workflows as there were payments, from as many goroutines as
// there were clients, each waiting for its workflow's result before starting the next, with
// eager start and a worker in this process: the most the Temporal server gives a client.
func runBaseline(ctx context.Context, e *emptyWorker, o options, procs *processes, res *Result) (*BaselineResult, error) {
	run := func(prefix string, n, goroutines int) ([]time.Duration, []string, error) {
		lat := make([]time.Duration, n)
		ids := make([]string, n)
		var next atomic.Int64
		var firstErr error
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
					ids[i] = fmt.Sprintf("%s-%s-%d", e.queue, prefix, i)
					began := time.Now()
					wctx, cancel := context.WithTimeout(ctx, time.Minute)
					r, err := e.start(wctx, ids[i])
					if err == nil {
						err = r.Get(wctx, nil)
					}
					cancel()
					lat[i] = time.Since(began)
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						return
					}
				}
			})
		}
		wg.Wait()
		if firstErr == nil {
			firstErr = ctx.Err()
		}
		return lat, ids, firstErr
	}

	if o.warmup > 0 {
		if _, _, err := run("warmup", o.warmup, min(o.clients, o.warmup)); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	if o.quietWait > 0 {
		res.BusyBefore["baseline"] = waitQuiet(ctx, o.quietWait, 0.2)
	}
	cpu := procs.start()
	began := time.Now()
	lat, ids, err := run("run", o.payments, o.clients)
	elapsed := time.Since(began)
	use := cpu.stop(o.payments)
	if err != nil {
		return nil, err
	}
	b := &BaselineResult{
		Workflows: o.payments, Seconds: round(elapsed.Seconds(), 3),
		PerSecond: round(float64(o.payments)/elapsed.Seconds(), 1), Latency: latency(lat), CPU: use,
	}
	if b.Temporal, err = e.c.describe(ctx, sampleIDs(ids, min(o.sample, 50))); err != nil {
		return nil, err
	}
	return b, nil
}
