package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// printReport prints the figures of every scale side by side with the ratio of the last to the
// first, as a Markdown table.
func printReport(w io.Writer, res *Result) {
	if len(res.Scales) > 0 {
		first, last := res.Scales[0], res.Scales[len(res.Scales)-1]
		head := "| figure |"
		sep := "|---|"
		for _, s := range res.Scales {
			head += " " + human(s.Payments) + " |"
			sep += "---:|"
		}
		head += fmt.Sprintf(" %s / %s |", human(last.Payments), human(first.Payments))
		sep += "---:|"
		fmt.Fprintln(w, head)
		fmt.Fprintln(w, sep)
		row := func(name string, get func(Scale) float64, lowerIsBetter bool) {
			line := "| " + name + " |"
			for _, s := range res.Scales {
				line += " " + num(get(s)) + " |"
			}
			a, b := get(first), get(last)
			ratio := "n/a"
			if a > 0 {
				r := b / a
				ratio = fmt.Sprintf("%.2f", r)
				if (lowerIsBetter && r > 1.5) || (!lowerIsBetter && r < 1/1.5) {
					ratio = "**" + ratio + "**"
				}
			}
			fmt.Fprintln(w, line+" "+ratio+" |")
		}
		for _, m := range []struct {
			name string
			get  func(Scale) merchantFigures
		}{{"big", func(s Scale) merchantFigures { return s.Big }}, {"small", func(s Scale) merchantFigures { return s.Small }}} {
			g := m.get
			row(m.name+": its payments", func(s Scale) float64 { return float64(g(s).Rows) }, true)
			row(m.name+": create-payment p50 ms (10 clients)", func(s Scale) float64 { return g(s).CreateP50 }, true)
			row(m.name+": create-payment p99 ms (10 clients)", func(s Scale) float64 { return g(s).CreateP99 }, true)
			row(m.name+": GET /payments/{id} p50 ms", func(s Scale) float64 { return g(s).Get.P50 }, true)
			row(m.name+": GET /payments/{id} p99 ms", func(s Scale) float64 { return g(s).Get.P99 }, true)
			row(m.name+": /payments first page p50 ms", func(s Scale) float64 { return g(s).FirstPage.P50 }, true)
			row(m.name+": /payments deep page (cursor) p50 ms", func(s Scale) float64 { return g(s).DeepPage.P50 }, true)
			row(m.name+":   deep page number", func(s Scale) float64 { return float64(g(s).DeepPageNumber) }, true)
			row(m.name+": /stats p50 ms", func(s Scale) float64 { return g(s).Stats.P50 }, true)
			row(m.name+": /stats p99 ms", func(s Scale) float64 { return g(s).Stats.P99 }, true)
			row(m.name+": end-to-end payments/s (50 clients)", func(s Scale) float64 { return g(s).PerSecond }, false)
		}
		row("/metrics scrape p50 ms", func(s Scale) float64 { return s.Metrics.P50 }, true)
		row("/metrics scrape p99 ms", func(s Scale) float64 { return s.Metrics.P99 }, true)
		row("PostgreSQL bytes per payment (all tables + indexes)", func(s Scale) float64 { return div(s.PGBytes, s.Payments) }, true)
		row("PostgreSQL bytes per payment (payments + its indexes)", func(s Scale) float64 { return div(s.PaymentsBytes, s.Payments) }, true)
		row("Temporal bytes per API payment (growth during the runs)", func(s Scale) float64 { return div(s.TemporalBytes, int64(s.TemporalPayNum)) }, true)
		row("seed seconds (COPY + indexes + recount)", func(s Scale) float64 { return s.SeedSeconds }, true)
		fmt.Fprintln(w, "\nRatios in bold miss the goal (a time more than 1.5× its 10k figure, or a rate below 1/1.5 of it).")
		fmt.Fprintln(w, "Rows whose first value is a count (payments, page numbers, seed time) grow by design.")
	}
	if res.TemporalBytesPerPayment > 0 {
		fmt.Fprintf(w, "\nTemporal bytes per completed payment (SQLite pages in use after the growth runs, 7-day retention): %s\n", num(res.TemporalBytesPerPayment))
	}
	if t := res.Temporal; t != nil {
		fmt.Fprintf(w, "\nTemporal (embedded, SQLite), retention %s, steady load %.0f payments/s for %s:\n", t.Retention, t.Rate, t.Duration)
		fmt.Fprintf(w, "  files at %s: %s; largest after that: %s; at the end: %s (%d payments made)\n",
			t.PlateauFrom, human(t.SizeAtPlateau), human(t.MaxAfterPlateau), human(t.SizeAtEnd), t.Payments)
		var samples []string
		for _, s := range t.Samples {
			samples = append(samples, fmt.Sprintf("%ds:%s", s.Second, human(s.Bytes)))
		}
		fmt.Fprintf(w, "  samples: %s\n", strings.Join(samples, " "))
		if t.Visibility != nil {
			v := t.Visibility
			fmt.Fprintf(w, "  visibility: %d closed workflows inserted in %.0f s (%d rows in the store)\n", v.Inserted, v.InsertSeconds, v.Rows)
			for _, q := range v.Queries {
				if q.Error != "" {
					fmt.Fprintf(w, "  %-45s no answer: %s\n", q.What, q.Error)
					continue
				}
				fmt.Fprintf(w, "  %-45s p50 %s ms, max %s ms (%d: rows in the first page, or the count)\n", q.What, num(q.P50), num(q.Max), q.FirstPage)
			}
		}
	}
}

func div(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// human writes 10000 as 10k, 1000000 as 1M, and byte counts likewise (1.5G).
func human(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return trim(f/1e9) + "G"
	case f >= 1e6:
		return trim(f/1e6) + "M"
	case f >= 1e3:
		return trim(f/1e3) + "k"
	}
	return fmt.Sprint(n)
}

func trim(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
