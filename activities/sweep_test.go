package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/db"
)

// fakeRestarter records what the sweep restarts, and fails the ids in fail.
type fakeRestarter struct {
	mu        sync.Mutex
	payments  []string
	events    []string
	fail      map[string]bool
	completed map[string]bool
	// finished: its workflow records the outcome just before the restart finds it completed.
	finished map[string]bool
	pool     *pgxpool.Pool
}

func (f *fakeRestarter) RestartPayment(_ context.Context, p db.ListStalePendingPaymentsRow, _ []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.fail[p.ID]:
		return errors.New("temporal unreachable")
	case f.completed[p.ID]:
		return ErrWorkflowCompleted
	case f.finished[p.ID]:
		if _, err := f.pool.Exec(context.Background(), `UPDATE payments SET status = 'success' WHERE id = $1`, p.ID); err != nil {
			return err
		}
		return ErrWorkflowCompleted
	}
	f.payments = append(f.payments, p.ID)
	return nil
}

func (f *fakeRestarter) RestartRefund(context.Context, db.ListStalePendingRefundsRow, []string) error {
	return nil
}

func (f *fakeRestarter) RestartDelivery(_ context.Context, e db.ListUnsentEventsRow) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e.ID)
	return nil
}

// TestSweepPagesThroughEveryStalePayment: a backlog larger than a page is swept whole, newest
// first, and a row that cannot be restarted is skipped, not the end of the pass. The sweep used to
// read the oldest 2 500 and stop at the first failure.
func TestSweepPagesThroughEveryStalePayment(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	const n = 2*sweepPage + 37
	// n pending payments, one a second, the newest two minutes old; one more too new to sweep.
	if _, err := pool.Exec(ctx, `
		INSERT INTO orders (id, merchant_id, amount, currency)
		SELECT 'order_sweep' || i, $1, 1000, 'INR' FROM generate_series(0, $2) AS i`, auth.TestMerchantID, n); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, created_at)
		SELECT 'pay_sweep' || i, 'order_sweep' || i, $1, 1000, 'INR', 'upi', 'a@upi', now() - make_interval(secs => 120 + i)
		FROM generate_series(0, $2 - 1) AS i`, auth.TestMerchantID, n); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa)
		VALUES ('pay_fresh', 'order_sweep' || $2::int, $1, 1000, 'INR', 'upi', 'a@upi')`, auth.TestMerchantID, n); err != nil {
		t.Fatal(err)
	}
	// On the second page: a failure, a completed workflow (database restored: warned about) and
	// one that finished since it was listed (not warned about).
	f := &fakeRestarter{fail: map[string]bool{"pay_sweep600": true}, completed: map[string]bool{"pay_sweep700": true},
		finished: map[string]bool{"pay_sweep800": true}, pool: pool}
	a := &Activities{Pool: pool, Queries: db.New(pool), Restarter: f}

	var logs bytes.Buffer
	suite := &testsuite.WorkflowTestSuite{}
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	sweep := func(olderThan time.Duration) (int, error) {
		v, err := env.ExecuteActivity(a.RestartStalePayments, olderThan)
		if err != nil {
			return 0, err
		}
		var n int
		return n, v.Get(&n)
	}
	restarted, err := sweep(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if restarted != n-3 || len(f.payments) != n-3 {
		t.Fatalf("restarted %d (%d calls), want %d: every stale payment but the failing, the completed and the finished one", restarted, len(f.payments), n-3)
	}
	if out := logs.String(); !strings.Contains(out, "pay_sweep700") || !strings.Contains(out, "pay_sweep600") || strings.Contains(out, "pay_sweep800") {
		t.Errorf("warnings: want pay_sweep600 (failed) and pay_sweep700 (completed), not pay_sweep800 (finished meanwhile):\n%s", out)
	}
	for i, id := range f.payments[:5] {
		if want := fmt.Sprintf("pay_sweep%d", i); id != want {
			t.Errorf("restart %d was %s, want %s (newest first)", i, id, want)
		}
	}
	if last := f.payments[len(f.payments)-1]; last != fmt.Sprintf("pay_sweep%d", n-1) {
		t.Errorf("last restarted %s, want the oldest", last)
	}

	// The recovery sweep (olderThan 0) takes the fresh payment too.
	f.payments = nil
	if restarted, err = sweep(0); err != nil || restarted != n-2 || f.payments[0] != "pay_fresh" {
		t.Errorf("recovery pass restarted %d (%v), first %v; want %d, pay_fresh first", restarted, err, f.payments[:1], n-2)
	}
}

