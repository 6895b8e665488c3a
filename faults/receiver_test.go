//go:build faults

package faults

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paygate/paygate/webhooks"
)

// answer is how the receiver treats one request.
type answer struct {
	Status   int           // default 200
	Hang     time.Duration // wait this long first (cut short when the sender hangs up)
	Close    bool          // close the connection without an answer
	Location string        // sent with the answer (a redirect)
}

// arrival is one webhook request the receiver got, and what became of it.
type arrival struct {
	EventID, Event, Path string
	PaymentID            string
	Amount               int64 // the payment's
	N                    int   // 1 for the event's first request
	At                   time.Time
	Answered             int  // status written; 0 when none was
	Aborted              bool // the sender hung up (or died) before an answer was written
	SignatureOK          bool
}

// receiver is a merchant's webhook endpoint on a loopback port; behave chooses each answer.
//
// It can be frozen around a kill, so that no 2xx answer is in flight that the killed sender
// has not recorded: a sender killed between the endpoint's 2xx and its own record of it sends
// the event again (webhooks are at least once; the event id lets receivers drop the repeat).
// With the freeze, any repeat the tests see is the gateway's doing.
type receiver struct {
	URL    string
	behave func(arrival) answer

	mu        sync.Mutex
	all       []arrival
	frozen    chan struct{}  // closed when not frozen
	answering sync.WaitGroup // requests that came while not frozen and are being answered
	closing   chan struct{}
}

func newReceiver(t testing.TB, behave func(arrival) answer) *receiver {
	rc := &receiver{behave: behave, frozen: make(chan struct{}), closing: make(chan struct{})}
	close(rc.frozen)
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(func() {
		close(rc.closing)
		srv.CloseClientConnections()
		srv.Close()
	})
	rc.URL = srv.URL + "/webhooks"
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var ev struct {
		ID    string `json:"id"`
		Event string `json:"event"`
		Data  struct {
			Payment struct {
				ID     string `json:"id"`
				Amount int64  `json:"amount"`
			} `json:"payment"`
		} `json:"data"`
	}
	json.Unmarshal(body, &ev)
	a := arrival{EventID: ev.ID, Event: ev.Event, Path: r.URL.Path, PaymentID: ev.Data.Payment.ID, Amount: ev.Data.Payment.Amount, At: time.Now(),
		SignatureOK: webhooks.Verify(testWebhookSecret, body, r.Header, 0, time.Now()) == nil &&
			webhooks.VerifyLegacy(testWebhookSecret, body, r.Header.Get(webhooks.HeaderLegacySignature)) &&
			r.Header.Get(webhooks.HeaderID) == ev.ID}
	rc.mu.Lock()
	for _, b := range rc.all {
		if b.EventID == a.EventID {
			a.N++
		}
	}
	a.N++
	i := len(rc.all)
	rc.all = append(rc.all, a)
	frozen := rc.frozen
	if isClosed(frozen) {
		rc.answering.Add(1)
		defer rc.answering.Done()
	}
	rc.mu.Unlock()

	ans := answer{}
	if rc.behave != nil {
		ans = rc.behave(a)
	}
	if !isClosed(frozen) {
		// Held by a freeze: answered 503 once thawed, so that no 2xx goes to a sender that was
		// killed meanwhile but whose death the server has not noticed yet.
		ans = answer{Status: http.StatusServiceUnavailable}
		select {
		case <-frozen:
		case <-rc.closing:
		case <-r.Context().Done():
		}
	}
	hang := time.After(ans.Hang)
	select {
	case <-hang:
	case <-rc.closing:
	case <-r.Context().Done():
	}
	status, aborted := 0, r.Context().Err() != nil
	switch {
	case aborted:
	case ans.Close:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	default:
		status = ans.Status
		if status == 0 {
			status = http.StatusOK
		}
		if ans.Location != "" {
			w.Header().Set("Location", ans.Location)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"received": true}`))
	}
	rc.mu.Lock()
	rc.all[i].Answered, rc.all[i].Aborted = status, aborted
	rc.mu.Unlock()
}

// freeze holds every request from now on until unfreeze, which answers them 503. It returns
// once the requests that came before are answered.
func (rc *receiver) freeze() {
	rc.mu.Lock()
	rc.frozen = make(chan struct{})
	rc.mu.Unlock()
	rc.answering.Wait()
}

func (rc *receiver) unfreeze() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !isClosed(rc.frozen) {
		close(rc.frozen)
	}
}

func (rc *receiver) list() []arrival {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]arrival(nil), rc.all...)
}

func (rc *receiver) arrivalsOf(eventID string) []arrival {
	var out []arrival
	for _, a := range rc.list() {
		if a.EventID == eventID {
			out = append(out, a)
		}
	}
	return out
}

// delivered counts the event's 2xx answers written to a sender still connected.
func (rc *receiver) delivered(eventID string) int {
	n := 0
	for _, a := range rc.arrivalsOf(eventID) {
		if a.Answered >= 200 && a.Answered < 300 && !a.Aborted {
			n++
		}
	}
	return n
}

func (rc *receiver) badSignatures() int {
	n := 0
	for _, a := range rc.list() {
		if !a.SignatureOK {
			n++
		}
	}
	return n
}
