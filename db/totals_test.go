package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/paygate/paygate/pglocal/pgtest"
)

// pg gives each test a migrated database (no merchant: tests add their own).
var pg = pgtest.New(func(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	return Migrate(ctx, pool)
})

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

func newPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// addMerchant inserts a merchant with a webhook URL (so payments record events).
func addMerchant(t testing.TB, pool *pgxpool.Pool) uuid.UUID {
	t.Helper()
	id := uuid.New()
	_, err := pool.Exec(context.Background(), `INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_url, webhook_secret)
		VALUES ($1, 'm', $2, 'x', $2, '\x00', 'https://example.com/hook', 's')`, id, id.String())
	if err != nil {
		t.Fatal(err)
	}
	// Its primary webhook endpoint, as PUT /webhooks/config makes it: events get deliveries.
	_, err = pool.Exec(context.Background(), `INSERT INTO webhook_endpoints (id, merchant_id, url, is_primary)
		VALUES ('we_' || replace($1::text, '-', ''), $1::uuid, 'https://example.com/hook', true)`, id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// drift is what totals_drift() reports: the keys whose running totals differ from a recount.
func drift(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT level, kind, coalesce(merchant_id::text, ''), coalesce(day::text, ''),
		currency, status, detail, kept_n, kept_amount::text, counted_n, counted_amount::text FROM totals_drift()`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var level, kind, merchant, day, currency, status, detail, keptAmount, countedAmount string
		var kept, counted int64
		if err := rows.Scan(&level, &kind, &merchant, &day, &currency, &status, &detail, &kept, &keptAmount, &counted, &countedAmount); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %s: kept %d/%s, counted %d/%s", level, kind, merchant, day, currency,
			status, detail, kept, keptAmount, counted, countedAmount))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lifecycle runs one payment through what the gateway does to it, with the gateway's queries:
// an order, the payment with its events, its outcome, webhook attempts, sometimes refunds and
// their outcomes, an audit entry. It returns the first error.
func lifecycle(ctx context.Context, pool *pgxpool.Pool, merchant uuid.UUID, rng *rand.Rand, seq int64) error {
	q := New(pool)
	currency := []string{"INR", "USD"}[rng.IntN(2)]
	amount := int64(100 + rng.IntN(100_000))
	o, err := q.CreateOrder(ctx, CreateOrderParams{ID: fmt.Sprintf("order_%d", seq), MerchantID: merchant, Amount: amount, Currency: currency, Notes: json.RawMessage(`{}`), Capture: "manual"})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	payID := fmt.Sprintf("pay_%d", seq)
	events, _ := json.Marshal([]map[string]any{
		{"id": fmt.Sprintf("evt_%d_c", seq), "event": "payment.created", "data": map[string]any{"payment": map[string]any{}}},
		{"id": fmt.Sprintf("evt_%d_p", seq), "event": "payment.pending", "data": map[string]any{"payment": map[string]any{}}},
	})
	vpa := "a@upi"
	method, last4 := "upi", (*string)(nil)
	if rng.IntN(2) == 0 {
		method, vpa, last4 = "card", "", new(string)
		*last4 = "4242"
	}
	p := CreatePaymentParams{ID: payID, Method: method, CardLast4: last4, CreatedAt: time.Now(), OrderID: o.ID, MerchantID: merchant, FailedSince: time.Now(), Events: events}
	if method == "upi" {
		p.Vpa = &vpa
	}
	if _, err := q.CreatePayment(ctx, p); err != nil {
		return fmt.Errorf("create payment: %w", err)
	}
	attempt := func(ids ...string) error {
		var params []RecordAttemptParams
		for _, id := range ids {
			status := []string{"success", "failed", "pending"}[rng.IntN(3)]
			params = append(params, RecordAttemptParams{ID: id, Attempt: 1, Status: status})
		}
		var err error
		q.RecordAttempt(ctx, params).Exec(func(_ int, e error) {
			if e != nil && err == nil {
				err = e
			}
		})
		return err
	}
	if err := attempt(fmt.Sprintf("evt_%d_c", seq), fmt.Sprintf("evt_%d_p", seq)); err != nil {
		return fmt.Errorf("attempts: %w", err)
	}
	if rng.IntN(10) == 0 {
		return nil // stays pending
	}
	status := "success"
	if rng.IntN(4) == 0 {
		status = "failed"
	}
	// RecordPaymentOutcome's transaction: the outcome, the order, the outcome event.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		qt := q.WithTx(tx)
		if _, err := qt.FinishPayment(ctx, FinishPaymentParams{ID: payID, Status: status}); err != nil {
			return err
		}
		if status == "success" {
			if err := qt.MarkOrderPaid(ctx, o.ID); err != nil {
				return err
			}
		}
		payload, _ := json.Marshal([]map[string]any{{"id": fmt.Sprintf("evt_%d_o", seq), "event": "payment." + status}})
		_, err := qt.RecordEvents(ctx, RecordEventsParams{Payloads: payload, MerchantID: merchant, PaymentID: &payID})
		return err
	})
	if err != nil {
		return fmt.Errorf("outcome: %w", err)
	}
	if err := attempt(fmt.Sprintf("evt_%d_o", seq)); err != nil {
		return fmt.Errorf("attempts: %w", err)
	}
	if rng.IntN(3) == 0 {
		if _, err := q.ResetDelivery(ctx, ResetDeliveryParams{ID: fmt.Sprintf("evt_%d_o", seq), MerchantID: merchant}); err != nil {
			return fmt.Errorf("reset delivery: %w", err)
		}
	}
	if err := q.RecordAudit(ctx, RecordAuditParams{MerchantID: &merchant, Actor: "t", Action: "payment.test", SourceAddress: "127.0.0.1", Details: json.RawMessage(`{}`)}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if status != "success" || rng.IntN(2) == 0 {
		return nil
	}
	// Up to two refunds, as POST /refunds and RecordRefundOutcome do them.
	left := amount
	for i := range 1 + rng.IntN(2) {
		part := left
		if i == 0 && rng.IntN(2) == 0 {
			part = max(1, left/2)
		}
		rfID := fmt.Sprintf("rfnd_%d_%d", seq, i)
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			qt := q.WithTx(tx)
			if _, err := qt.GetPaymentForUpdate(ctx, GetPaymentForUpdateParams{ID: payID, MerchantID: merchant}); err != nil {
				return err
			}
			if _, err := qt.AddRefundedAmount(ctx, AddRefundedAmountParams{ID: payID, Delta: part}); err != nil {
				return err
			}
			_, err := qt.CreateRefund(ctx, CreateRefundParams{ID: rfID, PaymentID: payID, OrderID: o.ID, MerchantID: merchant, Amount: part, Currency: currency})
			return err
		})
		if err != nil {
			return fmt.Errorf("refund: %w", err)
		}
		left -= part
		outcome := "processed"
		if rng.IntN(4) == 0 {
			outcome = "failed"
		}
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			qt := q.WithTx(tx)
			if _, err := qt.LockRefundedPayment(ctx, rfID); err != nil {
				return err
			}
			if _, err := qt.FinishRefund(ctx, FinishRefundParams{ID: rfID, Status: outcome}); err != nil {
				return err
			}
			if outcome == "failed" {
				left += part
				_, err := qt.AddRefundedAmount(ctx, AddRefundedAmountParams{ID: payID, Delta: -part})
				return err
			}
			return qt.MarkPaymentRefunded(ctx, payID)
		})
		if err != nil {
			return fmt.Errorf("refund outcome: %w", err)
		}
		if left == 0 {
			break
		}
	}
	return nil
}

// The running totals equal a full recount after payments, refunds, webhook attempts and audit
// entries written from several goroutines at once for two merchants (the same keys, so the
// writers contend for the same totals rows), and no writer ever fails or deadlocks.
func TestTotalsExactUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	pool := newPool(t, pg.NewDatabase(t))
	merchants := []uuid.UUID{addMerchant(t, pool), addMerchant(t, pool)}
	const workers, each = 8, 40
	var seq atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	// Folds run all along, as a worker's do, and one as they end: what they move from pending
	// to the levels is neither lost nor counted twice, whenever they run.
	q := New(pool)
	folding, folded := make(chan struct{}), make(chan int64, 1)
	go func() {
		var moved int64
		defer func() { folded <- moved }()
		for {
			n, err := q.FoldTotals(context.Background())
			if err != nil {
				errs <- err
				return
			}
			moved += n
			select {
			case <-folding:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for range each {
				if err := lifecycle(context.Background(), pool, merchants[rng.IntN(2)], rng, seq.Add(1)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(folding)
	if <-folded == 0 {
		t.Fatal("no fold moved a pending change while the payments were written")
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("running totals differ from a recount:\n%v", d)
	}
	if _, err := q.FoldTotals(context.Background()); err != nil {
		t.Fatal(err)
	}
	var pending int64
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM totals_pending").Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("after the last fold, %d changes pending (%v)", pending, err)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("running totals differ from a recount after the last fold:\n%v", d)
	}
	// The figures the dashboard reads, from the totals, equal the rows' own count.
	for _, m := range merchants {
		st, err := q.PaymentStats(context.Background(), PaymentStatsParams{MerchantID: m, Currency: "INR"})
		if err != nil {
			t.Fatal(err)
		}
		var total, ok int64
		if err := pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE status IN ('success', 'refunded'))
			FROM payments WHERE merchant_id = $1 AND currency = 'INR'`, m).Scan(&total, &ok); err != nil {
			t.Fatal(err)
		}
		if st.TotalTransactions != total || st.SuccessfulTransactions != ok || total == 0 {
			t.Errorf("PaymentStats = %+v, rows: %d, %d successful", st, total, ok)
		}
	}
	// A recount leaves them as they are, and a write with the triggers off is a drift that a
	// recount repairs.
	if err := q.RecountTotals(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("after a recount: %v", d)
	}
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), "UPDATE payments SET status = 'failed' WHERE status = 'pending'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(drift(t, pool)) == 0 {
		t.Fatal("a write with the triggers off shows no drift: the check cannot fail")
	}
	if err := q.RecountTotals(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("after a recount: %v", d)
	}
}

