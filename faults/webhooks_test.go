//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// retryWaits is the retry schedule with WEBHOOK_RETRY_INTERVALS_TEST=true: the waits before
// attempts 2 to 5.
var retryWaits = []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second}

// webhookLog is a webhook_logs row.
type webhookLog struct {
	ID, Event, PaymentID, Status string
	Attempts, ResponseCode       int
	RetryDue                     bool
}

func webhookLogs(t testing.TB, db *pgxpool.Pool, paymentIDs []string) map[string]webhookLog {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.Query(ctx, `SELECT id, event, payment_id, status, attempts, coalesce(response_code, 0),
		next_retry_at IS NOT NULL FROM webhook_logs WHERE payment_id = ANY($1)`, paymentIDs)
	if err != nil {
		t.Fatalf("read webhook_logs: %v", err)
	}
	defer rows.Close()
	out := map[string]webhookLog{}
	for rows.Next() {
		var l webhookLog
		if err := rows.Scan(&l.ID, &l.Event, &l.PaymentID, &l.Status, &l.Attempts, &l.ResponseCode, &l.RetryDue); err != nil {
			t.Fatal(err)
		}
		out[l.ID] = l
	}
	return out
}

// createPayments creates a payment of each amount, pause apart, and stops early once within has
// passed (when the machine is slow).
func createPayments(t testing.TB, c *apiClient, tag string, amounts []int64, pause, within time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var answers tally
	var ids []string
	began := time.Now()
	for i, amount := range amounts {
		if time.Since(began) > within {
			break
		}
		id, err := c.createPaid(ctx, fmt.Sprintf("%s-%d", tag, i), i, amount, &answers, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		time.Sleep(pause)
	}
	return ids
}

// TestDevKilledDuringWebhookRetries has the endpoint fail the first two attempts of every event,
// kills all of `gateway dev` (SIGKILL to it, its embedded Temporal included, and to its
// PostgreSQL) while every event waits for its third attempt, and starts it again 5 s later: the
// schedules continue where they were. Each third attempt comes on its timer (10 s after the
// second, or at once after the restart if it fell due while the gateway was down), and each event
// is delivered once, after exactly three attempts.
func TestDevKilledDuringWebhookRetries(t *testing.T) {
	figures.track(t)
	s := startDev(t, options{})
	rc := newReceiver(t, func(a arrival) answer {
		if a.N <= 2 {
			return answer{Status: http.StatusInternalServerError}
		}
		return answer{}
	})
	s.api.setWebhookURL(t, rc.URL)
	db := openDB(t, s.dbURL)

	// 12 payments 400 ms apart, within 5 s: when the gateway dies (once the last event's second
	// attempt is in, 5 s after its first) the first events' third attempts (15 s after their
	// first) are still to come; they fall due while it is down, and the last ones' after.
	amounts := make([]int64, 12)
	for i := range amounts {
		amounts[i] = 40000 + int64(i)
	}
	ids := createPayments(t, s.api, "retry", amounts, 400*time.Millisecond, 5*time.Second)

	// Waiting means more than the second attempt being recorded: its activity has completed and
	// the delivery workflow (its id is the event's) has started the timer of the third, with no
	// task in flight. A kill in between costs a task timeout (10 s for a workflow task, 15 s for
	// the attempt's activity) before the schedule goes on, which is not what this test measures.
	tc := dialTemporal(t, s.temporal)
	var logs map[string]webhookLog
	waitingThird := func() bool {
		logs = webhookLogs(t, db, ids)
		for _, l := range logs {
			if l.Attempts != 2 || !l.RetryDue {
				return false
			}
		}
		if len(logs) != 3*len(ids) {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for id := range logs {
			d, err := tc.DescribeWorkflowExecution(ctx, id, "")
			if err != nil || d.PendingWorkflowTask != nil || len(d.PendingActivities) > 0 {
				return false
			}
		}
		return true
	}
	if !waitUntil(time.Minute, 100*time.Millisecond, waitingThird) {
		t.Fatalf("events did not all wait for their third attempt: %v", logs)
	}
	killedAt := time.Now()
	s.killAll()
	figures.faults.Add(1)
	time.Sleep(5 * time.Second) // the outage
	s.start()
	back := time.Now()
	t.Logf("gateway dev killed (with its PostgreSQL) and healthy again after %s", back.Sub(killedAt).Round(100*time.Millisecond))
	db = openDB(t, s.dbURL)

	waitFinal(t, db, ids, 2*time.Minute)
	logs = webhookLogs(t, db, ids)
	var problems, failing []string
	dueWhileDown := 0
	var latest time.Duration
	for id, l := range logs {
		arr := rc.arrivalsOf(id)
		if l.Status != "success" || l.Attempts != 3 || len(arr) != 3 || rc.delivered(id) != 1 {
			problems = append(problems, fmt.Sprintf("%s (%s): %s after %d attempts, %d requests, delivered %d times",
				id, l.Event, l.Status, l.Attempts, len(arr), rc.delivered(id)))
			failing = append(failing, id)
			continue
		}
		// Not before its 10 s timer, and when that fell while the gateway was down, soon after
		// it was back: the timer survived (the pending sweep would take a minute or more).
		timer := arr[1].At.Add(retryWaits[1])
		if timer.Before(back) {
			dueWhileDown++
		}
		late := arr[2].At.Sub(later(timer, back))
		latest = max(latest, late)
		if arr[2].At.Before(timer.Add(-500*time.Millisecond)) || late > 8*time.Second {
			problems = append(problems, fmt.Sprintf("%s: third attempt %s after the second, %s after it was due",
				id, arr[2].At.Sub(arr[1].At).Round(10*time.Millisecond), late.Round(10*time.Millisecond)))
			failing = append(failing, id)
		}
	}
	if len(failing) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		t.Logf("killed at %s, back at %s", killedAt.Format("05.000"), back.Format("05.000"))
		for _, id := range failing {
			var got []string
			for _, a := range rc.arrivalsOf(id) {
				got = append(got, a.At.Format("05.000"))
			}
			t.Logf("%s of %s: requests at %v; history: %s", id, logs[id].PaymentID, got, historyOf(ctx, tc, id))
		}
	}
	report(t, "webhook schedules that did not continue where they were", problems)
	checkDelivered(t, rc, checkSettledOnce(t, db, ids))
	t.Logf("%d events, each delivered once on its third attempt; %d of those fell due while the gateway was down; latest %s after due",
		len(logs), dueWhileDown, latest.Round(time.Millisecond))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Misbehaviours of the endpoint for a payment.success event, chosen by the payment's amount.
const (
	amountHang      = 50001 // hangs past the gateway's 10 s timeout once, then 200
	amount500       = 50002 // 500 twice, then 200
	amountGone      = 50003 // 410 Gone: the schedule stops
	amountClose     = 50004 // closes the connection without an answer once, then 200
	amountAlways500 = 50005 // 500 every time: the schedule gives up after the fifth attempt
	amountRedirect  = 50006 // 302 once (not followed: a failed attempt), then 200
)

// TestWebhookEndpointFaults has the merchant's endpoint misbehave on payment.success in each way
// an endpoint can: hang past the timeout, answer 500, 410 or a redirect, close the connection.
// The payments settle regardless, and each delivery schedule does what it must: retry on the
// timer, stop at 410, give up after the fifth attempt, never follow a redirect, never deliver
// twice.
func TestWebhookEndpointFaults(t *testing.T) {
	figures.track(t)
	s := startDev(t, options{})
	rc := newReceiver(t, func(a arrival) answer {
		if a.Event != "payment.success" {
			return answer{}
		}
		switch {
		case a.Amount == amountHang && a.N == 1:
			return answer{Hang: 15 * time.Second}
		case a.Amount == amount500 && a.N <= 2, a.Amount == amountAlways500:
			return answer{Status: http.StatusInternalServerError}
		case a.Amount == amountGone:
			return answer{Status: http.StatusGone}
		case a.Amount == amountClose && a.N == 1:
			return answer{Close: true}
		case a.Amount == amountRedirect && a.N == 1:
			return answer{Status: http.StatusFound, Location: "/elsewhere"}
		}
		return answer{}
	})
	s.api.setWebhookURL(t, rc.URL)
	db := openDB(t, s.dbURL)

	amounts := []int64{amountHang, amount500, amountGone, amountClose, amountAlways500, amountRedirect}
	ids := createPayments(t, s.api, "hook", amounts, 0, time.Minute)
	figures.faults.Add(int64(len(amounts)))

	// The endpoint's trouble does not hold up the money.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	settled := func() bool {
		var pending int
		err := db.QueryRow(ctx, `SELECT count(*) FROM payments WHERE id = ANY($1) AND status = 'pending'`, ids).Scan(&pending)
		return err == nil && pending == 0
	}
	if !waitUntil(20*time.Second, 100*time.Millisecond, settled) {
		t.Errorf("payments still pending 20 s after creation while their webhooks failed")
	}

	// The longest schedule: 5 attempts, 5+10+15+20 s apart.
	waitFinal(t, db, ids, 2*time.Minute)
	success := map[int64]webhookLog{}
	for _, l := range webhookLogs(t, db, ids) {
		if l.Event != "payment.success" {
			if l.Status != "success" || l.Attempts != 1 {
				t.Errorf("%s %s of a well-behaved event: %s after %d attempts", l.ID, l.Event, l.Status, l.Attempts)
			}
			continue
		}
		for i, id := range ids {
			if id == l.PaymentID {
				success[amounts[i]] = l
			}
		}
	}

	wants := map[int64]struct {
		name, status   string
		attempts, code int // code: the last answer recorded
	}{
		amountHang:      {"hang past the timeout", "success", 2, 200},
		amount500:       {"500 twice", "success", 3, 200},
		amountGone:      {"410 Gone", "failed", 1, 410},
		amountClose:     {"connection closed", "success", 2, 200},
		amountAlways500: {"500 always", "failed", 5, 500},
		amountRedirect:  {"302 redirect", "success", 2, 200},
	}
	for amount, w := range wants {
		l := success[amount]
		arr := rc.arrivalsOf(l.ID)
		if l.Status != w.status || l.Attempts != w.attempts || len(arr) != w.attempts || l.ResponseCode != w.code || l.RetryDue {
			t.Errorf("%s: want %s after %d attempts (last answer %d, no retry due); got %s after %d attempts and %d requests (last answer %d, retry due %v)",
				w.name, w.status, w.attempts, w.code, l.Status, l.Attempts, len(arr), l.ResponseCode, l.RetryDue)
			continue
		}
		if n := rc.delivered(l.ID); (n == 1) != (w.status == "success") || n > 1 {
			t.Errorf("%s: delivered %d times", w.name, n)
		}
		// Attempts follow the schedule, counted from the end of the previous attempt (for the
		// hang, the gateway's 10 s timeout).
		for i := 1; i < len(arr); i++ {
			gap, want := arr[i].At.Sub(arr[i-1].At), retryWaits[i-1]
			if amount == amountHang && i == 1 {
				want += 10 * time.Second
			}
			if gap < want-time.Second || gap > want+8*time.Second {
				t.Errorf("%s: attempt %d came %s after attempt %d; the schedule says %s", w.name, i+1, gap.Round(10*time.Millisecond), i, want)
			}
		}
	}
	if first := rc.arrivalsOf(success[amountHang].ID); len(first) > 0 && !first[0].Aborted {
		t.Errorf("the gateway did not give up on the hanging request")
	}
	for _, a := range rc.list() {
		if a.Path != "/webhooks" {
			t.Errorf("the gateway followed the redirect to %s", a.Path)
		}
	}
	checkSettledOnce(t, db, ids)
	t.Logf("%d payments settled in spite of the endpoint; %d webhook requests, each schedule as expected", len(ids), len(rc.list()))
}
