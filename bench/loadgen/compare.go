package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// compareFile prints the ours/peer comparison of the JSON lines in path (loadgen -compare).
func compareFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runs, err := readResults(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return printComparison(w, runs)
}

// readResults reads loadgen's JSON lines, skipping any other line.
func readResults(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, `{"bench"`) {
			continue
		}
		var res Result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// load is one loadgen run's shape within a pair.
type load struct{ clients, payments int }

func (l load) String() string { return fmt.Sprintf("%d clients x %d payments", l.clients, l.payments) }

// metric is one compared figure of a run.
type metric struct {
	name string
	// better says which way is better for ours: +1 higher, -1 lower, 0 not compared.
	better int
	value  func(r *Result) (float64, bool)
}

var compareMetrics = []metric{
	{"end to end, payments/s", +1, func(r *Result) (float64, bool) {
		return r.Gateway.EndToEndPerSecond, r.Gateway.EndToEndPerSecond > 0
	}},
	{"create-payment p50, ms", -1, func(r *Result) (float64, bool) {
		return r.Gateway.CreatePayment.P50, r.Gateway.CreatePayment.N > 0
	}},
	{"create-payment p99, ms", -1, func(r *Result) (float64, bool) {
		return r.Gateway.CreatePayment.P99, r.Gateway.CreatePayment.N > 0
	}},
	{"host CPU per payment, ms", -1, func(r *Result) (float64, bool) {
		c, ok := r.Gateway.CPU["host"]
		return c.PerItemMillis, ok && c.PerItemMillis > 0
	}},
	{"its processes' CPU per payment, ms", -1, func(r *Result) (float64, bool) {
		c := systemCPU(r.Gateway.CPU)
		return c.PerItemMillis, c.PerItemMillis > 0
	}},
	{"webhooks received per payment", 0, func(r *Result) (float64, bool) {
		wh := r.Gateway.Webhooks
		return float64(wh.Success+wh.Failed+wh.Other) / float64(max(r.Payments, 1)), r.Payments > 0
	}},
}

// pairRuns is one pair's runs: system -> load -> result.
type pairRuns map[string]map[load]*Result

