package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/pglocal/pgtest"
)

var pg = pgtest.New(func(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	return db.Migrate(ctx, pool)
})

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

// TestSeederDistributions seeds 20 000 payments in two steps on the real schema and checks what
// the growth benchmark relies on: the rows are consistent with each other (as the gateway would
// have written them), and the shares, amounts and dates follow the documented distributions.
func TestSeederDistributions(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	big := uuid.New()
	if err := EnsureMerchants(ctx, pool, big, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	s := &Seeder{Pop: NewPopulation(big), Now: now, Seed: 7, Workers: 2, Chunk: 3000}
	c1, err := s.Add(ctx, pool, 10000, 0)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.Add(ctx, pool, 10000, 4) // chunks 4.. draw other rows than chunks 0..3
	if err != nil {
		t.Fatal(err)
	}
	if c1.Payments+c2.Payments != 20000 || c1.Orders+c2.Orders != 20000 {
		t.Fatalf("seeded %+v and %+v, want 10 000 payments and orders each", c1, c2)
	}

	var q struct {
		payments, orders, refunds, logs, bigPay, failed, refunded, pending, upi, usd, recent, older int64
		orphans, badOrders, badRefunded, badLogs, outside                                           int64
		medianAmount                                                                                float64
		minAmount                                                                                   int64
	}
	err = pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM payments), (SELECT count(*) FROM orders), (SELECT count(*) FROM refunds), (SELECT count(*) FROM webhook_logs),
		(SELECT count(*) FROM payments WHERE merchant_id = $1),
		(SELECT count(*) FROM payments WHERE status = 'failed'), (SELECT count(*) FROM payments WHERE status = 'refunded'),
		(SELECT count(*) FROM payments WHERE status = 'pending'),
		(SELECT count(*) FROM payments WHERE method = 'upi'), (SELECT count(*) FROM payments WHERE currency = 'USD'),
		(SELECT count(*) FROM payments WHERE created_at > $2::timestamptz - interval '182 days'),
		(SELECT count(*) FROM payments WHERE created_at <= $2::timestamptz - interval '182 days'),
		(SELECT count(*) FROM refunds r LEFT JOIN payments p ON p.id = r.payment_id WHERE p.id IS NULL OR p.order_id <> r.order_id OR p.merchant_id <> r.merchant_id),
		(SELECT count(*) FROM payments p LEFT JOIN orders o ON o.id = p.order_id
		  WHERE o.id IS NULL OR o.merchant_id <> p.merchant_id OR o.amount <> p.amount OR (o.status = 'paid') <> (p.status <> 'failed')),
		(SELECT count(*) FROM payments p WHERE amount_refunded <> coalesce((SELECT sum(amount) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'processed'), 0)
		  OR (p.status = 'refunded') <> (p.amount_refunded = p.amount)),
		(SELECT count(*) FROM payments p WHERE (SELECT count(*) FROM webhook_logs l WHERE l.payment_id = p.id AND l.refund_id IS NULL
		  AND l.event = CASE WHEN p.status = 'failed' THEN 'payment.failed' ELSE 'payment.success' END AND l.merchant_id = p.merchant_id) <> 1),
		(SELECT count(*) FROM payments WHERE created_at > $2::timestamptz - interval '1 hour' OR created_at < $2::timestamptz - interval '366 days'),
		(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM payments), (SELECT min(amount) FROM payments)`,
		big, now).Scan(&q.payments, &q.orders, &q.refunds, &q.logs, &q.bigPay, &q.failed, &q.refunded, &q.pending, &q.upi, &q.usd,
		&q.recent, &q.older, &q.orphans, &q.badOrders, &q.badRefunded, &q.badLogs, &q.outside, &q.medianAmount, &q.minAmount)
	if err != nil {
		t.Fatal(err)
	}
	if q.payments != 20000 || q.orders != 20000 || q.logs != q.payments+q.refunds {
		t.Errorf("%d payments, %d orders, %d webhook logs for %d refunds: want 20 000, 20 000 and one log per payment and per refund",
			q.payments, q.orders, q.logs, q.refunds)
	}
	if q.orphans+q.badOrders+q.badRefunded+q.badLogs+q.outside != 0 {
		t.Errorf("inconsistent rows: %d refunds without their payment, %d payments not matching their order, %d wrong amount_refunded or status, %d payments without exactly one terminal webhook log, %d created outside the year",
			q.orphans, q.badOrders, q.badRefunded, q.badLogs, q.outside)
	}
	share := func(what string, n int64, want, tol float64) {
		t.Helper()
		if got := float64(n) / float64(q.payments); got < want-tol || got > want+tol {
			t.Errorf("%s: %.3f of the payments, want %.3f ± %.3f", what, got, want, tol)
		}
	}
	share("big merchant", q.bigPay, BigShare, 0.015)
	share("failed", q.failed, shareFailed, 0.01)
	share("with a refund", q.refunds, shareRefunded, 0.01)
	share("fully refunded", q.refunded, shareRefunded*shareFull*(1-shareRefFail), 0.01)
	share("UPI", q.upi, shareUPI, 0.015)
	share("USD", q.usd, shareUSD, 0.008)
	if q.pending != 0 {
		t.Errorf("%d pending payments: the recovery sweep would pick them up", q.pending)
	}
	// Density 3 - 2a over the year's age a: the newer half holds 1.25 / 0.75 as many as the older.
	if r := float64(q.recent) / float64(q.older); r < 1.45 || r > 1.9 {
		t.Errorf("newer half / older half of the year = %.2f, want about 1.67 (traffic grew over the year)", r)
	}
	if q.medianAmount < 40000 || q.medianAmount > 60000 || q.minAmount < 100 {
		t.Errorf("median amount %.0f (want about 50 000), smallest %d (want at least 100)", q.medianAmount, q.minAmount)
	}

	// The COPY ran with triggers off: after the recount the running totals (agg's migration) agree
	// with the rows, as totals_drift() checks.
	if err := recount(ctx, pool); err != nil {
		t.Fatal(err)
	}
	var drift int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM totals_drift()`).Scan(&drift); err != nil {
		t.Fatalf("totals_drift: %v", err)
	}
	if drift != 0 {
		t.Errorf("%d keys of the running totals differ from the rows after the recount", drift)
	}

	// The small merchant measured by the benchmark can call the API with its credentials.
	key, secret := SmallCredentials()
	var hash []byte
	var id uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT id, api_secret_hash FROM merchants WHERE api_key = $1`, key).Scan(&id, &hash); err != nil {
		t.Fatal(err)
	}
	if id != s.Pop.IDs[SmallRank] || !bytes.Equal(hash, auth.HashSecret(secret)) {
		t.Errorf("small merchant %s with secret hash %x; want %s and the hash of %q", id, hash, s.Pop.IDs[SmallRank], secret)
	}
}

func BenchmarkGenerate(b *testing.B) {
	s := &Seeder{Pop: NewPopulation(uuid.New()), Now: time.Now(), Seed: 1}
	for i := 0; b.Loop(); i++ {
		s.Generate(i, 1000)
	}
}
