package main

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgStats reads pg_stat_statements in the gateway's database. It needs the extension's library in
// shared_preload_libraries; without it every figure is n/a, with the reason.
type pgStats struct {
	conn   *pgx.Conn
	reason string // why the figures are n/a; "" when available
}

// SQLCost is the SQL a payment costs, from pg_stat_statements over the payment phase. It counts
// every statement the gateway ran in its database during the phase: both API calls (order and
// payment, with their authentication), the workflow's activities and the webhook attempts.
type SQLCost struct {
	Available              bool        `json:"available"`
	Reason                 string      `json:"reason,omitempty"`
	Statements             int64       `json:"statements,omitempty"`
	PerPayment             float64     `json:"per_payment,omitempty"`
	PerPaymentNoTxControl  float64     `json:"per_payment_without_begin_commit,omitempty"`
	TransactionsPerPayment float64     `json:"transactions_per_payment,omitempty"`
	ExecMillisPerPayment   float64     `json:"exec_ms_per_payment,omitempty"`
	Top                    []Statement `json:"top,omitempty"`
}

// Statement is one normalized statement's share.
type Statement struct {
	Query      string  `json:"query"`
	Calls      int64   `json:"calls"`
	PerPayment float64 `json:"per_payment"`
	MeanMillis float64 `json:"mean_ms"`
}

func openPGStats(ctx context.Context, url string) *pgStats {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, url)
	if err != nil {
		return &pgStats{reason: "cannot connect to -database: " + err.Error()}
	}
	p := &pgStats{conn: conn}
	var libs string
	if err := conn.QueryRow(cctx, "SHOW shared_preload_libraries").Scan(&libs); err != nil {
		p.reason = err.Error()
		return p
	}
	if !strings.Contains(libs, "pg_stat_statements") {
		p.reason = "pg_stat_statements is not in shared_preload_libraries (the cluster needs -c shared_preload_libraries=pg_stat_statements at start)"
		return p
	}
	if _, err := conn.Exec(cctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		p.reason = "CREATE EXTENSION pg_stat_statements: " + err.Error()
	}
	return p
}

func (p *pgStats) Close() {
	if p != nil && p.conn != nil {
		p.conn.Close(context.Background())
	}
}

func (p *pgStats) reset(ctx context.Context) {
	if p == nil || p.reason != "" {
		return
	}
	if _, err := p.conn.Exec(ctx, "SELECT pg_stat_statements_reset()"); err != nil {
		p.reason = "pg_stat_statements_reset: " + err.Error()
	}
}

var spaces = regexp.MustCompile(`\s+`)

// read sums the statements run in this database since reset, leaving out this process's own.
func (p *pgStats) read(ctx context.Context, payments int) *SQLCost {
	if p == nil {
		return nil
	}
	if p.reason != "" {
		return &SQLCost{Reason: p.reason}
	}
	rows, err := p.conn.Query(ctx, `
		SELECT query, calls, total_exec_time FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT ILIKE '%pg_stat_statements%'
		ORDER BY calls DESC, total_exec_time DESC`)
	if err != nil {
		return &SQLCost{Reason: "read pg_stat_statements: " + err.Error()}
	}
	defer rows.Close()
	c := &SQLCost{Available: true}
	var txControl, commits int64
	var execMillis float64
	n := float64(max(payments, 1))
	for rows.Next() {
		var q string
		var calls int64
		var total float64
		if err := rows.Scan(&q, &calls, &total); err != nil {
			return &SQLCost{Reason: err.Error()}
		}
		q = strings.TrimSpace(spaces.ReplaceAllString(q, " "))
		c.Statements += calls
		execMillis += total
		switch strings.ToUpper(q) {
		case "BEGIN", "COMMIT", "ROLLBACK", "BEGIN READ WRITE", "BEGIN ISOLATION LEVEL READ COMMITTED":
			txControl += calls
			if !strings.HasPrefix(strings.ToUpper(q), "BEGIN") {
				commits += calls
			}
		}
		if len(c.Top) < 20 {
			if len(q) > 110 {
				q = q[:107] + "..."
			}
			c.Top = append(c.Top, Statement{Query: q, Calls: calls, PerPayment: round(float64(calls)/n, 2), MeanMillis: round(total/float64(max(calls, 1)), 3)})
		}
	}
	if err := rows.Err(); err != nil {
		return &SQLCost{Reason: err.Error()}
	}
	c.PerPayment = round(float64(c.Statements)/n, 2)
	c.PerPaymentNoTxControl = round(float64(c.Statements-txControl)/n, 2)
	c.TransactionsPerPayment = round(float64(commits)/n, 2)
	c.ExecMillisPerPayment = round(execMillis/n, 3)
	return c
}