// printComparison prints, for each pair, ours and the peer side by side with the ratio
// ours/peer, then every ratio by pair and its median.
func printComparison(w io.Writer, runs []Result) error {
	pairs := map[int]pairRuns{}
	var pairOrder []int
	var loads []load
	for i := range runs {
		r := &runs[i]
		sys := r.System
		if sys == "" {
			sys = systemPayGate
		}
		if _, ok := pairs[r.Pair]; !ok {
			pairs[r.Pair] = pairRuns{}
			pairOrder = append(pairOrder, r.Pair)
		}
		if pairs[r.Pair][sys] == nil {
			pairs[r.Pair][sys] = map[load]*Result{}
		}
		l := load{r.Clients, r.Payments}
		pairs[r.Pair][sys][l] = r // a repeated run in a pair: the last one counts
		if !slices.Contains(loads, l) {
			loads = append(loads, l)
		}
	}
	if len(pairOrder) == 0 {
		return fmt.Errorf("no loadgen JSON lines")
	}
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	// ratios[load][metric] lists each complete pair's ours/peer ratio.
	type key struct {
		l load
		m int
	}
	ratios := map[key][]float64{}
	ratioByPair := map[key]map[int]float64{}
	for _, p := range pairOrder {
		ours, peer := pairs[p][systemPayGate], pairs[p][systemPeer]
		line("")
		line("pair %d: ours %s, peer %s", p, describeRuns(ours), describeRuns(peer))
		line("  %-38s %10s %10s %10s", "", "ours", "peer", "ours/peer")
		for _, l := range loads {
			o, q := ours[l], peer[l]
			if o == nil && q == nil {
				continue
			}
			line("  %s", l)
			for mi, m := range compareMetrics {
				ov, oOK := value(m, o)
				pv, pOK := value(m, q)
				ratio := ""
				if m.better != 0 && oOK && pOK && pv > 0 {
					r := ov / pv
					ratio = fmt.Sprintf("%.2f", r)
					k := key{l, mi}
					ratios[k] = append(ratios[k], r)
					if ratioByPair[k] == nil {
						ratioByPair[k] = map[int]float64{}
					}
					ratioByPair[k][p] = r
				}
				line("    %-36s %10s %10s %10s", m.name, cell(ov, oOK), cell(pv, pOK), ratio)
			}
			for _, side := range []struct {
				name string
				r    *Result
			}{{"ours", o}, {"peer", q}} {
				for _, warn := range runProblems(side.r) {
					line("    %s: %s", side.name, warn)
				}
			}
		}
	}

	line("")
	line("ours/peer by pair and median (end to end: above 1 means ours is ahead; latency and CPU: below 1 means ours is ahead)")
	header := fmt.Sprintf("  %-58s", "")
	for _, p := range pairOrder {
		header += fmt.Sprintf(" %7s", fmt.Sprintf("pair %d", p))
	}
	line("%s %7s", header, "median")
	for _, l := range loads {
		for mi, m := range compareMetrics {
			k := key{l, mi}
			if m.better == 0 || len(ratios[k]) == 0 {
				continue
			}
			row := fmt.Sprintf("  %-58s", fmt.Sprintf("%d x %d  %s", l.clients, l.payments, m.name))
			for _, p := range pairOrder {
				if r, ok := ratioByPair[k][p]; ok {
					row += fmt.Sprintf(" %7.2f", r)
				} else {
					row += fmt.Sprintf(" %7s", "–")
				}
			}
			line("%s %7.2f", row, median(ratios[k]))
		}
	}

	// Issue 18's goals against the peer, on the medians of the 50-client runs (compareMetrics 0, 1 and 2:
	// end to end, create-payment p50 and p99).
	for _, l := range loads {
		if l.clients != 50 {
			continue
		}
		e2e, p50, p99 := ratios[key{l, 0}], ratios[key{l, 1}], ratios[key{l, 2}]
		line("")
		if len(e2e) > 0 {
			line("goal: end to end at 50 clients >= 1.3x the peer (fresh database)   median %.2fx  %s", median(e2e), metOrNot(median(e2e) >= 1.3))
		}
		if len(p99) > 0 {
			line("goal: create-payment p99 at 50 clients no worse than the peer's     median %.2fx  %s", median(p99), metOrNot(median(p99) <= 1))
		}
		if len(p50) > 0 {
			line("goal: create-payment p50 at 50 clients below the peer's            median %.2fx  %s", median(p50), metOrNot(median(p50) < 1))
		}
		break
	}
	return nil
}

func value(m metric, r *Result) (float64, bool) {
	if r == nil {
		return 0, false
	}
	return m.value(r)
}

func cell(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	if v >= 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// describeRuns names a side's runs by start time and label.
func describeRuns(byLoad map[load]*Result) string {
	var first *Result
	for _, r := range byLoad {
		if first == nil || r.Started < first.Started {
			first = r
		}
	}
	if first == nil {
		return "missing"
	}
	s := first.Started
	if first.Label != "" {
		s += " (" + first.Label + ")"
	}
	return s
}

// runProblems lists what makes a run's figures doubtful or wrong.
func runProblems(r *Result) []string {
	if r == nil {
		return nil
	}
	var out []string
	gw := r.Gateway
	if gw.Errors > 0 {
		out = append(out, fmt.Sprintf("%d API errors (first: %s)", gw.Errors, gw.FirstError))
	}
	if gw.Webhooks.Duplicates > 0 || gw.Webhooks.BadSignatures > 0 {
		out = append(out, fmt.Sprintf("webhooks: %d duplicates, %d bad signatures", gw.Webhooks.Duplicates, gw.Webhooks.BadSignatures))
	}
	if gw.PendingLeft != 0 {
		out = append(out, fmt.Sprintf("%d payments still pending at the end (-1: unknown)", gw.PendingLeft))
	}
	if gw.EndToEndPerSecond == 0 {
		out = append(out, "no end-to-end figure: not every payment.success webhook arrived")
	}
	for _, i := range r.Interference {
		out = append(out, "WARNING "+i)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func metOrNot(met bool) string {
	if met {
		return "met"
	}
	return "NOT MET"
}
