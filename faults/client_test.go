//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The seeded test merchant.
const (
	testAPIKey        = "key_test_abc123"
	testAPISecret     = "secret_test_xyz789"
	testWebhookSecret = "whsec_test_abc123"
)

// apiClient calls the gateway's API as a merchant's server would; every request counts in the
// suite's figures.
type apiClient struct {
	base, key, secret string
	hc                *http.Client
}

func newAPIClient(base, key, secret string) *apiClient {
	return &apiClient{base: base, key: key, secret: secret, hc: &http.Client{
		Timeout: 20 * time.Second,
		// A redirect is an answer to look at, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
	}}
}

type response struct {
	Status int
	Body   []byte
	Header http.Header
	Err    error // no answer
}

// errorShape is the API's one error shape.
type errorShape struct {
	Error struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

// errorCodes are the codes the API documents.
var errorCodes = map[string]bool{"BAD_REQUEST_ERROR": true, "INVALID_VPA": true, "INVALID_CARD": true, "EXPIRED_CARD": true,
	"AUTHENTICATION_ERROR": true, "NOT_FOUND_ERROR": true, "IDEMPOTENCY_ERROR": true, "RATE_LIMIT_ERROR": true,
	"METHOD_NOT_ALLOWED": true, "PAYLOAD_TOO_LARGE": true, "UNSUPPORTED_MEDIA_TYPE": true, "TOO_MANY_ATTEMPTS": true,
	"REPLAY_IN_PROGRESS": true}

// code returns the error code of an answer in the error shape with a description, else "".
func (r response) code() string {
	var e errorShape
	if json.Unmarshal(r.Body, &e) != nil || e.Error.Description == "" {
		return ""
	}
	return e.Error.Code
}

func (r response) String() string {
	if r.Err != nil {
		return "no answer: " + r.Err.Error()
	}
	return fmt.Sprintf("%d %s", r.Status, truncate(string(r.Body), 300))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// do sends one request; body is sent as is when it is []byte or string, else JSON-encoded.
// A header given as "" is removed.
func (c *apiClient) do(ctx context.Context, method, path string, body any, headers map[string]string) response {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return response{Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("X-Api-Key", c.key)
		req.Header.Set("X-Api-Secret", c.secret)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	figures.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return response{Status: resp.StatusCode, Body: b, Header: resp.Header, Err: err}
}

func (c *apiClient) get(ctx context.Context, path string) response {
	return c.do(ctx, http.MethodGet, path, nil, nil)
}

// mustDo sends a request that must answer want, and decodes the answer into out (unless nil).
func (c *apiClient) mustDo(t testing.TB, want int, method, path string, body, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := c.do(ctx, method, path, body, nil)
	if r.Err != nil || r.Status != want {
		t.Fatalf("%s %s: want %d, got %s", method, path, want, r)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, r.Body)
		}
	}
}

func (c *apiClient) setWebhookURL(t testing.TB, url string) {
	t.Helper()
	c.mustDo(t, http.StatusOK, http.MethodPut, "/api/v1/webhooks/config", map[string]any{"webhook_url": url}, nil)
}

// tally counts answers by status (0: no answer).
type tally struct {
	mu     sync.Mutex
	counts map[int]int
}

func (s *tally) add(r response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[int]int{}
	}
	if r.Err != nil {
		s.counts[0]++
	} else {
		s.counts[r.Status]++
	}
}

func (s *tally) get(status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[status]
}