// TestRecoveryRestartsQueuedEvents: the recovery sweep starts, however new, the delivery of the
// unsent events that a delivery workflow of their own sends (a capture's, a test event), and
// leaves those a payment's workflow sends itself (an outcome) to the one-minute cutoff.
func TestRecoveryRestartsQueuedEvents(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	for _, e := range []struct{ id, event string }{
		{"evt_captured", "payment.captured"}, {"evt_test", "webhook.test"}, {"evt_success", "payment.success"}, {"evt_pending", "payment.pending"},
	} {
		if _, err := pool.Exec(ctx, `INSERT INTO webhook_logs (id, merchant_id, event, payload) VALUES ($1, $2, $3, '{}')`,
			e.id, auth.TestMerchantID, e.event); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE webhook_logs SET attempts = 1 WHERE id = 'evt_test'`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO webhook_logs (id, merchant_id, event, payload) VALUES ('evt_test2', $1, 'webhook.test', '{}')`, auth.TestMerchantID); err != nil {
		t.Fatal(err)
	}
	f := &fakeRestarter{}
	a := &Activities{Pool: pool, Queries: db.New(pool), Restarter: f}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	env.RegisterActivity(a)
	if _, err := env.ExecuteActivity(a.RestartQueuedEvents, time.Duration(0)); err != nil {
		t.Fatal(err)
	}
	slices.Sort(f.events)
	if !slices.Equal(f.events, []string{"evt_captured", "evt_test2"}) {
		t.Errorf("recovery restarted the deliveries of %v, want evt_captured and evt_test2 (not an attempted one, not a payment's own events)", f.events)
	}
}

// TestRerunFindsUndeliveredOutcome: a re-run of a final payment's workflow gets its outcome
// events that are not delivered yet, including one whose first attempt ran (a workflow task lost
// with the Temporal server after the attempt, before the retries were started): it used to get
// only never-attempted ones, and the attempted event's retries were never started.
func TestRerunFindsUndeliveredOutcome(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	seedRefundedPayment(t, pool, "pay_rerun", 1000, "rfnd_rerun_a", "rfnd_rerun_b")
	for _, e := range []struct {
		id, event, status string
		attempts          int
	}{
		{"evt_attempted", "payment.success", "pending", 1}, {"evt_delivered", "payment.success", "success", 1},
		{"evt_gaveup", "payment.failed", "failed", 5}, {"evt_created", "payment.created", "pending", 0},
	} {
		if _, err := pool.Exec(ctx, `INSERT INTO webhook_logs (id, merchant_id, event, payment_id, payload, status, attempts) VALUES ($1, $2, $3, 'pay_rerun', '{}', $4, $5)`,
			e.id, auth.TestMerchantID, e.event, e.status, e.attempts); err != nil {
			t.Fatal(err)
		}
	}
	a := &Activities{Pool: pool, Queries: db.New(pool)}
	check, err := a.ValidatePayment(ctx, "pay_rerun")
	if err != nil {
		t.Fatal(err)
	}
	if check.Status != "success" || !slices.Equal(check.Events, []string{"evt_attempted"}) {
		t.Errorf("re-run of a final payment: %+v, want success with evt_attempted", check)
	}
}
