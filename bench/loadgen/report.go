package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Result is everything one run measured; it is also the JSON line.
type Result struct {
	Bench           string  `json:"bench"`
	Label           string  `json:"label,omitempty"`
	System          string  `json:"system,omitempty"` // what was measured: "paygate", or "peer" (-peer)
	Pair            int     `json:"pair,omitempty"`   // the run's pair in bench/peer.sh's alternation (-pair)
	Started         string  `json:"started"`
	CPUs            int     `json:"cpus"`
	Clients         int     `json:"clients"`
	Payments        int     `json:"payments"`
	IdempotencyKeys bool    `json:"idempotency_keys"`
	Webhooks        bool    `json:"webhooks"`
	Rate            float64 `json:"rate,omitempty"` // offered payments/s; 0 for closed loop
	// Interference is set when processes other than the gateway, PostgreSQL and this one used
	// more than a quarter of a core in a phase: someone else was using the machine.
	Interference []string `json:"interference,omitempty"`
	// BusyBefore is the machine's busy share (of all CPUs) just before each phase.
	BusyBefore map[string]float64 `json:"busy_before"`
	Processes  map[string]string  `json:"processes"`
	Gateway    GatewayResult      `json:"gateway"`
	Baseline   *BaselineResult    `json:"baseline,omitempty"`
	// Ratio is end-to-end payments/s divided by the baseline's empty workflows/s.
	Ratio float64 `json:"ratio_to_baseline,omitempty"`
	Goals []Goal  `json:"goals"`
}

// GatewayResult is the payment phase.
type GatewayResult struct {
	Seconds           float64 `json:"seconds"`               // first request to last payment.success webhook
	EndToEndPerSecond float64 `json:"end_to_end_per_second"` // payments / Seconds
	CreateSeconds     float64 `json:"create_seconds"`        // first request to last create-payment response
	CreatePerSecond   float64 `json:"create_per_second"`     // payments accepted by the API per second
	Errors            int     `json:"errors"`
	FirstError        string  `json:"first_error,omitempty"`
	CreateOrder       Latency `json:"create_order_ms"`
	CreatePayment     Latency `json:"create_payment_ms"`
	// ToWebhook is from the create-payment request to its payment.success webhook arriving.
	ToWebhook Latency `json:"to_webhook_ms"`
	// TemporalStartProbe (with -probe) is how long starting an empty workflow on the same server
	// took during the phase: the part of create-payment that waits for Temporal.
	TemporalStartProbe *Latency       `json:"temporal_start_probe_ms,omitempty"`
	Webhooks           WebhookCounts  `json:"webhooks"`
	PendingLeft        int64          `json:"pending_left"` // pending payments the API still lists at the end
	Temporal           *TemporalCost  `json:"temporal,omitempty"`
	SQL                *SQLCost       `json:"sql,omitempty"`
	CPU                map[string]CPU `json:"cpu"`
}

// BaselineResult is the empty-workflow phase.
type BaselineResult struct {
	Workflows int            `json:"workflows"`
	Seconds   float64        `json:"seconds"`
	PerSecond float64        `json:"per_second"`
	Latency   Latency        `json:"start_to_result_ms"`
	Temporal  *TemporalCost  `json:"temporal,omitempty"`
	CPU       map[string]CPU `json:"cpu"`
}

