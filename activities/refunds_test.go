package activities

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/db"
)

// TestConcurrentRefundOutcomesMarkRefunded interleaves the outcomes of two refunds that together
// return a whole payment: the first is recorded but not yet committed when the second is
// recorded. Whichever commits last must see the other and mark the payment refunded; without the
// payment's lock each saw only its own refund processed and the payment stayed "success".
func TestConcurrentRefundOutcomesMarkRefunded(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	seedRefundedPayment(t, pool, "pay_skew", 50000, "rfnd_skew_a", "rfnd_skew_b")
	queries := db.New(pool)

	first, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	if _, err := recordRefundOutcome(ctx, queries.WithTx(first), RefundOutcome{RefundID: "rfnd_skew_a", Status: RefundProcessed}); err != nil {
		t.Fatal(err)
	}

	second := make(chan error, 1)
	go func() {
		second <- pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := recordRefundOutcome(ctx, queries.WithTx(tx), RefundOutcome{RefundID: "rfnd_skew_b", Status: RefundProcessed})
			return err
		})
	}()
	// The second outcome either waits for the first's lock or (without it) commits on its own.
	var done bool
	deadline := time.Now().Add(10 * time.Second)
	for !done && !waitingOnLock(t, pool) {
		select {
		case err := <-second:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the second outcome neither waited nor finished")
		}
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if !done {
		if err := <-second; err != nil {
			t.Fatal(err)
		}
	}

	p, err := queries.GetPaymentByID(ctx, "pay_skew")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "refunded" || p.AmountRefunded != 50000 {
		t.Errorf("payment after both refunds processed: status %s, amount_refunded %d; want refunded, 50000", p.Status, p.AmountRefunded)
	}
}

// TestRefundedOnlyWhenNoneIsPending checks each order of outcomes: the payment becomes refunded
// with the last processed refund that completes its amount, never while one is still pending, and
// not at all when a refund fails (its amount is released).
func TestRefundedOnlyWhenNoneIsPending(t *testing.T) {
	cases := []struct {
		name     string
		outcomes []RefundOutcome
		status   []string // the payment's status after each outcome
	}{
		{"both processed", []RefundOutcome{{RefundID: "a", Status: RefundProcessed}, {RefundID: "b", Status: RefundProcessed}}, []string{"success", "refunded"}},
		{"second fails", []RefundOutcome{{RefundID: "a", Status: RefundProcessed}, {RefundID: "b", Status: RefundFailed}}, []string{"success", "success"}},
		{"first fails", []RefundOutcome{{RefundID: "a", Status: RefundFailed}, {RefundID: "b", Status: RefundProcessed}}, []string{"success", "success"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			pool := newPool(t)
			seedRefundedPayment(t, pool, "pay_x", 50000, "a", "b")
			a := &Activities{Pool: pool, Queries: db.New(pool)}
			for i, out := range c.outcomes {
				if _, err := a.RecordRefundOutcome(ctx, out); err != nil {
					t.Fatal(err)
				}
				p, err := a.Queries.GetPaymentByID(ctx, "pay_x")
				if err != nil {
					t.Fatal(err)
				}
				if p.Status != c.status[i] {
					t.Errorf("after outcome %d (%s %s): payment %s, want %s", i+1, out.RefundID, out.Status, p.Status, c.status[i])
				}
			}
		})
	}
}

// seedRefundedPayment inserts a successful payment of amount with two pending refunds of half of
// it each, their amounts reserved as POST /refunds does.
func seedRefundedPayment(t *testing.T, pool *pgxpool.Pool, paymentID string, amount int64, refundA, refundB string) {
	t.Helper()
	ctx, order := context.Background(), "order_"+paymentID
	exec := func(sql string, args ...any) {
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO orders (id, merchant_id, amount, currency, status) VALUES ($1, $2, $3, 'INR', 'paid')`, order, auth.TestMerchantID, amount)
	exec(`INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, status, amount_refunded)
	      VALUES ($1, $2, $3, $4, 'INR', 'upi', 'a@upi', 'success', $4)`, paymentID, order, auth.TestMerchantID, amount)
	for _, rf := range []struct {
		id     string
		amount int64
	}{{refundA, amount / 2}, {refundB, amount - amount/2}} {
		exec(`INSERT INTO refunds (id, payment_id, order_id, merchant_id, amount, currency) VALUES ($1, $2, $3, $4, $5, 'INR')`,
			rf.id, paymentID, order, auth.TestMerchantID, rf.amount)
	}
}

// waitingOnLock reports whether a connection of the test's database waits for a row lock.
func waitingOnLock(t *testing.T, pool *pgxpool.Pool) bool {
	var n int
	err := pool.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}
