package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paygate/paygate/webhooks"
)

// api calls the gateway as the test merchant.
type api struct {
	base, key, secret string
	bases             []string // every replica's base URL (-url may list several): payment n goes to bases[n%len]
	http              *http.Client
	idempotency       bool
	run               string // makes idempotency keys unique per run
	peer              bool   // the Node/Bull peer's API (-peer)
	capture           string // the orders' capture mode
}

func newAPI(o options) *api {
	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: loopback only
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.clients + 16,
		MaxIdleConnsPerHost: o.clients + 16,
		IdleConnTimeout:     90 * time.Second,
	}
	bases := strings.Split(o.url, ",")
	return &api{base: bases[0], bases: bases, key: o.key, secret: o.secret, idempotency: o.idempotency, peer: o.peer, capture: o.capture,
		http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, run: fmt.Sprintf("%x", time.Now().UnixNano())}
}

// do sends one request to the first replica and decodes a 2xx answer into out.
func (a *api) do(ctx context.Context, method, path, idemKey string, in, out any) error {
	return a.doAt(ctx, a.base, method, path, idemKey, in, out)
}

// doAt is do against the replica at base.
func (a *api) doAt(ctx context.Context, base, method, path, idemKey string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("X-Api-Key", a.key)
	req.Header.Set("X-Api-Secret", a.secret)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" && a.idempotency {
		req.Header.Set("Idempotency-Key", "bench-"+a.run+"-"+idemKey)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.200s", method, path, resp.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// pay creates an order and pays it, UPI for even n and card for odd n, and returns the payment id.
func (a *api) pay(ctx context.Context, n int, orderLat, payLat *time.Duration, payStart *time.Time) (string, error) {
	var order struct{ ID string }
	base := a.bases[n%len(a.bases)]
	began := time.Now()
	body := map[string]any{"amount": 50000 + n%1000, "currency": "INR", "receipt": fmt.Sprintf("bench_%d", n)}
	if !a.peer { // the peer captures nothing by itself
		body["capture"] = a.capture
	}
	err := a.doAt(ctx, base, http.MethodPost, "/api/v1/orders", fmt.Sprintf("o%d", n), body, &order)
	*orderLat = time.Since(began)
	if err != nil {
		return "", err
	}
	req := map[string]any{"order_id": order.ID, "method": "upi", "vpa": "bench@paytm"}
	if n%2 == 1 {
		req = map[string]any{"order_id": order.ID, "method": "card", "card": map[string]string{
			"number": "4111111111111111", "expiry_month": "12", "expiry_year": fmt.Sprint(time.Now().Year() + 4),
			"cvv": "123", "holder_name": "Bench Customer",
		}}
	}
	var payment struct{ ID, Status string }
	*payStart = time.Now()
	err = a.doAt(ctx, base, http.MethodPost, "/api/v1/payments", fmt.Sprintf("p%d", n), req, &payment)
	*payLat = time.Since(*payStart)
	if err != nil {
		return "", err
	}
	if payment.ID == "" {
		return "", errors.New("create payment: no id in the answer")
	}
	return payment.ID, nil
}

// receiver is the merchant's webhook endpoint: it verifies each delivery and records when each
// payment's payment.success arrived.
type receiver struct {
	url    string
	srv    *http.Server
	secret atomic.Pointer[string]
	// legacy: deliveries carry only X-Webhook-Signature, hex HMAC-SHA256 of the body (the peer).
	legacy bool
	// previous is the merchant's webhook URL before the run, put back at the end.
	previous string

	mu      sync.Mutex
	success map[string]time.Time // payment id -> first payment.success
	counts  WebhookCounts
}

// WebhookCounts counts deliveries by kind.
type WebhookCounts struct {
	Success       int `json:"success"`
	Failed        int `json:"failed"`
	Other         int `json:"other"` // payment.created, payment.pending, ...
	Duplicates    int `json:"duplicates"`
	BadSignatures int `json:"bad_signatures"`
}

func startReceiver(legacy bool) (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{url: "http://" + ln.Addr().String() + "/webhooks", success: map[string]time.Time{}, legacy: legacy}
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go rc.srv.Serve(ln)
	return rc, nil
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	secret := rc.secret.Load()
	if secret == nil || !rc.verify(*secret, body, r.Header, at) {
		rc.mu.Lock()
		rc.counts.BadSignatures++
		rc.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ev struct {
		Event string
		Data  struct{ Payment struct{ ID string } }
	}
	_ = json.Unmarshal(body, &ev)
	rc.mu.Lock()
	switch ev.Event {
	case "payment.success":
		if _, seen := rc.success[ev.Data.Payment.ID]; seen {
			rc.counts.Duplicates++
		} else {
			rc.success[ev.Data.Payment.ID] = at
			rc.counts.Success++
		}
	case "payment.failed":
		rc.counts.Failed++
	default:
		rc.counts.Other++
	}
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// verify checks a delivery's signature: the Standard Webhooks one, or with legacy the
// X-Webhook-Signature header alone.
func (rc *receiver) verify(secret string, body []byte, h http.Header, at time.Time) bool {
	if rc.legacy {
		return webhooks.VerifyLegacy(secret, body, h.Get(webhooks.HeaderLegacySignature))
	}
	return webhooks.Verify(secret, body, h, 0, at) == nil
}

// arrived returns when each of ids got its payment.success so far (zero when not yet), and how
// many have.
func (rc *receiver) arrived(ids []string, at []time.Time) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for i, id := range ids {
		if !at[i].IsZero() {
			n++
			continue
		}
		if t, ok := rc.success[id]; ok {
			at[i] = t
			n++
		}
	}
	return n
}

func (rc *receiver) snapshot() WebhookCounts {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.counts
}

// restore points the merchant's webhooks back where they were before configure.
func (rc *receiver) restore(a *api) {
	if a.peer {
		return // the peer cannot tell its configuration, and bench/peer.sh drops its database anyway
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.do(ctx, http.MethodPut, "/api/v1/webhooks/config", "", map[string]string{"webhook_url": rc.previous}, nil); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: could not restore the webhook URL:", err)
	}
}

func (rc *receiver) close() { rc.srv.Close() }

// configure points the merchant's webhooks at the receiver (or, with on false, turns them off)
// and takes the signing secret.
func (rc *receiver) configure(ctx context.Context, a *api, on bool) error {
	if a.peer {
		return rc.configurePeer(ctx, a, on)
	}
	var cfg struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	var prev struct {
		WebhookURL *string `json:"webhook_url"`
	}
	if err := a.do(ctx, http.MethodGet, "/api/v1/webhooks/config", "", nil, &prev); err != nil {
		return fmt.Errorf("read webhook config: %w", err)
	}
	rc.previous = ""
	if prev.WebhookURL != nil {
		rc.previous = *prev.WebhookURL
	}
	target := rc.url
	if !on {
		target = ""
	}
	if err := a.do(ctx, http.MethodPut, "/api/v1/webhooks/config", "", map[string]string{"webhook_url": target}, &cfg); err != nil {
		return fmt.Errorf("configure webhooks: %w", err)
	}
	if cfg.WebhookSecret == "" {
		return errors.New("configure webhooks: no webhook_secret in the answer")
	}
	rc.secret.Store(&cfg.WebhookSecret)
	return nil
}

// gatewayRun is what the payment phase leaves for the later ones.
type gatewayRun struct {
	paymentIDs []string
	began      time.Time
}

// batch is the outcome of making n payments from c goroutines.
type batch struct {
	ids                []string // in creation order; "" for a failed one
	orderLat, payLat   []time.Duration
	payStart           []time.Time
	errors             int
	firstErr           string
	began, lastCreated time.Time
}

// makePayments makes n payments from c goroutines, each starting its next payment when its last
// one was created; with rate > 0, payment i also waits until i/rate seconds after the start
// (an open loop: the offered load is at most rate, whatever the latency).
func makePayments(ctx context.Context, a *api, offset, n, c int, rate float64) *batch {
	b := &batch{ids: make([]string, n), orderLat: make([]time.Duration, n), payLat: make([]time.Duration, n), payStart: make([]time.Time, n)}
	var next atomic.Int64
	var mu sync.Mutex
	b.began = time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				if rate > 0 {
					due := b.began.Add(time.Duration(float64(i) / rate * float64(time.Second)))
					if wait := time.Until(due); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
							return
						}
					}
				}
				id, err := a.pay(ctx, offset+i, &b.orderLat[i], &b.payLat[i], &b.payStart[i])
				if err != nil {
					mu.Lock()
					if b.errors++; b.firstErr == "" {
						b.firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				b.ids[i] = id
			}
		})
	}
	wg.Wait()
	b.lastCreated = time.Now()
	return b
}