// Latency holds percentiles in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Goal is one of the targets and whether this run met it.
type Goal struct {
	What   string  `json:"what"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
	Met    bool    `json:"met"`
}

func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Latency{N: len(s), P50: ms(percentile(s, 50)), P95: ms(percentile(s, 95)), P99: ms(percentile(s, 99)), Max: ms(s[len(s)-1])}
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

// goals compares the run with the targets. The throughput targets need a closed loop
// (an open loop caps the rate at -rate) and webhooks.
func goals(r *Result) []Goal {
	var g []Goal
	if r.Rate == 0 && r.Webhooks {
		g = append(g, Goal{What: "end-to-end payments/s, webhooks included", Target: ">= 200", Value: r.Gateway.EndToEndPerSecond, Met: r.Gateway.EndToEndPerSecond >= 200})
	}
	if r.Baseline != nil && r.Rate == 0 && r.Webhooks {
		g = append(g, Goal{What: "gateway / empty-workflow baseline", Target: ">= 1.0x", Value: round(r.Ratio, 3), Met: r.Ratio >= 1.0})
	}
	if r.Clients == 10 {
		p99 := r.Gateway.CreatePayment.P99
		g = append(g, Goal{What: "create-payment p99 at 10 clients, ms", Target: "< 25", Value: p99, Met: p99 > 0 && p99 < 25})
	}
	return g
}

func printTable(w io.Writer, o options, r *Result) {
	gw := r.Gateway
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	line("")
	name := "PayGate"
	if r.System == systemPeer {
		name = "Peer (Node/Bull)"
	}
	line("%s load test  %s  %d CPUs  %d clients x %d payments  idempotency keys: %v  webhooks: %v", name, r.Started, r.CPUs, r.Clients, r.Payments, r.IdempotencyKeys, r.Webhooks)
	if r.Rate > 0 {
		line("gateway %s, offered load %.0f payments/s (open loop)", o.url, r.Rate)
	} else {
		line("gateway %s, closed loop (each client waits for its answers)", o.url)
	}
	line("")
	line("%-34s %9s %9s %9s %9s", "latency (ms)", "p50", "p95", "p99", "max")
	for _, l := range []struct {
		name string
		v    Latency
	}{{"create-order", gw.CreateOrder}, {"create-payment", gw.CreatePayment}, {"create-payment -> success webhook", gw.ToWebhook}} {
		if l.v.N > 0 {
			line("%-34s %9.1f %9.1f %9.1f %9.1f", l.name, l.v.P50, l.v.P95, l.v.P99, l.v.Max)
		}
	}
	if p := gw.TemporalStartProbe; p != nil {
		line("%-34s %9.1f %9.1f %9.1f %9.1f  (%d probes)", "probe: start an empty workflow", p.P50, p.P95, p.P99, p.Max, p.N)
	}
	line("")
	line("%-44s %10.1f /s  (%d in %.2f s)", endToEndLabel(r.Webhooks), gw.EndToEndPerSecond, r.Payments, gw.Seconds)
	line("%-44s %10.1f /s  (%.2f s)", "API accepted payments", gw.CreatePerSecond, gw.CreateSeconds)
	if b := r.Baseline; b != nil {
		line("%-44s %10.1f /s  (%d in %.2f s, p50 %.1f ms)", "baseline: empty workflows, same server", b.PerSecond, b.Workflows, b.Seconds, b.Latency.P50)
		note := ""
		if r.Rate > 0 {
			note = "  (open loop: the payment rate is capped by -rate)"
		}
		line("%-44s %10.2fx%s", "gateway / baseline", r.Ratio, note)
	}
	line("%-44s %d errors%s; %d payments still pending", "", gw.Errors, firstError(gw.FirstError), gw.PendingLeft)
	wh := gw.Webhooks
	line("%-44s success %d, failed %d, other %d, duplicates %d, bad signatures %d", "webhooks received", wh.Success, wh.Failed, wh.Other, wh.Duplicates, wh.BadSignatures)
	line("")
	line("cost per payment")
	if t := gw.Temporal; t != nil {
		line("  %-42s %8.1f  (min %d, max %d; %d workflows described)", "Temporal state transitions", t.StateTransitions, t.StateTransitionsMin, t.StateTransitionsMax, t.Described)
		line("  %-42s %8.1f  (%.0f bytes)", "history events", t.HistoryEvents, t.HistoryBytes)
		if t.WorkflowsStarted >= 0 {
			line("  %-42s %8.2f  (%d started during the run)", "workflows", t.WorkflowsPerPayment, t.WorkflowsStarted)
		}
		if b := r.Baseline; b != nil && b.Temporal != nil {
			line("  %-42s %8.1f  (history events %.1f)", "  empty workflow, for comparison", b.Temporal.StateTransitions, b.Temporal.HistoryEvents)
		}
	} else {
		line("  Temporal state transitions                 n/a (no -temporal)")
	}
	if s := gw.SQL; s != nil && s.Available {
		line("  %-42s %8.1f  (%.1f without BEGIN/COMMIT; %.1f transactions; %.2f ms exec)", "SQL statements (pg_stat_statements)", s.PerPayment, s.PerPaymentNoTxControl, s.TransactionsPerPayment, s.ExecMillisPerPayment)
		for _, st := range s.Top {
			line("    %6.2f  %7.3f ms  %s", st.PerPayment, st.MeanMillis, st.Query)
		}
	} else {
		why := "no -database"
		if s != nil {
			why = s.Reason
		}
		line("  SQL statements                             n/a (%s)", why)
	}
	line("")
	line("CPU (%% of one core, averaged over the phase; host has %d)", r.CPUs)
	printCPU := func(name string, cpu map[string]CPU) {
		if len(cpu) == 0 {
			return
		}
		keys := cpuGroupOrder(cpu)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			c, ok := cpu[k]
			if !ok {
				continue
			}
			s := fmt.Sprintf("%s %.0f%%", k, c.Percent)
			if c.PerItemMillis > 0 {
				s += fmt.Sprintf(" (%.2f ms/item)", c.PerItemMillis)
			}
			parts = append(parts, s)
		}
		line("  %-10s %s", name, strings.Join(parts, ", "))
	}
	printCPU("payments", gw.CPU)
	if r.Baseline != nil {
		printCPU("baseline", r.Baseline.CPU)
	}
	for _, w := range r.Interference {
		line("WARNING: %s", w)
	}
	line("")
	for _, g := range r.Goals {
		mark := "NOT MET"
		if g.Met {
			mark = "met"
		}
		line("goal: %-42s %-7s  %8.2f  %s", g.What, g.Target, g.Value, mark)
	}
	line("")
}

func endToEndLabel(webhooks bool) string {
	if webhooks {
		return "end to end (first request -> last webhook)"
	}
	return "end to end (first request -> none pending)"
}

func firstError(s string) string {
	if s == "" {
		return ""
	}
	return " (first: " + s + ")"
}
