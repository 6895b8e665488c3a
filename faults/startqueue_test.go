//go:build faults

package faults

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// queuedStarts reads gateway_workflow_starts_queued from the API's /metrics (-1 if unreadable).
func queuedStarts(base string) int {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "gateway_workflow_starts_queued "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return int(n)
			}
		}
	}
	return -1
}

// TestDevKilledWithStartsQueued kills all of `gateway dev` while payments it has answered still
// wait on its start queue (their workflows not started), and starts it again: the recovery sweep
// starts them as the worker starts, and every payment settles once and has its payment.success
// delivered once.
func TestDevKilledWithStartsQueued(t *testing.T) {
	figures.track(t)
	s := startDev(t, options{})
	rc := newReceiver(t, nil)
	s.api.setWebhookURL(t, rc.URL)

	// The endpoint holds every request until the gateway is back: a 2xx answered just before the
	// kill, and not yet recorded, would rightly be sent again (at least once), and this test
	// counts exact deliveries.
	rc.freeze()
	defer rc.unfreeze()

	// 30 clients make 10 payments each as fast as they are answered: the API accepts them faster
	// than one runner starts their workflows, so a backlog builds up.
	const clients, each = 30, 10
	l := startLoad(t, s.api, "queued", clients, each, 0, nil)
	l.waitMade(t, clients*each)
	queued := queuedStarts(s.base)
	s.killAll()
	figures.faults.Add(1)
	ids := l.stop()
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("creating payments: %v", errs[0])
	}
	if queued < 10 {
		t.Fatalf("only %d workflow starts were queued when the gateway was killed: no backlog to lose", queued)
	}
	t.Logf("%d payments answered; gateway dev killed with %d workflow starts queued", len(ids), queued)

	s.start()
	restarted := time.Now()
	rc.unfreeze()
	db := openDB(t, s.dbURL)
	// The recovery sweep starts every pending payment as the worker starts. The pending sweep
	// alone takes payments once they have been pending for a minute, which these, answered
	// seconds before the kill, had not been: it took up to two minutes (issue 13).
	waitFinal(t, db, ids, recoveryTimeout)
	t.Logf("every payment final %s after the restart", time.Since(restarted).Round(100*time.Millisecond))
	checkDelivered(t, rc, checkSettledOnce(t, db, ids))
	checkCreatedBeforeOutcome(t, rc, ids)
	median, slowest := finalTimes(t, db, ids)
	t.Logf("every payment final (median %s, slowest %s from creation: the sweep took those left queued)", median, slowest)
}

// recoveryTimeout is how soon after a restart the payments a killed process left queued must be
// final: well under the minute from which the pending sweep would take them.
const recoveryTimeout = 30 * time.Second

// checkCreatedBeforeOutcome checks that each payment's payment.created and payment.pending first
// arrived before its payment.success: the sweep restarts a payment whose start was lost with
// them, instead of leaving them to delivery workflows that race its outcome.
func checkCreatedBeforeOutcome(t *testing.T, rc *receiver, ids []string) {
	t.Helper()
	first := map[string]map[string]int{} // payment id -> event -> index of its first arrival
	for i, a := range rc.list() {
		if first[a.PaymentID] == nil {
			first[a.PaymentID] = map[string]int{}
		}
		if _, seen := first[a.PaymentID][a.Event]; !seen {
			first[a.PaymentID][a.Event] = i
		}
	}
	var problems []string
	for _, id := range ids {
		success, ok := first[id]["payment.success"]
		for _, event := range []string{"payment.created", "payment.pending"} {
			if i, seen := first[id][event]; !ok || !seen || i > success {
				problems = append(problems, fmt.Sprintf("%s: %s did not arrive before payment.success", id, event))
			}
		}
	}
	report(t, "creation events after the outcome", problems)
}
