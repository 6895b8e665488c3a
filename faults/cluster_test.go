//go:build faults && cluster

package faults

// The scale-out topology of docker-compose.yml (`make cluster`, package cluster) on free ports:
// PostgreSQL, the official Temporal server on PostgreSQL persistence and visibility, its Web UI,
// two API replicas and two workers, each its own process. These tests share the fault suite's
// helpers (load, receiver, settlement checks) and run with `make test-cluster`
// (-tags faults,cluster -run TestCluster).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/paygate/paygate/cluster"
)

// clusterStack is one running topology shared by TestCluster's subtests, run one at a time.
type clusterStack struct {
	c   *cluster.Cluster
	db  *pgxpool.Pool
	tc  client.Client
	api []*apiClient // one per replica
}

func startCluster(t *testing.T) *clusterStack {
	t.Helper()
	dir := tempDir(t, "cluster")
	ports, err := cluster.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	// A 2 s bank keeps payments in a worker's hands long enough to kill it with some there.
	vars := options{ProcessingDelay: 2 * time.Second}.vars()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	began := time.Now()
	c, err := cluster.Start(ctx, cluster.Options{Root: "..", Dir: dir, Ports: ports, Workers: 2,
		Overlays: []string{"../deploy/gateway.test.env"}, GatewayEnv: vars, Ephemeral: true,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(dir, "logs", "[!s]*.log")) // not the schema tool's page
		for _, l := range logs {
			t.Logf("--- %s (last 30 lines) ---\n%s", filepath.Base(l), tail(l, 30))
		}
		t.Fatalf("start the cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Logf("stop the cluster: %v", err)
		}
		if t.Failed() {
			for _, p := range append(append([]*cluster.Proc{c.Temporal}, c.API...), c.Workers...) {
				t.Logf("--- %s log (last 30 lines) ---\n%s", p.Name, tail(p.LogPath(), 30))
			}
			kept := filepath.Join(os.TempDir(), fmt.Sprintf("paygate-cluster-logs-%d", time.Now().Unix()))
			if err := os.CopyFS(kept, os.DirFS(filepath.Join(dir, "logs"))); err == nil {
				t.Logf("the processes' logs are kept in %s", kept)
			}
		}
	})
	t.Logf("cluster up in %s: API %v, Temporal %s, Web UI %s", time.Since(began).Round(time.Second), ports.API, c.TemporalAddress(), c.UIURL())
	s := &clusterStack{c: c, db: openDB(t, c.DatabaseURL())}
	s.tc, err = client.Dial(client.Options{HostPort: c.TemporalAddress(), Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.tc.Close)
	for i := range c.API {
		s.api = append(s.api, newAPIClient(c.APIURL(i), testAPIKey, testAPISecret))
	}
	return s
}

// TestCluster runs the cluster's properties against one topology, in order; each subtest leaves
// every process running.
func TestCluster(t *testing.T) {
	s := startCluster(t)
	t.Run("ReplicasShareState", s.testReplicasShareState)
	t.Run("WorkerKilled", s.testWorkerKilled)
	t.Run("RefundsRaceAcrossReplicas", s.testRefundsRace)
	t.Run("TemporalRestartUnderLoad", s.testTemporalRestart)
	t.Run("APIKilledWithStartsQueued", s.testAPIKilled)
}

