package gatewaytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Delivery is one webhook request a Receiver got.
type Delivery struct {
	Header http.Header
	Body   []byte
	Event  struct {
		ID    string         `json:"id"`
		Event string         `json:"event"`
		Data  map[string]any `json:"data"`
	}
	At time.Time
}

// Receiver is a merchant's webhook endpoint on a loopback port. Respond decides each answer's
// status from the event id and how many times that event has arrived (1 for the first).
type Receiver struct {
	URL     string
	Respond func(eventID string, arrival int) int

	mu         sync.Mutex
	deliveries []Delivery
	arrivals   map[string]int
}

// NewReceiver starts a receiver that answers 200, closed at the end of the test.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{arrivals: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := Delivery{Header: r.Header.Clone(), Body: body, At: time.Now()}
		json.Unmarshal(body, &d.Event)
		rc.mu.Lock()
		rc.arrivals[d.Event.ID]++
		n := rc.arrivals[d.Event.ID]
		rc.deliveries = append(rc.deliveries, d)
		respond := rc.Respond
		rc.mu.Unlock()
		status := http.StatusOK
		if respond != nil {
			status = respond(d.Event.ID, n)
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"received": true}`))
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL + "/webhooks"
	return rc
}

// Deliveries returns what arrived so far, in order.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Delivery(nil), rc.deliveries...)
}

// Of returns the deliveries of one event name, in order.
func (rc *Receiver) Of(event string) []Delivery {
	var out []Delivery
	for _, d := range rc.Deliveries() {
		if d.Event.Event == event {
			out = append(out, d)
		}
	}
	return out
}

// WaitFor polls until cond holds for the deliveries so far, or fails the test after timeout.
func (rc *Receiver) WaitFor(t testing.TB, timeout time.Duration, what string, cond func([]Delivery) bool) []Delivery {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ds := rc.Deliveries()
		if cond(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver: %s not seen after %s (%d deliveries)", what, timeout, len(ds))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
