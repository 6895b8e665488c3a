package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Latency is a timed series in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
}

func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return math.Round(float64(ds[max(i, 0)].Microseconds())/10) / 100
	}
	return Latency{N: len(ds), P50: at(0.50), P99: at(0.99)}
}

// merchantFigures are the figures measured for one merchant at one scale.
type merchantFigures struct {
	Rows           int64   `json:"rows"` // the merchant's payments when measured
	CreateP50      float64 `json:"create_payment_p50_ms"`
	CreateP99      float64 `json:"create_payment_p99_ms"`
	Get            Latency `json:"get_payment_ms"`
	FirstPage      Latency `json:"first_page_ms"`
	DeepPage       Latency `json:"deep_page_ms"`
	DeepPageNumber int     `json:"deep_page_number"` // 5000, or the deepest page the merchant has
	Stats          Latency `json:"stats_ms"`
	PerSecond      float64 `json:"end_to_end_per_second"` // at 50 clients
	LoadErrors     int     `json:"load_errors"`
}

// client calls the API as one merchant.
type client struct {
	base, key, secret string
	http              *http.Client
}

func (c *client) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if c.key != "" {
		req.Header.Set("X-Api-Key", c.key)
		req.Header.Set("X-Api-Secret", c.secret)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s: %.200s", path, resp.Status, body)
	}
	return body, nil
}

// figureBudget bounds the time spent on one figure: a route whose cost grows with the table
// (seconds at 10M rows) gets fewer samples (at least 3) instead of stalling the run.
var figureBudget = envDuration("GROWTH_FIGURE_BUDGET", 15*time.Second)

// timeGets times up to n sequential GETs of the paths (cycled), after two untimed ones, stopping
// early (after at least 3) once figureBudget is spent.
func (c *client) timeGets(ctx context.Context, paths []string, n int) (Latency, error) {
	var ds []time.Duration
	began := time.Now()
	for i := -2; i < n; i++ {
		if i >= 3 && time.Since(began) > figureBudget {
			break
		}
		if i == -1 && time.Since(began) > time.Second {
			continue // one warm-up is enough for a route that takes seconds
		}
		p := paths[(i+len(paths))%len(paths)]
		began := time.Now()
		if _, err := c.get(ctx, p); err != nil {
			return Latency{}, err
		}
		if i >= 0 {
			ds = append(ds, time.Since(began))
		}
	}
	return latency(ds), nil
}

// measureReads times the read routes for one merchant: GET /payments/{id} on random ids of the
// merchant, the first page of /payments, the 5 000th page by cursor (starting_after the last id
// of page 4 999, found with SQL), and /stats.
func measureReads(ctx context.Context, pool *pgxpool.Pool, c *client, merchant uuid.UUID, reps int, f *merchantFigures) error {
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM payments WHERE merchant_id = $1`, merchant).Scan(&f.Rows); err != nil {
		return err
	}
	// Random ids: every row with probability p (at least ~reps of them), read off the merchant's index.
	p := math.Min(1, float64(4*reps)/float64(max(f.Rows, 1)))
	rows, err := pool.Query(ctx, `SELECT id FROM payments WHERE merchant_id = $1 AND random() < $2 LIMIT $3`, merchant, p, 4*reps)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, "/api/v1/payments/"+id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if f.Stats, err = c.timeGets(ctx, []string{"/api/v1/stats"}, reps); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil // a small merchant at a small size: nothing to get or page through
	}
	if f.Get, err = c.timeGets(ctx, ids, reps); err != nil {
		return err
	}
	if f.FirstPage, err = c.timeGets(ctx, []string{"/api/v1/payments"}, reps); err != nil {
		return err
	}
	// Page k (limit 10) starts after row 10(k-1); the deepest page a merchant has if it has fewer.
	const limit = 10
	page := int(min(5000, (f.Rows-1)/limit+1))
	f.DeepPageNumber = page
	var cursor string
	if page > 1 {
		if err := pool.QueryRow(ctx, `SELECT id FROM payments WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
			merchant, (page-1)*limit-1).Scan(&cursor); err != nil {
			return err
		}
		if f.DeepPage, err = c.timeGets(ctx, []string{"/api/v1/payments?limit=10&starting_after=" + cursor}, reps); err != nil {
			return err
		}
	} else {
		f.DeepPage = f.FirstPage
	}
	return nil
}

// loadgenResult is the part of loadgen's JSON line used here.
type loadgenResult struct {
	Gateway struct {
		EndToEndPerSecond float64 `json:"end_to_end_per_second"`
		Errors            int     `json:"errors"`
		CreatePayment     struct {
			P50 float64 `json:"p50"`
			P99 float64 `json:"p99"`
		} `json:"create_payment_ms"`
	} `json:"gateway"`
}

// runLoadgen runs bench/loadgen (built into bin) as the merchant: clients clients making
// payments payments, webhooks verified, no baseline.
func runLoadgen(ctx context.Context, bin, base, key, secret string, clients, payments int, logTo io.Writer) (loadgenResult, error) {
	return runLoadgenArgs(ctx, bin, base, key, secret, logTo, "-clients", fmt.Sprint(clients), "-payments", fmt.Sprint(payments), "-timeout", "5m")
}

// runLoadgenArgs runs loadgen with these arguments after the common ones, and decodes its JSON line.
func runLoadgenArgs(ctx context.Context, bin, base, key, secret string, logTo io.Writer, args ...string) (loadgenResult, error) {
	var res loadgenResult
	args = append([]string{"-url", base, "-temporal", "", "-database", "", "-baseline=false", "-quiet-wait", "0",
		"-sample", "0", "-warmup", "10", "-api-key", key, "-api-secret", secret}, args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, logTo)
	cmd.Stderr = logTo
	if err := cmd.Run(); err != nil {
		return res, fmt.Errorf("loadgen %s: %w", strings.Join(args, " "), err)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		if line := sc.Bytes(); bytes.HasPrefix(line, []byte(`{"bench"`)) {
			return res, json.Unmarshal(line, &res)
		}
	}
	return res, fmt.Errorf("loadgen printed no JSON line")
}

// pgSizes returns the gateway tables' total sizes (table, indexes, TOAST) and the payments count.
func pgSizes(ctx context.Context, pool *pgxpool.Pool) (payments int64, paymentsBytes, allBytes int64, err error) {
	err = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM payments), pg_total_relation_size('payments'),
		(SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm'))`).Scan(&payments, &paymentsBytes, &allBytes)
	return
}

// dirBytes is the size of the files in dir (the Temporal SQLite files and their WALs).
func dirBytes(dir string) int64 {
	var total int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total
}

// timeMetrics times n scrapes of /metrics.
func timeMetrics(ctx context.Context, base string, n int) (Latency, error) {
	c := &client{base: base, http: http.DefaultClient}
	l, err := c.timeGets(ctx, []string{"/metrics"}, n)
	if err != nil && strings.Contains(err.Error(), "404") {
		return Latency{}, nil
	}
	return l, err
}
