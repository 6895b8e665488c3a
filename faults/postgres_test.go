//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paygate/paygate/pglocal"
)

// ownPostgres starts a PostgreSQL cluster of the test's own, with a database "gateway", that
// the test can stop and start.
func ownPostgres(t *testing.T) *pglocal.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cluster := &pglocal.Cluster{Dir: filepath.Join(tempDir(t, "pg"), "data"), Port: freePorts(t, 1)[0], Ephemeral: true}
	if err := cluster.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	if err := cluster.EnsureDatabase(ctx, "gateway"); err != nil {
		t.Fatal(err)
	}
	return cluster
}

// TestPostgresDownUnderLoad stops PostgreSQL for 10 s while clients create and read payments
// (`gateway dev` on a cluster the test owns), then starts it again. Meanwhile /health and the API
// answer 503 (never a 500 or nothing); clients retry with their Idempotency-Key. Afterwards
// nothing is half-written and every accepted payment completes, settled and delivered once.
func TestPostgresDownUnderLoad(t *testing.T) {
	figures.track(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cluster := ownPostgres(t)
	s := startDev(t, options{DatabaseURL: cluster.URL("gateway"), ProcessingDelay: 500 * time.Millisecond})
	rc := newReceiver(t, nil)
	s.api.setWebhookURL(t, rc.URL)

	// Besides success, the only answers allowed are 503 in the error shape, and 409 for a retry
	// that meets its own first attempt still holding its Idempotency-Key.
	unavailable := func(r response) bool {
		return r.Err == nil && (r.Status == http.StatusServiceUnavailable && r.code() == "SERVICE_UNAVAILABLE" ||
			r.Status == http.StatusConflict && r.code() == "IDEMPOTENCY_ERROR")
	}
	l := startLoad(t, s.api, "pg", 4, 300, 150*time.Millisecond, unavailable)

	// A reader polls /health and the payment list every 200 ms.
	type sample struct {
		at             time.Time // when the /health request was sent
		health, list   response
		healthDatabase string
	}
	var mu sync.Mutex
	var samples []sample
	stopReader := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for range 3000 {
			select {
			case <-stopReader:
				return
			case <-time.After(200 * time.Millisecond):
			}
			at := time.Now()
			h := s.api.get(ctx, "/health")
			var body struct{ Database string }
			json.Unmarshal(h.Body, &body)
			r := s.api.get(ctx, "/api/v1/payments?limit=5")
			mu.Lock()
			samples = append(samples, sample{at, h, r, body.Database})
			mu.Unlock()
		}
	}()

	l.waitMade(t, 40)
	stopped := time.Now()
	if err := cluster.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	down := time.Now()
	figures.faults.Add(1)
	time.Sleep(10*time.Second - time.Since(stopped)) // the outage
	starting := time.Now()
	if err := cluster.Start(ctx); err != nil {
		t.Fatalf("start PostgreSQL again: %v", err)
	}
	restarted := time.Now()
	l.waitMade(t, 60)
	ids := l.stop()
	close(stopReader)
	<-readerDone
	if errs := l.failures(); len(errs) > 0 {
		t.Fatalf("clients gave up or got an answer outside the contract: %v", errs)
	}

	// During the outage: /health 503 naming the database, reads 503; after it, both recover.
	// No read ever gets another answer.
	var healthDown, readsDown, readsUp int
	var firstUp time.Time
	mu.Lock()
	for _, x := range samples {
		if x.list.Status != http.StatusOK && !unavailable(x.list) {
			t.Errorf("GET /api/v1/payments %s after the stop: %s", x.at.Sub(stopped).Round(time.Millisecond), x.list)
		}
		switch {
		case x.at.After(down) && x.at.Before(starting):
			if x.health.Status != http.StatusServiceUnavailable || x.healthDatabase != "disconnected" {
				t.Errorf("/health %s after the stop: %s", x.at.Sub(stopped).Round(time.Millisecond), x.health)
			}
			healthDown++
			if x.list.Status == http.StatusServiceUnavailable {
				readsDown++
			}
		case x.at.After(restarted) && x.list.Status == http.StatusOK && x.health.Status == http.StatusOK:
			readsUp++
			if firstUp.IsZero() {
				firstUp = x.at
			}
		}
	}
	mu.Unlock()
	if healthDown == 0 || readsDown == 0 || readsUp == 0 || l.answers.get(http.StatusServiceUnavailable) == 0 {
		t.Fatalf("the outage was not seen as expected: /health 503 ×%d, reads 503 ×%d during it, reads 200 ×%d after; payment requests %s",
			healthDown, readsDown, readsUp, l.answers.String())
	}

	db := openDB(t, s.dbURL)
	waitFinal(t, db, ids, finalTimeout)
	checkDelivered(t, rc, checkSettledOnce(t, db, ids))

	// Nothing half-written: each client's pair of keys made one order and one payment, each
	// stored answer names an object that exists, each order is paid once.
	var orders, payments, keys, strayKeys, unpaid int
	err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM payments), (SELECT count(*) FROM idempotency_keys),
		(SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS (
			SELECT 1 FROM orders o WHERE o.id = convert_from(k.response_body, 'UTF8')::jsonb ->> 'id'
			UNION ALL SELECT 1 FROM payments p WHERE p.id = convert_from(k.response_body, 'UTF8')::jsonb ->> 'id')),
		(SELECT count(*) FROM orders WHERE status <> 'paid')`).Scan(&orders, &payments, &keys, &strayKeys, &unpaid)
	if err != nil {
		t.Fatal(err)
	}
	if payments != len(ids) || orders != len(ids) || keys != 2*len(ids) || strayKeys != 0 || unpaid != 0 {
		t.Errorf("half-written state: %d payments accepted; the tables hold %d orders (%d unpaid), %d payments, %d idempotency keys (%d naming no object)",
			len(ids), orders, unpaid, payments, keys, strayKeys)
	}
	med, slow := finalTimes(t, db, ids)
	t.Logf("PostgreSQL down %s; %d payments, all final (median %s, slowest %s); payment requests %s; /health 503 ×%d during the outage; API back %s after PostgreSQL",
		restarted.Sub(stopped).Round(100*time.Millisecond), len(ids), med, slow, l.answers.String(), healthDown, firstUp.Sub(restarted).Round(100*time.Millisecond))
}

// TestDeliveryAnsweredDuringOutageNotResent stops PostgreSQL while the endpoint holds a
// payment.success request, lets the endpoint answer 200 and starts PostgreSQL again: the gateway
// records the answer it got and does not send the event again.
func TestDeliveryAnsweredDuringOutageNotResent(t *testing.T) {
	figures.track(t)
	cluster := ownPostgres(t)
	s := startDev(t, options{DatabaseURL: cluster.URL("gateway")})
	arrived := make(chan struct{}, 1)
	rc := newReceiver(t, func(a arrival) answer {
		if a.Event == "payment.success" && a.N == 1 {
			arrived <- struct{}{}
			return answer{Hang: 3 * time.Second}
		}
		return answer{}
	})
	s.api.setWebhookURL(t, rc.URL)
	ids := createPayments(t, s.api, "outage", []int64{60000}, 0, time.Minute)
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("payment.success never reached the endpoint")
	}
	if err := cluster.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	figures.faults.Add(1)
	if !waitUntil(30*time.Second, 50*time.Millisecond, func() bool { return rc.list()[len(rc.list())-1].Answered != 0 }) {
		t.Fatal("the endpoint never answered")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cluster.Start(ctx); err != nil {
		t.Fatalf("start PostgreSQL again: %v", err)
	}
	db := openDB(t, s.dbURL)
	waitFinal(t, db, ids, time.Minute)
	checkDelivered(t, rc, checkSettledOnce(t, db, ids))
}
