package api_test

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/gatewaytest"
)

// After an outage of an endpoint, a replay of the outage's window delivers every missed event
// once, oldest first, with its own event id and the endpoint's signature, while live traffic
// goes on; the replay reports its total, sent and failed.
func TestReplayAfterOutage(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	var down atomic.Bool
	rc.Respond = func(string, int) int {
		if down.Load() {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	e := createEndpoint(t, gw, rc.URL, "payment.*")
	endpoint := e["id"].(string)
	paidPayment(t, gw, 100) // before the outage: delivered live

	down.Store(true)
	outageStart := time.Now().UTC()
	var missed []string
	for range 5 {
		id := paidPayment(t, gw, 200)
		missed = append(missed, id)
	}
	// An event the endpoint does not subscribe to is not replayed to it either.
	if _, err := gw.Pool.Exec(t.Context(), `INSERT INTO events (id, merchant_id, type, payload) VALUES ('evt_notforendpoint', $1, 'refund.created', '{}')`, auth.TestMerchantID); err != nil {
		t.Fatal(err)
	}
	// Every delivery of the outage has run out of attempts.
	gw.WaitFor(t, "/api/v1/webhooks?status=pending&endpoint_id="+endpoint, func(l map[string]any) bool { return l["total"] == 0.0 })
	outageEnd := time.Now().UTC()
	down.Store(false)
	upAt := time.Now()

	// Live traffic during the replay.
	stop := make(chan struct{})
	var live sync.WaitGroup
	var livePayments []string
	var liveMu sync.Mutex
	live.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			id := paidPayment(t, gw, 300)
			liveMu.Lock()
			livePayments = append(livePayments, id)
			liveMu.Unlock()
		}
	})

	rp := gw.MustCreate(t, "/api/v1/webhook_endpoints/"+endpoint+"/replay", map[string]any{
		"created": map[string]any{"gte": outageStart.Format(time.RFC3339Nano), "lte": outageEnd.Format(time.RFC3339Nano)},
	})
	if rp["status"] != "running" || rp["endpoint_id"] != endpoint {
		t.Fatalf("replay %v", rp)
	}
	done := gw.WaitFor(t, "/api/v1/replays/"+rp["id"].(string), func(r map[string]any) bool { return r["status"] != "running" })
	close(stop)
	live.Wait()
	if done["status"] != "succeeded" || done["total"] != 15.0 || done["sent"] != 15.0 || done["failed"] != 0.0 || done["finished_at"] == nil {
		t.Errorf("replay ended %v", done)
	}

	// The outage's events, oldest first, as the events API orders them.
	var want []string
	page := gw.Get(t, "/api/v1/events?limit=100&type=payment.*&created[gte]="+outageStart.Format(time.RFC3339Nano)+"&created[lte]="+outageEnd.Format(time.RFC3339Nano)).JSON(t)["data"].([]any)
	for _, ev := range slices.Backward(page) {
		want = append(want, ev.(map[string]any)["id"].(string))
	}
	if len(want) != 15 {
		t.Fatalf("%d outage events", len(want))
	}
	var got []string
	for _, d := range rc.Deliveries() {
		if d.At.After(upAt) && slices.Contains(want, d.Event.ID) {
			got = append(got, d.Event.ID)
			verify(t, e["secret"].(string), d)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("replayed %v,\nwant once each, in order, %v", got, want)
	}
	// Live deliveries went on.
	liveMu.Lock()
	defer liveMu.Unlock()
	if len(livePayments) == 0 {
		t.Fatal("no live payment during the replay")
	}
	last := livePayments[len(livePayments)-1]
	rc.WaitFor(t, 20*time.Second, "live payment.success", func(ds []gatewaytest.Delivery) bool {
		for _, d := range ds {
			if p, _ := d.Event.Data["payment"].(map[string]any); d.Event.Event == "payment.success" && p["id"] == last {
				return true
			}
		}
		return false
	})
}

// One running replay per endpoint: another is refused with 409 until it is cancelled.
func TestReplayConflictAndCancel(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	e := createEndpoint(t, gw, rc.URL, "*")
	path := "/api/v1/webhook_endpoints/" + e["id"].(string) + "/replay"
	if _, err := gw.Pool.Exec(t.Context(), `INSERT INTO webhook_replays (id, merchant_id, endpoint_id, created_gte, created_lt) VALUES ('rpl_running0000000', $1, $2, now(), now())`,
		auth.TestMerchantID, e["id"]); err != nil {
		t.Fatal(err)
	}
	r := gw.Post(t, path, map[string]any{})
	if r.Status != http.StatusConflict || r.ErrorCode() != "REPLAY_IN_PROGRESS" {
		t.Errorf("second replay = %d %s", r.Status, r.Body)
	}
	if c := gw.Post(t, "/api/v1/replays/rpl_running0000000/cancel", nil).JSON(t); c["status"] != "canceled" {
		t.Errorf("cancel %v", c)
	}
	if r := gw.Post(t, "/api/v1/replays/rpl_running0000000/cancel", nil); r.Status != http.StatusBadRequest {
		t.Errorf("cancel again = %d", r.Status)
	}
	if r := gw.Post(t, path, map[string]any{"types": []string{"bogus.*"}}); r.Status != http.StatusBadRequest {
		t.Errorf("bad types = %d", r.Status)
	}
	gw.MustCreate(t, path, map[string]any{})
	if list := gw.Get(t, "/api/v1/webhook_endpoints/"+e["id"].(string)+"/replays").JSON(t)["data"].([]any); len(list) != 2 {
		t.Errorf("%d replays listed", len(list))
	}
}