func (s *tally) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for k, n := range s.counts {
		parts = append(parts, fmt.Sprintf("%d×%d", n, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// createPaid creates an order and pays it (UPI or card by n's parity), each request with an
// Idempotency-Key derived from tag. An answer that tolerate accepts is retried with the same key
// (so the payment is created once whatever failed in between) until ctx ends; any other answer
// but 201 is an error. It returns the payment id.
func (c *apiClient) createPaid(ctx context.Context, tag string, n int, amount int64, answers *tally, tolerate func(response) bool) (string, error) {
	create := func(path string, body any, key string) (map[string]any, error) {
		pause := 100 * time.Millisecond
		for {
			r := c.do(ctx, http.MethodPost, path, body, map[string]string{"Idempotency-Key": key})
			answers.add(r)
			if r.Err == nil && r.Status == http.StatusCreated {
				var out map[string]any
				if err := json.Unmarshal(r.Body, &out); err != nil {
					return nil, fmt.Errorf("POST %s: %v in %s", path, err, r.Body)
				}
				return out, nil
			}
			if tolerate == nil || !tolerate(r) {
				return nil, fmt.Errorf("POST %s (key %s): %s", path, key, r)
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("POST %s (key %s): gave up; last answer %s", path, key, r)
			case <-time.After(pause):
			}
			pause = min(2*pause, time.Second)
		}
	}
	order, err := create("/api/v1/orders", map[string]any{"amount": amount, "currency": "INR", "receipt": tag}, tag+"-order")
	if err != nil {
		return "", err
	}
	body := map[string]any{"order_id": order["id"], "method": "upi", "vpa": fmt.Sprintf("user%d@upi", n)}
	if n%2 == 1 {
		body = map[string]any{"order_id": order["id"], "method": "card", "card": map[string]any{
			"number": "4111111111111111", "expiry_month": "12", "expiry_year": "2030", "cvv": "123", "holder_name": "Asha Rao"}}
	}
	pay, err := create("/api/v1/payments", body, tag+"-pay")
	if err != nil {
		return "", err
	}
	if pay["order_id"] != order["id"] || pay["status"] != "pending" {
		return "", fmt.Errorf("payment %v does not match order %v", pay, order["id"])
	}
	return pay["id"].(string), nil
}

// load is clients goroutines creating payments one after another, pause apart, until stopped or
// each has made max. A client stops at its first error.
type load struct {
	answers tally
	stopc   chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex
	payments []string
	errs     []error
}

func startLoad(t testing.TB, c *apiClient, prefix string, clients, max int, pause time.Duration, tolerate func(response) bool) *load {
	l := &load{stopc: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	for i := range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for j := range max {
				n := i*max + j
				id, err := c.createPaid(ctx, fmt.Sprintf("%s-%d-%d", prefix, i, j), n, 10000+int64(n), &l.answers, tolerate)
				l.mu.Lock()
				if err != nil {
					l.errs = append(l.errs, err)
				} else {
					l.payments = append(l.payments, id)
				}
				l.mu.Unlock()
				if err != nil {
					return
				}
				select {
				case <-l.stopc:
					return
				case <-time.After(pause):
				}
			}
		}()
	}
	t.Cleanup(func() { l.stop(); cancel() })
	return l
}

func (l *load) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.payments)
}

// waitMade waits until the load has made n more payments (or failed).
func (l *load) waitMade(t testing.TB, n int) {
	t.Helper()
	want := l.count() + n
	if !waitUntil(2*time.Minute, 50*time.Millisecond, func() bool { return l.count() >= want || len(l.failures()) > 0 }) {
		t.Fatalf("the load made %d of %d more payments in 2 minutes", l.count()-want+n, n)
	}
}

func (l *load) failures() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

// stop stops the clients after their current payment and returns the payments they made.
func (l *load) stop() []string {
	l.mu.Lock()
	if !isClosed(l.stopc) {
		close(l.stopc)
	}
	l.mu.Unlock()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.payments)
}

// waitUntil polls cond every interval until it holds or timeout passes, and reports whether it held.
func waitUntil(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
	return true
}