// testReplicasShareState: payments created through either replica complete; each reads the same
// on the other; each payment's workflow is found in the Web UI by its search attributes (a
// query the server answers from PostgreSQL visibility).
func (s *clusterStack) testReplicasShareState(t *testing.T) {
	figures.track(t)
	rc := newReceiver(t, nil)
	s.api[0].setWebhookURL(t, rc.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var answers tally
	var ids []string
	for i := range 8 {
		id, err := s.api[i%2].createPaid(ctx, fmt.Sprintf("share-%d", i), i, 20000+int64(i), &answers, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	waitFinal(t, s.db, ids, time.Minute)
	checkDelivered(t, rc, checkSettledOnce(t, s.db, ids))

	for i, id := range ids {
		a, b := s.api[i%2].get(ctx, "/api/v1/payments/"+id), s.api[1-i%2].get(ctx, "/api/v1/payments/"+id)
		if a.Status != http.StatusOK || b.Status != http.StatusOK || string(a.Body) != string(b.Body) {
			t.Errorf("payment %s reads differently on the two replicas:\n  created on: %s\n  other:      %s", id, a, b)
		}
	}

	// The Web UI's own API, as its workflow list calls it.
	hc := &http.Client{Timeout: 10 * time.Second}
	for _, id := range ids {
		query := fmt.Sprintf(`PaymentId="%s" AND PaymentStatus="authorized" AND Amount > 0`, id)
		u := s.c.UIURL() + "/api/v1/namespaces/default/workflows?query=" + url.QueryEscape(query)
		var found []string
		ok := waitUntil(30*time.Second, 200*time.Millisecond, func() bool {
			resp, err := hc.Get(u)
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			var out struct {
				Executions []struct {
					Execution struct {
						WorkflowID string `json:"workflowId"`
					} `json:"execution"`
				} `json:"executions"`
			}
			if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
				return false
			}
			found = found[:0]
			for _, e := range out.Executions {
				found = append(found, e.Execution.WorkflowID)
			}
			return len(found) == 1 && found[0] == id
		})
		if !ok {
			t.Errorf("the Web UI's workflow list for %s found %v", query, found)
		}
	}
}

// killWorkerMidSettlement is killMidSettlement for a cluster worker: once 10 payments are settled
// and w has at least 3 in the bank, it SIGKILLs w (receiver frozen) and returns those.
func (s *clusterStack) killWorkerMidSettlement(t *testing.T, rc *receiver, l *load, w *cluster.Proc) []string {
	t.Helper()
	pid := w.Pid()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var settledBefore int
	s.db.QueryRow(ctx, `SELECT count(*) FROM bank_operations`).Scan(&settledBefore)
	ready := func() bool {
		var settled int
		s.db.QueryRow(ctx, `SELECT count(*) FROM bank_operations`).Scan(&settled)
		return len(l.failures()) > 0 || settled >= settledBefore+10 && len(inHand(t, s.db, s.tc, pid)) >= 3
	}
	if !waitUntil(time.Minute, 100*time.Millisecond, ready) {
		t.Fatalf("%s never had 3 payments in the bank once 10 were settled (%d created)", w.Name, l.count())
	}
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("payments refused: %v", errs)
	}
	rc.freeze()
	defer rc.unfreeze()
	waitRecorded(t, s.db, rc)
	held := inHand(t, s.db, s.tc, pid)
	if err := w.Kill(); err != nil {
		t.Fatal(err)
	}
	figures.faults.Add(1)
	t.Logf("SIGKILLed %s with %d payments in the bank, %d created so far", w.Name, len(held), l.count())
	if len(held) == 0 {
		t.Fatalf("%s had no payment in the bank at the kill", w.Name)
	}
	return held
}

// testWorkerKilled: SIGKILL one worker while it has payments in the bank, payments arriving
// through both replicas: every payment completes on the other worker, settled once, its
// payment.success delivered once.
func (s *clusterStack) testWorkerKilled(t *testing.T) {
	figures.track(t)
	rc := newReceiver(t, nil)
	s.api[0].setWebhookURL(t, rc.URL)
	victim, survivor := s.c.Workers[0], s.c.Workers[1]
	victimPid := victim.Pid()

	l0 := startLoad(t, s.api[0], "wk0", 2, 30, 400*time.Millisecond, nil)
	l1 := startLoad(t, s.api[1], "wk1", 2, 30, 400*time.Millisecond, nil)
	held := s.killWorkerMidSettlement(t, rc, l0, victim)
	l0.waitMade(t, 12) // to the survivor alone
	ids := append(l0.stop(), l1.stop()...)
	if errs := append(l0.failures(), l1.failures()...); len(errs) > 0 {
		t.Fatalf("payments refused: %v", errs)
	}
	if !survivor.Running() {
		t.Fatal("the surviving worker died too")
	}
	waitFinal(t, s.db, ids, finalTimeout)
	st := checkSettledOnce(t, s.db, ids)
	checkDelivered(t, rc, st)
	checkHandedOver(t, s.tc, held, victimPid)
	med, slow := finalTimes(t, s.db, ids)
	t.Logf("%d payments, %d in the killed worker's bank at the kill, taken over; %d bank calls repeated; creation to final: median %s, slowest %s",
		len(ids), len(held), st.bankRepeats, med, slow)

	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.c.WaitWorker(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

// testRefundsRace: 12 refunds of 10 000 on a 50 000 payment, sent at once, half to each
// replica: exactly 5 are accepted, the others refused with 400, and the 5 are processed.
func (s *clusterStack) testRefundsRace(t *testing.T) {
	figures.track(t)
	// An endpoint of its own: the last test's is closed, and its retries would hold waitFinal.
	rc := newReceiver(t, nil)
	s.api[0].setWebhookURL(t, rc.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var answers tally
	id, err := s.api[0].createPaid(ctx, "race", 0, 50000, &answers, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFinal(t, s.db, []string{id}, time.Minute)

	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]response, 12)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = s.api[i%2].do(ctx, http.MethodPost, "/api/v1/payments/"+id+"/refunds",
				map[string]any{"amount": 10000}, map[string]string{"Idempotency-Key": fmt.Sprintf("race-refund-%d", i)})
		}()
	}
	close(start)
	wg.Wait()
	var accepted []string
	for i, r := range results {
		switch {
		case r.Status == http.StatusCreated:
			var rf struct{ ID string }
			json.Unmarshal(r.Body, &rf)
			accepted = append(accepted, rf.ID)
		case r.Status == http.StatusBadRequest && r.code() == "BAD_REQUEST_ERROR":
		default:
			t.Errorf("refund %d (replica %d): %s", i, i%2+1, r)
		}
	}
	if len(accepted) != 5 {
		t.Fatalf("%d of 12 refunds of 10 000 on a 50 000 payment were accepted, want 5", len(accepted))
	}
	var processed, total int64
	ok := waitUntil(time.Minute, 250*time.Millisecond, func() bool {
		err := s.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'processed'), coalesce(sum(amount) FILTER (WHERE status = 'processed'), 0)
			FROM refunds WHERE payment_id = $1`, id).Scan(&processed, &total)
		return err == nil && processed == 5
	})
	if !ok || total != 50000 {
		t.Fatalf("%d refunds processed for %d, want 5 for 50 000", processed, total)
	}
	var bankRefunds int
	s.db.QueryRow(ctx, `SELECT count(*) FROM bank_operations WHERE kind = 'refund' AND idempotency_key = ANY($1)`, accepted).Scan(&bankRefunds)
	if bankRefunds != 5 {
		t.Errorf("the bank has %d refund rows for the 5 refunds", bankRefunds)
	}
}

// retryLateness is how late after its timer (or the server's return) a webhook retry may come
// across a Temporal restart on this 2-core machine: a lost timer never fires at all.
const retryLateness = 20 * time.Second

// testTemporalRestart stops the Temporal server (SIGINT) under load through both replicas, while
// webhook events wait on retry timers, and starts it again 5 s later: the API answers 201 or 503
// SERVICE_UNAVAILABLE throughout, never 500, and every accepted payment ends final and settled
// once. Then, in a subtest of its own, the webhooks: each event is delivered once, its retry on
// its timer (or at once when it fell due during the outage), never before.
func (s *clusterStack) testTemporalRestart(t *testing.T) {
	figures.track(t)
	// Every event's first attempt fails: each waits 5 s for its second, across the restart.
	rc := newReceiver(t, func(a arrival) answer {
		if a.N == 1 {
			return answer{Status: http.StatusInternalServerError}
		}
		return answer{}
	})
	s.api[0].setWebhookURL(t, rc.URL)
	unavailable := func(r response) bool {
		return r.Err == nil && r.Status == http.StatusServiceUnavailable && r.code() == "SERVICE_UNAVAILABLE"
	}
	// Two clients per replica, a payment every 600 ms each: a third of the payments an outage
	// used to queue (and of the retries then due at once), which this 2-core machine's cluster
	// settles fast enough that lateness means a timer's fault, not a backlog (with 3 clients every
	// 300 ms, 528 retries came 11-21 s late while the workers caught up).
	l0 := startLoad(t, s.api[0], "tr0", 2, 25, 600*time.Millisecond, unavailable)
	l1 := startLoad(t, s.api[1], "tr1", 2, 25, 600*time.Millisecond, unavailable)
	l0.waitMade(t, 10)

	ctx := context.Background()
	if err := s.c.Temporal.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	figures.faults.Add(1)
	stoppedAt := time.Now()
	time.Sleep(5 * time.Second) // the outage; the load keeps coming
	if err := s.c.StartTemporal(ctx); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	t.Logf("Temporal server stopped, and serving again %s later", back.Sub(stoppedAt).Round(100*time.Millisecond))
	l0.waitMade(t, 10)
	ids := append(l0.stop(), l1.stop()...)
	if errs := append(l0.failures(), l1.failures()...); len(errs) > 0 {
		t.Fatalf("payments refused other than with 503: %v", errs[0])
	}
	t.Logf("requests: %s and %s", l0.answers.String(), l1.answers.String())

	var pending int
	ok := waitUntil(finalTimeout, 250*time.Millisecond, func() bool {
		err := s.db.QueryRow(ctx, `SELECT count(*) FROM payments WHERE id = ANY($1) AND status = 'pending'`, ids).Scan(&pending)
		return err == nil && pending == 0
	})
	if !ok {
		figures.lost.Add(int64(pending))
		t.Fatalf("after %s, %d of %d payments are still pending", finalTimeout, pending, len(ids))
	}
	st := checkSettledOnce(t, s.db, ids)

	t.Run("WebhookRetries", func(t *testing.T) {
		defer func() {
			if t.Failed() {
				s.logPendingEvents(t, rc, ids)
			}
		}()
		// Retries are due 5 s after a first attempt: a minute is ample.
		waitFinal(t, s.db, ids, time.Minute)
		checkDelivered(t, rc, st)
		logs := webhookLogs(t, s.db, ids)
		var problems []string
		var latest time.Duration
		for id, wl := range logs {
			arr := rc.arrivalsOf(id)
			if wl.Status != "success" || len(arr) != 2 {
				problems = append(problems, fmt.Sprintf("%s (%s): %s after %d requests", id, wl.Event, wl.Status, len(arr)))
				continue
			}
			timer := arr[0].At.Add(retryWaits[0])
			late := arr[1].At.Sub(later(timer, back))
			latest = max(latest, late)
			// Late by up to retryLateness: a history shard takes its timers back from PostgreSQL
			// after the restart while the queued payments start (12.2 s at the most in a run).
			if arr[1].At.Before(timer.Add(-500*time.Millisecond)) || late > retryLateness {
				problems = append(problems, fmt.Sprintf("%s: second attempt %s after the first, %s after it was due",
					id, arr[1].At.Sub(arr[0].At).Round(10*time.Millisecond), late.Round(10*time.Millisecond)))
			}
		}
		report(t, "webhook retries not on their timers", problems)
		t.Logf("%d payments, %d events each retried once; latest retry %s after due", len(ids), len(logs), latest.Round(time.Millisecond))
	})
}

// testAPIKilled SIGKILLs one API replica while payments it answered still wait on its start
// queue, and starts it again: the pending sweep starts them; none is lost, each settles once and
// its payment.success is delivered once.
func (s *clusterStack) testAPIKilled(t *testing.T) {
	figures.track(t)
	rc := newReceiver(t, nil)
	s.api[0].setWebhookURL(t, rc.URL)
	rc.freeze()
	defer rc.unfreeze()

	const clients, each = 30, 10
	l := startLoad(t, s.api[0], "apikill", clients, each, 0, nil)
	var queued int
	waitUntil(time.Minute, 5*time.Millisecond, func() bool {
		queued = queuedStarts(s.c.APIURL(0))
		return queued >= 20 || l.count() >= clients*each || len(l.failures()) > 0
	})
	if err := s.c.API[0].Kill(); err != nil {
		t.Fatal(err)
	}
	figures.faults.Add(1)
	ids := l.stop()
	if queued < 10 {
		t.Fatalf("only %d workflow starts were queued when the replica was killed: no backlog to lose", queued)
	}
	t.Logf("%d payments answered; replica 1 killed with %d workflow starts queued", len(ids), queued)
	if err := s.c.API[0].Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.c.WaitAPI(context.Background(), 0, time.Minute); err != nil {
		t.Fatal(err)
	}
	rc.unfreeze()
	// The sweep takes payments pending for over a minute, once a minute.
	waitFinal(t, s.db, ids, finalTimeout+time.Minute)
	checkDelivered(t, rc, checkSettledOnce(t, s.db, ids))
	median, slowest := finalTimes(t, s.db, ids)
	t.Logf("every payment final (median %s, slowest %s from creation)", median, slowest)
}

// logPendingEvents logs the webhook events of ids still pending, with what the receiver got.
func (s *clusterStack) logPendingEvents(t *testing.T, rc *receiver, ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := s.db.Query(ctx, `SELECT w.id, w.event, w.payment_id, w.attempts, w.created_at, w.next_retry_at, w.updated_at
		FROM webhook_logs w WHERE w.payment_id = ANY($1) AND w.status = 'pending' ORDER BY w.created_at LIMIT 10`, ids)
	if err != nil {
		t.Logf("read pending events: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id, event, payment string
		var attempts int
		var created, updated time.Time
		var next *time.Time
		rows.Scan(&id, &event, &payment, &attempts, &created, &next, &updated)
		var got []string
		for _, a := range rc.arrivalsOf(id) {
			got = append(got, fmt.Sprintf("%s→%d", a.At.Format("15:04:05.000"), a.Answered))
		}
		t.Logf("pending %s %s of %s: %d attempts, created %s, next retry %v, updated %s; receiver got %v",
			id, event, payment, attempts, created.Format("15:04:05.000"), next, updated.Format("15:04:05.000"), got)
		for _, wf := range []string{payment, id} {
			t.Logf("  history of %s: %s", wf, historyOf(ctx, s.tc, wf))
		}
	}
}