// Migration 00007 backfills the totals from the rows already there, exactly, while payments keep
// being written: writers wait for the migration's locks, and what they write after it is counted
// by the triggers.
func TestTotalsBackfillWhileWriting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t, emptyDatabase(t, "backfill"))
	provider := migrationProvider(t, pool)
	if _, err := provider.UpTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	// The writers use today's queries, which need the columns and tables of later migrations that
	// do not touch what 00007 counts (00008's capture columns, 00009's events and endpoints): add
	// them ahead, as those migrations do.
	addLaterColumns(ctx, t, pool, "00008_authorization.sql")
	addLaterColumns(ctx, t, pool, "00009_events_endpoints.sql")
	merchant := addMerchant(t, pool)
	var seq atomic.Int64
	rng := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		if err := lifecycle(ctx, pool, merchant, rng, seq.Add(1)); err != nil {
			t.Fatal(err)
		}
	}
	writeAround(ctx, t, pool, merchant, &seq, func() error { _, err := provider.UpTo(ctx, 7); return err })
}

// FoldTotalsEvery, as each worker runs it, moves the pending changes into the levels until its
// context ends, and the figures read the same before and after.
func TestFoldTotalsEvery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t, pg.NewDatabase(t))
	merchant := addMerchant(t, pool)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 20 {
		if err := lifecycle(ctx, pool, merchant, rng, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	q := New(pool)
	pending := func() int64 {
		var n int64
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM totals_pending").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stats := func() PaymentStatsRow {
		st, err := q.PaymentStats(ctx, PaymentStatsParams{MerchantID: merchant, Currency: "INR"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := stats()
	if pending() == 0 || before.TotalTransactions == 0 {
		t.Fatalf("nothing pending (%d) or counted (%+v) before the folds", pending(), before)
	}
	folding, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		FoldTotalsEvery(folding, q, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if n := pending(); n > 0 {
		t.Fatalf("%d changes still pending after folding for 30 s", n)
	}
	if after := stats(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("PaymentStats changed with the fold: %+v, then %+v", before, after)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("running totals differ from a recount after the folds:\n%v", d)
	}
}

// Migration 00010 (pending changes, folded) takes over from 00007's totals while payments keep
// being written, and keeps them exact; its Down section gives 00007's way back, exact too.
func TestTotalsPendingMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t, emptyDatabase(t, "pending"))
	provider := migrationProvider(t, pool)
	if _, err := provider.UpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	merchant := addMerchant(t, pool)
	var seq atomic.Int64
	writing := func(migrate func() error) { writeAround(ctx, t, pool, merchant, &seq, migrate) }
	writing(func() error { return nil })
	// 00007 gives a key a row per concurrent writer: every key gets a second, empty one here.
	var duplicated int64
	for _, level := range []string{"totals_daily (kind, merchant_id, day, currency, status, detail, n, amount) SELECT kind, merchant_id, day, currency, status, detail",
		"totals_merchant (kind, merchant_id, currency, status, detail, n, amount) SELECT kind, merchant_id, currency, status, detail",
		"totals_global (kind, currency, status, n, amount) SELECT kind, currency, status"} {
		table, _, _ := strings.Cut(level, " ")
		tag, err := pool.Exec(ctx, "INSERT INTO "+level+", 0, 0 FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		duplicated += tag.RowsAffected()
	}
	writing(func() error { _, err := provider.UpTo(ctx, 10); return err })
	var keys, rows int64
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT (kind, merchant_id, currency, status, detail)), count(*) FROM totals_merchant`).Scan(&keys, &rows); err != nil {
		t.Fatal(err)
	}
	if keys != rows || rows == 0 || duplicated == 0 {
		t.Fatalf("totals_merchant has %d rows for %d keys after the migration (%d duplicated before): want one each", rows, keys, duplicated)
	}
	writing(func() error { _, err := provider.Down(ctx); return err })
	writing(func() error { _, err := provider.UpTo(ctx, 10); return err })
}

// writeAround runs payments' lifecycles from 4 writers around migrate (some before it starts,
// some after it ends, the rest meeting its locks), then checks that the running totals equal a
// recount. A writer aborted by a deadlock with the migration is retried, as the gateway retries
// a failed step.
func writeAround(ctx context.Context, t *testing.T, pool *pgxpool.Pool, merchant uuid.UUID, seq *atomic.Int64, migrate func() error) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	before := seq.Load()
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(before)))
			for {
				if err := lifecycle(ctx, pool, merchant, rng, seq.Add(1)); err != nil && !isDeadlock(err) {
					errs <- err
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	wrote := func(n int64) bool {
		return waitFor(30*time.Second, func() bool { return seq.Load()-before >= n })
	}
	var err error
	if wrote(4) {
		err = migrate()
	}
	midway := seq.Load() - before
	ok := wrote(midway + 4)
	close(stop)
	wg.Wait()
	close(errs)
	if err != nil {
		t.Fatal(err)
	}
	for err := range errs {
		t.Fatal(err)
	}
	if midway < 4 || !ok {
		t.Fatalf("%d payments written before the migration ended, %d in all: the writers did not run around it", midway, seq.Load()-before)
	}
	if d := drift(t, pool); len(d) > 0 {
		t.Fatalf("running totals differ from a recount:\n%v", d)
	}
}

// migrationProvider applies the migrations one by one on pool, for tests of a migration under
// concurrent writes.
func migrationProvider(t *testing.T, pool *pgxpool.Pool) *goose.Provider {
	t.Helper()
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { sqlDB.Close() })
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, dir)
	if err != nil {
		t.Fatal(err)
	}
	return provider
}

// waitFor polls cond every 5 ms until it holds (true) or d has passed (false).
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// BenchmarkLifecycle measures payments/s through lifecycle from 8 goroutines with the totals'
// triggers on and off (session_replication_role = replica): what the running totals cost writers.
func BenchmarkLifecycle(b *testing.B) {
	for _, mode := range []string{"origin", "replica"} {
		b.Run("triggers="+map[string]string{"origin": "on", "replica": "off"}[mode], func(b *testing.B) {
			url := pg.NewDatabase(b)
			cfg, err := pgxpool.ParseConfig(url)
			if err != nil {
				b.Fatal(err)
			}
			cfg.ConnConfig.RuntimeParams["session_replication_role"] = mode
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			merchant := addMerchant(b, pool)
			var seq atomic.Int64
			b.SetParallelism(4) // 4 × GOMAXPROCS goroutines
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(uint64(seq.Add(1_000_000_000)), 3))
				for pb.Next() {
					if err := lifecycle(context.Background(), pool, merchant, rng, seq.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payments/s")
		})
	}
}

// addLaterColumns runs the Up section of a later migration ahead of its turn.
func addLaterColumns(ctx context.Context, t *testing.T, pool *pgxpool.Pool, file string) {
	t.Helper()
	src, err := migrations.ReadFile("migrations/" + file)
	if err != nil {
		t.Fatal(err)
	}
	up, _, _ := strings.Cut(string(src), "-- +goose Down")
	if _, err := pool.Exec(ctx, up); err != nil {
		t.Fatalf("%s ahead of 00007: %v", file, err)
	}
}

// emptyDatabase creates a database with no migration applied (pg's databases come migrated), for
// tests of a migration on the rows before it; it is dropped after the test.
func emptyDatabase(t *testing.T, prefix string) string {
	t.Helper()
	cluster := pg.Cluster()
	ctx := context.Background()
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if err := cluster.EnsureDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
		if err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return cluster.URL(name)
}