// waitFinal waits until no payment of ids is pending and none of their webhook events waits for
// a delivery attempt; what is still pending at the timeout counts as lost.
func waitFinal(t testing.TB, db *pgxpool.Pool, ids []string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	var pending, undelivered int
	ok := waitUntil(timeout, 250*time.Millisecond, func() bool {
		err := db.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM payments WHERE id = ANY($1) AND status = 'pending'),
			(SELECT count(*) FROM webhook_logs WHERE payment_id = ANY($1) AND status = 'pending')`, ids).Scan(&pending, &undelivered)
		return err == nil && pending == 0 && undelivered == 0
	})
	if !ok {
		figures.lost.Add(int64(pending))
		t.Fatalf("after %s, %d of %d payments are still pending and %d of their webhook events undelivered",
			timeout, pending, len(ids), undelivered)
	}
}

// settlement is what checkSettledOnce found.
type settlement struct {
	successEvents map[string]string // payment.success event id -> payment id
	bankRepeats   int               // payments whose bank call was repeated (the bank answered the repeat from its ledger)
}

// checkSettledOnce checks each payment in PostgreSQL: success, its order paid and the order's
// only payment; exactly one bank ledger row under the payment id (the bank's idempotency key),
// a charge of the payment's amount; and, if the merchant has a webhook endpoint, exactly one
// payment.created, payment.pending and payment.success event. It adds to the suite's figures.
func checkSettledOnce(t testing.TB, db *pgxpool.Pool, ids []string) settlement {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if len(ids) == 0 {
		t.Fatal("no payments to check")
	}
	figures.payments.Add(int64(len(ids)))
	s := settlement{successEvents: map[string]string{}}
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	rows, err := db.Query(ctx, `
		SELECT p.id, p.status, o.status, (SELECT count(*) FROM payments p2 WHERE p2.order_id = p.order_id),
		       count(b.idempotency_key), coalesce(sum(b.calls), 0),
		       count(*) FILTER (WHERE b.kind = 'charge' AND b.amount = p.amount),
		       (SELECT count(*) FILTER (WHERE w.event = 'payment.created') || ' ' ||
		               count(*) FILTER (WHERE w.event = 'payment.pending') || ' ' ||
		               count(*) FILTER (WHERE w.event = 'payment.success')
		          FROM webhook_logs w WHERE w.payment_id = p.id)
		FROM payments p JOIN orders o ON o.id = p.order_id
		LEFT JOIN bank_operations b ON b.idempotency_key = p.id
		WHERE p.id = ANY($1) GROUP BY p.id, o.id`, ids)
	if err != nil {
		t.Fatalf("read payments: %v", err)
	}
	found := map[string]bool{}
	eventCounts := map[string]string{}
	for rows.Next() {
		var id, status, orderStatus, events string
		var perOrder, bankRows, calls, charges int
		if err := rows.Scan(&id, &status, &orderStatus, &perOrder, &bankRows, &calls, &charges, &events); err != nil {
			t.Fatal(err)
		}
		found[id] = true
		if status == "pending" {
			figures.lost.Add(1)
		}
		if status != "success" || orderStatus != "paid" || perOrder != 1 {
			problem("%s is %s, its order %s with %d payments", id, status, orderStatus, perOrder)
		}
		if bankRows != 1 || charges != 1 {
			figures.settledTwice.Add(1)
			problem("%s has %d bank ledger rows, %d of them a charge of its amount", id, bankRows, charges)
		}
		if calls > 1 {
			s.bankRepeats++
		}
		eventCounts[id] = events
	}
	rows.Close()
	for _, id := range ids {
		if !found[id] {
			figures.lost.Add(1)
			problem("%s was accepted (201) but is not in the payments table", id)
		}
	}

	var endpoints int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM merchants WHERE webhook_url IS NOT NULL`).Scan(&endpoints); err != nil {
		t.Fatal(err)
	}
	for id, events := range eventCounts {
		if endpoints > 0 && events != "1 1 1" {
			problem("%s has %s payment.created, .pending and .success events (want 1 of each)", id, events)
		}
	}
	rows, err = db.Query(ctx, `SELECT id, payment_id FROM webhook_logs WHERE payment_id = ANY($1) AND event = 'payment.success'`, ids)
	if err != nil {
		t.Fatalf("read webhook_logs: %v", err)
	}
	for rows.Next() {
		var event, payment string
		if err := rows.Scan(&event, &payment); err != nil {
			t.Fatal(err)
		}
		s.successEvents[event] = payment
	}
	rows.Close()

	// Nothing was charged beyond these payments.
	var stray int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM bank_operations b WHERE b.kind = 'charge'
		AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = b.idempotency_key)`).Scan(&stray); err != nil {
		t.Fatal(err)
	}
	if stray > 0 {
		problem("%d bank charges belong to no payment", stray)
	}
	report(t, fmt.Sprintf("of %d payments, not settled exactly once", len(ids)), problems)
	return s
}

// report fails the test with the problems found, if any (the first 15 of them).
func report(t testing.TB, what string, problems []string) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	sort.Strings(problems)
	n := len(problems)
	if n > 15 {
		problems = append(problems[:15], fmt.Sprintf("… and %d more", n-15))
	}
	t.Errorf("%d %s:\n  %s", n, what, strings.Join(problems, "\n  "))
}

// checkDelivered checks that the receiver answered every payment.success event 2xx exactly once,
// to a sender still connected, and that every request it got was signed. Repeats count in the
// suite's figures.
func checkDelivered(t testing.TB, rc *receiver, s settlement) {
	t.Helper()
	var problems []string
	for event, payment := range s.successEvents {
		n := rc.delivered(event)
		if n > 1 {
			figures.deliveredTwice.Add(1)
		}
		if n != 1 {
			problems = append(problems, fmt.Sprintf("payment.success %s of %s delivered %d times (%d requests)", event, payment, n, len(rc.arrivalsOf(event))))
		}
	}
	if bad := rc.badSignatures(); bad > 0 {
		problems = append(problems, fmt.Sprintf("%d requests with a signature that does not verify", bad))
	}
	report(t, "webhook deliveries not made exactly once", problems)
}

// finalTimes is how long the payments took from creation to their final status: the median and
// the slowest.
func finalTimes(t testing.TB, db *pgxpool.Pool, ids []string) (median, slowest time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var med, max float64
	err := db.QueryRow(ctx, `SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY s), 0), coalesce(max(s), 0)
		FROM (SELECT extract(epoch FROM updated_at - created_at) s FROM payments WHERE id = ANY($1) AND status <> 'pending') x`, ids).Scan(&med, &max)
	if err != nil {
		t.Logf("final times: %v", err)
	}
	return time.Duration(med * 1e9).Round(10 * time.Millisecond), time.Duration(max * 1e9).Round(10 * time.Millisecond)
}
