//go:build faults

package faults

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// finalTimeout bounds the wait for payments and their webhooks to be final after a fault. It is
// generous (the machine may be busy): it also covers the pending sweep, which runs every minute.
const finalTimeout = 3 * time.Minute

// workflowRun is what a payment workflow's history says about the workers that ran it.
type workflowRun struct {
	running     string   // identity of the worker running a workflow task now, if any
	timedOut    []string // identities of the workers whose workflow task timed out (they died)
	completedBy string   // identity of the worker that completed the workflow's last task (a payment awaiting capture stays open)
}

// readRun reads the history of a payment's workflow (its id is the payment id). Worker identities
// are "pid@host@" by default.
func readRun(ctx context.Context, tc client.Client, paymentID string) (workflowRun, error) {
	var run workflowRun
	var started, completed string
	it := tc.GetWorkflowHistory(ctx, paymentID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return run, err
		}
		run.running = ""
		switch e.EventType {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			started = e.GetWorkflowTaskStartedEventAttributes().GetIdentity()
			run.running = started
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
			run.timedOut = append(run.timedOut, started)
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			completed = e.GetWorkflowTaskCompletedEventAttributes().GetIdentity()
		}
	}
	run.completedBy = completed
	return run, nil
}

func identityOf(pid int) string { return fmt.Sprintf("%d@", pid) }

// inHand lists the payments the worker with pid has in the bank right now: pending, no bank
// ledger row yet, and their workflow task started on that worker and still open (the bank call
// is a local activity, run inside the workflow task).
func inHand(t testing.TB, db *pgxpool.Pool, tc client.Client, pid int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rows, err := db.Query(ctx, `SELECT p.id FROM payments p WHERE p.status = 'pending'
		AND NOT EXISTS (SELECT 1 FROM bank_operations b WHERE b.idempotency_key = p.id)`)
	if err != nil {
		t.Fatalf("list payments in the bank: %v", err)
	}
	var pending, ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		pending = append(pending, id)
	}
	rows.Close()
	for _, id := range pending {
		if run, err := readRun(ctx, tc, id); err == nil && strings.HasPrefix(run.running, identityOf(pid)) {
			ids = append(ids, id)
		}
	}
	return ids
}

// waitRecorded waits until the gateway has recorded every webhook answer the receiver wrote.
func waitRecorded(t testing.TB, db *pgxpool.Pool, rc *receiver) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	answered := map[string]int{}
	for _, a := range rc.list() {
		if a.Answered != 0 {
			answered[a.EventID]++
		}
	}
	ok := waitUntil(30*time.Second, 50*time.Millisecond, func() bool {
		rows, err := db.Query(ctx, `SELECT id, attempts FROM webhook_logs WHERE attempts > 0`)
		if err != nil {
			return false
		}
		defer rows.Close()
		recorded := 0
		for rows.Next() {
			var id string
			var attempts int
			rows.Scan(&id, &attempts)
			if n, ok := answered[id]; ok && attempts >= n {
				recorded++
			}
		}
		return recorded == len(answered)
	})
	if !ok {
		t.Fatalf("the gateway did not record the %d webhook answers it got within 30 s", len(answered))
	}
}

// killMidSettlement waits until the bank has settled 10 payments and worker w has at least 3 in
// the bank, then SIGKILLs it with the receiver frozen (see receiver). It returns the payments w
// had in the bank.
func killMidSettlement(t *testing.T, db *pgxpool.Pool, tc client.Client, rc *receiver, l *load, w *proc) []string {
	t.Helper()
	pid := w.pid()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ready := func() bool {
		var settled int
		db.QueryRow(ctx, `SELECT count(*) FROM bank_operations`).Scan(&settled)
		return len(l.failures()) > 0 || settled >= 10 && len(inHand(t, db, tc, pid)) >= 3
	}
	if !waitUntil(time.Minute, 100*time.Millisecond, ready) {
		t.Fatalf("%s never had 3 payments in the bank once 10 were settled (%d created)", w.name, l.count())
	}
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("payments refused: %v", errs)
	}
	rc.freeze()
	defer rc.unfreeze()
	waitRecorded(t, db, rc)
	held := inHand(t, db, tc, pid)
	w.kill()
	figures.faults.Add(1)
	t.Logf("SIGKILLed %s with %d payments in the bank, %d created so far", w.name, len(held), l.count())
	if len(held) == 0 {
		t.Fatalf("%s had no payment in the bank at the kill", w.name)
	}
	return held
}

// checkHandedOver checks that each payment the killed worker (pid) had in hand has a workflow
// task that timed out on it and was completed by another worker.
func checkHandedOver(t *testing.T, tc client.Client, held []string, pid int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var problems []string
	for _, id := range held {
		run, err := readRun(ctx, tc, id)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", id, err))
		case len(run.timedOut) == 0 || !strings.HasPrefix(run.timedOut[0], identityOf(pid)) ||
			run.completedBy == "" || strings.HasPrefix(run.completedBy, identityOf(pid)):
			problems = append(problems, fmt.Sprintf("%s: workflow tasks timed out on %v, completed by %q", id, run.timedOut, run.completedBy))
		}
	}
	report(t, fmt.Sprintf("of %d payments in the killed worker's hands not taken over by another worker", len(held)), problems)
}

