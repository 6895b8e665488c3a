package client_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paygate/paygate/client"
)

// A body over 1 MiB is PAYLOAD_TOO_LARGE (413): a bad request, not worth repeating.
func TestPayloadTooLarge(t *testing.T) {
	_, c := start(t)
	_, err := c.CreateOrder(ctxFor(t), client.CreateOrderRequest{Amount: 500, Notes: map[string]any{"big": strings.Repeat("x", 1<<20)}})
	if e := client.AsError(err); e == nil || e.Status != http.StatusRequestEntityTooLarge || e.Code != client.CodePayloadTooLarge {
		t.Fatalf("order with 1 MiB of notes: %v", err)
	}
	if !client.IsBadRequest(err) || client.IsRetryable(err) {
		t.Errorf("%v: IsBadRequest %v, IsRetryable %v", err, client.IsBadRequest(err), client.IsRetryable(err))
	}
}

// A 405 METHOD_NOT_ALLOWED (a gateway older than the client, say) is a bad request, not retryable.
func TestMethodNotAllowed(t *testing.T) {
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		w.Write([]byte(`{"error":{"code":"METHOD_NOT_ALLOWED","description":"Method not allowed on this route"}}`))
	}))
	defer old.Close()
	_, err := client.New("k", "s", client.WithBaseURL(old.URL)).SendTestWebhook(ctxFor(t))
	if client.ErrorCode(err) != client.CodeMethodNotAllowed || !client.IsBadRequest(err) || client.IsRetryable(err) {
		t.Errorf("405: %v (IsBadRequest %v, IsRetryable %v)", err, client.IsBadRequest(err), client.IsRetryable(err))
	}
}