// waitWebhooks waits until every id has its payment.success, and returns the arrival times.
func waitWebhooks(ctx context.Context, rc *receiver, ids []string) ([]time.Time, error) {
	at := make([]time.Time, len(ids))
	for {
		n := rc.arrived(ids, at)
		if n == len(ids) {
			return at, nil
		}
		select {
		case <-ctx.Done():
			return at, fmt.Errorf("%d of %d payment.success webhooks arrived before the timeout", n, len(ids))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func runGateway(ctx context.Context, o options, procs *processes, pg *pgStats, probe *prober, res *Result) (*gatewayRun, error) {
	a := newAPI(o)
	rc, err := startReceiver(o.peer)
	if err != nil {
		return nil, err
	}
	defer rc.close()
	if err := rc.configure(ctx, a, o.webhooks); err != nil {
		return nil, err
	}
	defer rc.restore(a)
	wait := func(ids []string) ([]time.Time, error) {
		if o.webhooks {
			return waitWebhooks(ctx, rc, ids)
		}
		return waitFinal(ctx, a, len(ids))
	}

	if o.warmup > 0 {
		w := makePayments(ctx, a, 1_000_000_000, o.warmup, min(o.clients, o.warmup), 0)
		if w.errors > 0 {
			return nil, fmt.Errorf("warm-up: %d of %d payments failed, first: %s", w.errors, o.warmup, w.firstErr)
		}
		if _, err := wait(w.ids); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	before := rc.snapshot()

	if o.quietWait > 0 {
		res.BusyBefore["payment"] = waitQuiet(ctx, o.quietWait, 0.2)
	}
	pg.reset(ctx)
	cpu := procs.start()
	stopProbe := probe.start(ctx)
	b := makePayments(ctx, a, 0, o.payments, o.clients, o.rate)
	var ids []string
	var toWebhook []time.Duration
	for _, id := range b.ids {
		if id != "" {
			ids = append(ids, id)
		}
	}
	at, waitErr := wait(ids)
	probeLat := stopProbe()
	last := b.began
	for i, j := 0, 0; i < len(b.ids); i++ {
		if b.ids[i] == "" {
			continue
		}
		if t := at[j]; !t.IsZero() {
			if o.webhooks {
				toWebhook = append(toWebhook, t.Sub(b.payStart[i]))
			}
			if t.After(last) {
				last = t
			}
		}
		j++
	}
	cpuUse := cpu.stop(len(ids))
	after := rc.snapshot()

	gw := &res.Gateway
	gw.Seconds = round(last.Sub(b.began).Seconds(), 3)
	gw.CreateSeconds = round(b.lastCreated.Sub(b.began).Seconds(), 3)
	if gw.Seconds > 0 && waitErr == nil {
		gw.EndToEndPerSecond = round(float64(len(ids))/gw.Seconds, 1)
	}
	if gw.CreateSeconds > 0 {
		gw.CreatePerSecond = round(float64(len(ids))/gw.CreateSeconds, 1)
	}
	gw.Errors, gw.FirstError = b.errors, b.firstErr
	gw.CreateOrder, gw.CreatePayment, gw.ToWebhook = latency(b.orderLat), latency(b.payLat), latency(toWebhook)
	gw.Webhooks = WebhookCounts{
		Success: after.Success - before.Success, Failed: after.Failed - before.Failed, Other: after.Other - before.Other,
		Duplicates: after.Duplicates - before.Duplicates, BadSignatures: after.BadSignatures - before.BadSignatures,
	}
	gw.CPU = cpuUse
	if len(probeLat) > 0 {
		l := latency(probeLat)
		gw.TemporalStartProbe = &l
	}
	gw.SQL = pg.read(ctx, len(ids))
	gw.PendingLeft = pendingLeft(ctx, a)
	if waitErr != nil {
		return nil, waitErr
	}
	if b.errors > 0 {
		return nil, fmt.Errorf("%d of %d payments failed at the API; first: %s", b.errors, o.payments, b.firstErr)
	}
	return &gatewayRun{paymentIDs: ids, began: b.began}, nil
}

// waitFinal polls the API until no payment is pending (for runs without webhooks), and returns
// that moment as every payment's arrival time.
func waitFinal(ctx context.Context, a *api, n int) ([]time.Time, error) {
	for {
		left := pendingLeft(ctx, a)
		if left == 0 {
			at := make([]time.Time, n)
			now := time.Now()
			for i := range at {
				at[i] = now
			}
			return at, nil
		}
		select {
		case <-ctx.Done():
			return make([]time.Time, n), fmt.Errorf("%d payments still pending at the timeout", left)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pendingLeft asks the API how many of the merchant's payments are still pending (-1 if unknown).
func pendingLeft(ctx context.Context, a *api) int64 {
	if a.peer {
		return peerPendingLeft(ctx, a)
	}
	var page struct{ Total int64 }
	if err := a.do(ctx, http.MethodGet, "/api/v1/payments?status=pending&limit=1", "", nil, &page); err != nil {
		return -1
	}
	return page.Total
}

// sampleIDs picks up to n ids spread evenly over ids.
func sampleIDs(ids []string, n int) []string {
	if n >= len(ids) {
		return ids
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, ids[i*len(ids)/n])
	}
	return out
}