// TestWorkerKilledMidSettlement runs `gateway serve` and one `gateway worker` against `gateway
// temporal` and PostgreSQL, SIGKILLs the worker while it has payments in the bank, keeps taking
// payments with no worker, and starts it again: every payment ends final, settled exactly
// once (one bank ledger row per payment id), each payment.success delivered once, and the
// payments in the bank at the kill were finished by the new worker process.
func TestWorkerKilledMidSettlement(t *testing.T) {
	figures.track(t)
	s := startMulti(t, 1, options{ProcessingDelay: 2 * time.Second})
	db := openDB(t, s.dbURL)
	tc := s.temporalClient(t)
	rc := newReceiver(t, nil)
	s.api.setWebhookURL(t, rc.URL)
	w := s.workers[0]
	victim := w.pid()

	l := startLoad(t, s.api, "kill", 4, 30, 400*time.Millisecond, nil)
	held := killMidSettlement(t, db, tc, rc, l, w)
	l.waitMade(t, 12) // with no worker: the API keeps accepting payments
	before := l.count()
	w.start()
	w.waitLog("worker running", time.Minute)
	l.waitMade(t, 12)
	ids := l.stop()
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("payments refused while the worker was down: %v", errs)
	}

	waitFinal(t, db, ids, finalTimeout)
	st := checkSettledOnce(t, db, ids)
	checkDelivered(t, rc, st)
	checkHandedOver(t, tc, held, victim)
	med, slow := finalTimes(t, db, ids)
	t.Logf("%d payments (%d created by the restart), %d in the bank at the kill; %d bank calls repeated; creation to final: median %s, slowest %s; requests %s",
		len(ids), before, len(held), st.bankRepeats, med, slow, l.answers.String())
}

// TestWorkerKilledOtherCompletes runs `gateway serve` and two `gateway worker` against `gateway
// temporal` and PostgreSQL, and SIGKILLs one worker for good while payments flow: every payment
// completes, those the killed worker had in the bank on the other one, each settled and
// delivered once.
func TestWorkerKilledOtherCompletes(t *testing.T) {
	figures.track(t)
	s := startMulti(t, 2, options{ProcessingDelay: 2 * time.Second})
	db := openDB(t, s.dbURL)
	tc := s.temporalClient(t)
	rc := newReceiver(t, nil)
	s.api.setWebhookURL(t, rc.URL)
	victim, survivor := s.workers[0], s.workers[1]
	victimPid := victim.pid()

	l := startLoad(t, s.api, "two", 4, 30, 400*time.Millisecond, nil)
	held := killMidSettlement(t, db, tc, rc, l, victim)
	l.waitMade(t, 24) // to the survivor alone
	ids := l.stop()
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("payments refused: %v", errs)
	}
	if !survivor.running() {
		t.Fatal("the surviving worker died too")
	}

	waitFinal(t, db, ids, finalTimeout)
	st := checkSettledOnce(t, db, ids)
	checkDelivered(t, rc, st)
	checkHandedOver(t, tc, held, victimPid)
	med, slow := finalTimes(t, db, ids)
	t.Logf("%d payments, %d in the killed worker's bank at the kill, taken over; %d bank calls repeated; creation to final: median %s, slowest %s; requests %s",
		len(ids), len(held), st.bankRepeats, med, slow, l.answers.String())
}

// TestOutcomeWebhookAfterWorkerCrash kills the only worker after payments' outcomes are recorded
// and while their payment.success deliveries are in flight (the endpoint holds them), then starts
// it again: the new worker sends those events at once (the workflow's re-run sends outcome events
// recorded but never sent), well before the pending sweep (events unsent for a minute) would.
func TestOutcomeWebhookAfterWorkerCrash(t *testing.T) {
	figures.track(t)
	s := startMulti(t, 1, options{})
	db := openDB(t, s.dbURL)
	var hold atomic.Bool
	hold.Store(true)
	rc := newReceiver(t, func(a arrival) answer {
		if a.Event == "payment.success" && hold.Load() {
			return answer{Hang: time.Minute} // until the worker dies and hangs up
		}
		return answer{}
	})
	s.api.setWebhookURL(t, rc.URL)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var answers tally
	var ids []string
	for i := range 5 {
		id, err := s.api.createPaid(ctx, fmt.Sprintf("outcome-%d", i), i, 30000, &answers, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	held := func() int {
		n := 0
		for _, a := range rc.list() {
			if a.Event == "payment.success" {
				n++
			}
		}
		return n
	}
	// The gateway gives up on a request after 10 s: the kill must come before.
	if !waitUntil(8*time.Second, 20*time.Millisecond, func() bool { return held() == len(ids) }) {
		t.Fatalf("%d of %d payment.success deliveries reached the endpoint", held(), len(ids))
	}
	s.workers[0].kill()
	figures.faults.Add(1)
	hold.Store(false)
	s.workers[0].start()
	s.workers[0].waitLog("worker running", time.Minute)

	// The workflow task timeout (10 s), a sticky queue's timeout (5 s), and room; the sweep could
	// not send them before a minute has passed.
	waitFinal(t, db, ids, 40*time.Second)
	st := checkSettledOnce(t, db, ids)
	checkDelivered(t, rc, st)
}
