package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/client"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/webhooks"
)

func TestMain(m *testing.M) { os.Exit(gatewaytest.Main(m)) }

// start runs a gateway for the test and returns a client of the test merchant.
func start(t *testing.T) (*gatewaytest.Stack, *client.Client) {
	t.Helper()
	gw := gatewaytest.Start(t)
	return gw, client.New(gatewaytest.APIKey, gatewaytest.APISecret, client.WithBaseURL(gw.URL))
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// must(f())(t) returns f's value, failing the test if f failed.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func testCard(number string) *client.Card {
	return &client.Card{Number: number, ExpiryMonth: 12, ExpiryYear: time.Now().Year() + 2, CVV: "123", HolderName: "Asha Rao"}
}

// paid creates an order of amount and pays it by UPI, returning the settled payment.
func paid(t *testing.T, c *client.Client, amount int64) *client.Payment {
	t.Helper()
	ctx := ctxFor(t)
	o := must(c.CreateOrder(ctx, client.CreateOrderRequest{Amount: amount}))(t)
	p := must(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: o.ID, VPA: "buyer@okicici"}))(t)
	p = must(c.WaitForPayment(ctx, p.ID))(t)
	if p.Status != client.PaymentSuccess {
		t.Fatalf("payment %s ended %s", p.ID, p.Status)
	}
	return p
}

func TestPaymentLifecycle(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)
	before := time.Now().Add(-time.Minute)

	order := must(c.CreateOrder(ctx, client.CreateOrderRequest{
		Amount: 50000, Currency: "INR", Receipt: "rcpt-1", Notes: map[string]any{"sku": "tea-500g"},
	}))(t)
	if !strings.HasPrefix(order.ID, "order_") || order.Amount != 50000 || order.Currency != "INR" || order.Receipt != "rcpt-1" ||
		order.Notes["sku"] != "tea-500g" || order.Status != client.OrderCreated || order.CreatedAt.Before(before) || order.Replayed {
		t.Errorf("order = %+v", order)
	}
	if got := must(c.GetOrder(ctx, order.ID))(t); got.ID != order.ID || !got.CreatedAt.Equal(order.CreatedAt) {
		t.Errorf("GetOrder = %+v", got)
	}

	payment := must(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, Method: client.MethodUPI, VPA: "user@paytm"}))(t)
	if !strings.HasPrefix(payment.ID, "pay_") || payment.Status != client.PaymentPending || payment.Method != "upi" ||
		payment.VPA != "user@paytm" || payment.OrderID != order.ID || payment.Amount != 50000 || payment.CapturedAt != nil {
		t.Errorf("created payment = %+v", payment)
	}
	payment = must(c.WaitForPayment(ctx, payment.ID))(t)
	if payment.Status != client.PaymentSuccess || payment.ErrorCode != "" || payment.Captured {
		t.Fatalf("settled payment = %+v", payment)
	}
	if o := must(c.GetOrder(ctx, order.ID))(t); o.Status != client.OrderPaid {
		t.Errorf("order status = %s, want paid", o.Status)
	}

	captured := must(c.CapturePayment(ctx, payment.ID, client.CapturePaymentRequest{Amount: 50000}))(t)
	if !captured.Captured || captured.CapturedAt == nil || captured.CapturedAt.Before(before) || captured.Status != client.PaymentSuccess {
		t.Errorf("captured = %+v", captured)
	}

	refund := must(c.CreateRefund(ctx, payment.ID, client.CreateRefundRequest{Amount: 20000, Reason: "Customer request"}))(t)
	if !strings.HasPrefix(refund.ID, "rfnd_") || refund.Status != client.RefundPending || refund.Amount != 20000 ||
		refund.PaymentID != payment.ID || refund.OrderID != order.ID || refund.Reason != "Customer request" || refund.ProcessedAt != nil {
		t.Errorf("refund = %+v", refund)
	}
	refund = must(c.WaitForRefund(ctx, refund.ID))(t)
	if refund.Status != client.RefundProcessed || refund.ProcessedAt == nil {
		t.Errorf("refund ended %+v", refund)
	}
	if p := must(c.GetPayment(ctx, payment.ID))(t); p.AmountRefunded != 20000 || p.Status != client.PaymentSuccess {
		t.Errorf("after a partial refund: %+v", p)
	}

	// Lists and their filters.
	if l := must(c.ListOrders(ctx, client.ListOrdersRequest{}))(t); l.Total != 1 || l.Count != 1 || l.Orders[0].ID != order.ID {
		t.Errorf("ListOrders = %+v", l)
	}
	today := time.Now()
	for _, f := range []client.ListPaymentsRequest{
		{}, {Status: client.PaymentSuccess}, {Method: client.MethodUPI}, {From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 1)}, {Limit: 1},
	} {
		if l := must(c.ListPayments(ctx, f))(t); l.Total != 1 || len(l.Payments) != 1 || l.Payments[0].ID != payment.ID {
			t.Errorf("ListPayments(%+v) = %+v", f, l)
		}
	}
	for _, f := range []client.ListPaymentsRequest{
		{Status: client.PaymentFailed}, {Method: client.MethodCard}, {From: today.AddDate(0, 0, 2)}, {Offset: 1},
	} {
		if l := must(c.ListPayments(ctx, f))(t); len(l.Payments) != 0 {
			t.Errorf("ListPayments(%+v) = %+v, want none", f, l)
		}
	}
	if l := must(c.ListRefunds(ctx, client.ListRefundsRequest{PaymentID: payment.ID}))(t); l.Total != 1 || l.Refunds[0].ID != refund.ID {
		t.Errorf("ListRefunds = %+v", l)
	}
	if l := must(c.ListRefunds(ctx, client.ListRefundsRequest{PaymentID: "pay_0000000000000000"}))(t); l.Total != 0 {
		t.Errorf("ListRefunds of another payment = %+v", l)
	}
	if got := must(c.GetRefund(ctx, refund.ID))(t); got.ID != refund.ID || got.Status != client.RefundProcessed {
		t.Errorf("GetRefund = %+v", got)
	}

	// A refund without an amount takes the rest, and the payment becomes refunded.
	rest := must(c.CreateRefund(ctx, payment.ID, client.CreateRefundRequest{}))(t)
	if rest.Amount != 30000 {
		t.Errorf("refund of the rest = %d, want 30000", rest.Amount)
	}
	must(c.WaitForRefund(ctx, rest.ID))(t)
	deadline := time.Now().Add(10 * time.Second)
	for p := must(c.GetPayment(ctx, payment.ID))(t); p.Status != client.PaymentRefunded; p = must(c.GetPayment(ctx, payment.ID))(t) {
		if time.Now().After(deadline) {
			t.Fatalf("payment after a full refund: %+v", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCardDecline(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)
	order := must(c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 1000}))(t)
	p := must(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, Card: testCard("4000000000000002")}))(t)
	if p.Method != client.MethodCard || p.CardNetwork != "visa" || p.CardLast4 != "0002" || p.Status != client.PaymentPending {
		t.Errorf("created = %+v", p)
	}
	p = must(c.WaitForPayment(ctx, p.ID))(t)
	if p.Status != client.PaymentFailed || p.ErrorCode != "CARD_DECLINED" || p.ErrorDescription == "" {
		t.Errorf("declined card = %+v", p)
	}
	if l := must(c.ListPayments(ctx, client.ListPaymentsRequest{Status: client.PaymentFailed, Method: client.MethodCard}))(t); l.Total != 1 {
		t.Errorf("failed card payments = %+v", l)
	}
	// A failed payment can be neither captured nor refunded; the order can be paid again.
	if _, err := c.CapturePayment(ctx, p.ID, client.CapturePaymentRequest{Amount: 1000}); !client.IsBadRequest(err) {
		t.Errorf("capture of a failed payment: %v", err)
	}
	if _, err := c.CreateRefund(ctx, p.ID, client.CreateRefundRequest{}); !client.IsBadRequest(err) {
		t.Errorf("refund of a failed payment: %v", err)
	}
	ok := must(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, Card: testCard("4111 1111 1111 1111")}))(t)
	if ok = must(c.WaitForPayment(ctx, ok.ID))(t); ok.Status != client.PaymentSuccess {
		t.Errorf("second attempt = %+v", ok)
	}
}

func TestTypedErrors(t *testing.T) {
	gw, c := start(t)
	ctx := ctxFor(t)
	order := must(c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 1000}))(t)

	_, err := c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, VPA: "not-a-vpa"})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Code != client.CodeInvalidVPA || apiErr.Description == "" || apiErr.RequestID == "" {
		t.Fatalf("bad VPA: %#v", err)
	}
	if !strings.Contains(err.Error(), "400 INVALID_VPA") || !client.IsBadRequest(err) || client.IsNotFound(err) {
		t.Errorf("bad VPA error %q", err)
	}

	expired := testCard("4111111111111111")
	expired.ExpiryYear = time.Now().Year() - 1
	if _, err := c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, Card: expired}); client.ErrorCode(err) != client.CodeExpiredCard {
		t.Errorf("expired card: %v", err)
	}
	if _, err := c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: order.ID, Card: testCard("4111111111111112")}); client.ErrorCode(err) != client.CodeInvalidCard {
		t.Errorf("bad card number: %v", err)
	}
	if _, err := c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 5}); client.ErrorCode(err) != client.CodeBadRequest || !strings.Contains(err.Error(), "amount") {
		t.Errorf("small order: %v", err)
	}

	for name, err := range map[string]error{
		"GetOrder":      second(c.GetOrder(ctx, "order_0000000000000000")),
		"CreatePayment": second(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: "order_0000000000000000", VPA: "a@upi"})),
		"GetPayment":    second(c.GetPayment(ctx, "pay_0000000000000000")),
		"Capture":       second(c.CapturePayment(ctx, "pay_0000000000000000", client.CapturePaymentRequest{Amount: 100})),
		"CreateRefund":  second(c.CreateRefund(ctx, "pay_0000000000000000", client.CreateRefundRequest{})),
		"GetRefund":     second(c.GetRefund(ctx, "rfnd_0000000000000000")),
		"GetWebhookLog": second(c.GetWebhookLog(ctx, "evt_0000000000000000")),
		"RetryWebhook":  second(c.RetryWebhook(ctx, "evt_0000000000000000")),
	} {
		if !client.IsNotFound(err) || client.ErrorCode(err) != client.CodeNotFound {
			t.Errorf("%s of an unknown id: %v", name, err)
		}
	}
	for _, id := range []string{"", "../payments", "order_1?x=1", "pay_1/capture"} {
		if _, err := c.GetOrder(ctx, id); !errors.Is(err, client.ErrInvalidID) || client.AsError(err) != nil {
			t.Errorf("id %q: %v", id, err)
		}
	}

	wrong := client.New(gatewaytest.APIKey, "wrong", client.WithBaseURL(gw.URL))
	if _, err := wrong.ListOrders(ctx, client.ListOrdersRequest{}); !client.IsAuthentication(err) || client.AsError(err).Status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %v", err)
	}
	if _, err := c.ListOrders(ctx, client.ListOrdersRequest{Limit: 101}); !client.IsBadRequest(err) {
		t.Errorf("limit 101: %v", err)
	}

	// Failures that are not the API's: no *Error.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	_, err = client.New("k", "s", client.WithBaseURL(down.URL)).GetOrder(ctx, "order_x")
	if err == nil || client.AsError(err) != nil || client.IsRetryable(err) {
		t.Errorf("unreachable gateway: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.ListOrders(cancelled, client.ListOrdersRequest{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestNonJSONErrorBody(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k" || r.Header.Get("X-Api-Secret") != "s" || !strings.HasPrefix(r.UserAgent(), "paygate-go/") {
			t.Errorf("request headers %v", r.Header)
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>Bad Gateway</html>"))
	}))
	defer proxy.Close()
	_, err := client.New("k", "s", client.WithBaseURL(proxy.URL+"/")).GetOrder(t.Context(), "order_x")
	e := client.AsError(err)
	if e == nil || e.Status != http.StatusBadGateway || e.Code != "" || e.Description != "<html>Bad Gateway</html>" || !client.IsRetryable(err) {
		t.Errorf("proxy error: %#v", err)
	}
	if err.Error() != "paygate: 502 Bad Gateway: <html>Bad Gateway</html>" {
		t.Errorf("message %q", err.Error())
	}
}

func TestIdempotentReplay(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)

	orderReq := client.CreateOrderRequest{Amount: 50000, Receipt: "r-1", IdempotencyKey: "order-r-1"}
	first := must(c.CreateOrder(ctx, orderReq))(t)
	again := must(c.CreateOrder(ctx, orderReq))(t)
	if first.Replayed || !again.Replayed || again.ID != first.ID {
		t.Errorf("order replay: first %+v, again %+v", first, again)
	}

	payReq := client.CreatePaymentRequest{OrderID: first.ID, VPA: "a@upi", IdempotencyKey: "pay-attempt-1"}
	p1 := must(c.CreatePayment(ctx, payReq))(t)
	p2 := must(c.CreatePayment(ctx, payReq))(t)
	if p1.Replayed || !p2.Replayed || p2.ID != p1.ID || p2.Status != p1.Status {
		t.Errorf("payment replay: first %+v, again %+v", p1, p2)
	}
	must(c.WaitForPayment(ctx, p1.ID))(t)
	// Still the stored answer (the payment as it was created), after the payment settled.
	if p3 := must(c.CreatePayment(ctx, payReq))(t); !p3.Replayed || p3.ID != p1.ID || p3.Status != client.PaymentPending {
		t.Errorf("late replay = %+v", p3)
	}
	if l := must(c.ListPayments(ctx, client.ListPaymentsRequest{}))(t); l.Total != 1 {
		t.Errorf("%d payments, want 1", l.Total)
	}

	other := payReq
	other.VPA = "b@upi"
	_, err := c.CreatePayment(ctx, other)
	if e := client.AsError(err); e == nil || e.Status != http.StatusUnprocessableEntity || !client.IsIdempotencyError(err) || client.IsRetryable(err) {
		t.Errorf("same key, other body: %v", err)
	}

	refReq := client.CreateRefundRequest{Amount: 100, IdempotencyKey: "refund-1"}
	r1 := must(c.CreateRefund(ctx, p1.ID, refReq))(t)
	r2 := must(c.CreateRefund(ctx, p1.ID, refReq))(t)
	if r1.Replayed || !r2.Replayed || r2.ID != r1.ID {
		t.Errorf("refund replay: %+v, %+v", r1, r2)
	}
	if l := must(c.ListRefunds(ctx, client.ListRefundsRequest{PaymentID: p1.ID}))(t); l.Total != 1 {
		t.Errorf("%d refunds, want 1", l.Total)
	}
	capReq := client.CapturePaymentRequest{Amount: 50000, IdempotencyKey: "capture-1"}
	c1 := must(c.CapturePayment(ctx, p1.ID, capReq))(t)
	c2 := must(c.CapturePayment(ctx, p1.ID, capReq))(t)
	if c1.Replayed || !c2.Replayed || !c2.Captured {
		t.Errorf("capture replay: %+v, %+v", c1, c2)
	}
	if _, err := c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 500, IdempotencyKey: "tab\there"}); !client.IsBadRequest(err) {
		t.Errorf("invalid key: %v", err)
	}
}

func TestWebhookVerification(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)
	rc := gatewaytest.NewReceiver(t)

	cfg := must(c.SetWebhookURL(ctx, rc.URL))(t)
	if cfg.URL != rc.URL || !strings.HasPrefix(cfg.Secret, "whsec_") {
		t.Fatalf("SetWebhookURL = %+v", cfg)
	}
	if got := must(c.GetWebhookConfig(ctx))(t); *got != *cfg {
		t.Errorf("GetWebhookConfig = %+v, want %+v", got, cfg)
	}
	if _, err := c.SetWebhookURL(ctx, "ftp://example.com/x"); !client.IsBadRequest(err) {
		t.Errorf("ftp URL: %v", err)
	}

	p := paid(t, c, 50000)
	ds := rc.WaitFor(t, 10*time.Second, "payment.success", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.success")) == 1 })
	for _, d := range ds {
		ev, err := client.VerifyWebhook(d.Body, d.Header, cfg.Secret)
		if err != nil {
			t.Fatalf("%s: %v", d.Event.Event, err)
		}
		if ev.ID != d.Header.Get("Webhook-Id") || ev.Type != d.Event.Event || ev.Data.Payment == nil || ev.Data.Payment.ID != p.ID ||
			ev.Timestamp.IsZero() || time.Since(ev.Timestamp) > time.Minute {
			t.Errorf("event = %+v", ev)
		}
		if !client.VerifyLegacyWebhook(d.Body, d.Header.Get("X-Webhook-Signature"), cfg.Secret) {
			t.Errorf("%s: legacy signature does not verify", d.Event.Event)
		}
	}
	success := rc.Of("payment.success")[0]
	ev := must(client.VerifyWebhook(success.Body, success.Header, cfg.Secret))(t)
	if ev.Type != client.EventPaymentSuccess || ev.Data.Payment.Status != client.PaymentSuccess || ev.Data.Payment.Amount != 50000 ||
		ev.Data.Payment.VPA != "buyer@okicici" || ev.Data.Refund != nil {
		t.Errorf("payment.success = %+v, payment %+v", ev, ev.Data.Payment)
	}

	// Tampering, a wrong secret, missing headers: refused, with no event.
	tampered := []byte(strings.Replace(string(success.Body), "50000", "50001", 1))
	if string(tampered) == string(success.Body) {
		t.Fatalf("body has no amount to tamper with: %s", success.Body)
	}
	if ev, err := client.VerifyWebhook(tampered, success.Header, cfg.Secret); !errors.Is(err, client.ErrWebhookSignature) || ev.ID != "" {
		t.Errorf("tampered body: %+v, %v", ev, err)
	}
	if client.VerifyLegacyWebhook(tampered, success.Header.Get("X-Webhook-Signature"), cfg.Secret) {
		t.Error("tampered body passes the legacy check")
	}
	if _, err := client.VerifyWebhook(success.Body, success.Header, "whsec_test_other"); !errors.Is(err, client.ErrWebhookSignature) {
		t.Errorf("wrong secret: %v", err)
	}
	noSig := success.Header.Clone()
	noSig.Del("Webhook-Signature")
	if _, err := client.VerifyWebhook(success.Body, noSig, cfg.Secret); !errors.Is(err, client.ErrWebhookMissingHeaders) {
		t.Errorf("no signature: %v", err)
	}
	// A delivery replayed later than the tolerance is refused even with a valid signature.
	stale := webhooks.Sign(cfg.Secret, ev.ID, time.Now().Add(-6*time.Minute), success.Body)
	if _, err := client.VerifyWebhook(success.Body, stale, cfg.Secret); !errors.Is(err, client.ErrWebhookTimestamp) {
		t.Errorf("stale delivery: %v", err)
	}

	// The delivery log, a manual retry and a test event.
	logs := must(c.ListWebhookLogs(ctx, client.ListWebhookLogsRequest{Event: client.EventPaymentSuccess}))(t)
	if logs.Total != 1 || logs.Limit != 10 || len(logs.Logs) != 1 || logs.Logs[0].ID != ev.ID || logs.Logs[0].PaymentID != p.ID {
		t.Fatalf("ListWebhookLogs = %+v", logs)
	}
	var payload client.Event
	if err := json.Unmarshal(logs.Logs[0].Payload, &payload); err != nil || payload.ID != ev.ID {
		t.Errorf("log payload %s: %v", logs.Logs[0].Payload, err)
	}
	var log *client.WebhookLog
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log = must(c.GetWebhookLog(ctx, ev.ID))(t)
		if log.Status != client.DeliveryPending || time.Now().After(deadline) {
			break
		}
	}
	if log.Status != client.DeliverySuccess || log.Attempts != 1 || log.ResponseCode != 200 || log.LastAttemptAt == nil || log.NextRetryAt != nil {
		t.Errorf("GetWebhookLog = %+v", log)
	}
	retry := must(c.RetryWebhook(ctx, ev.ID))(t)
	if retry.ID != ev.ID || retry.Status != client.DeliveryPending {
		t.Errorf("RetryWebhook = %+v", retry)
	}
	rc.WaitFor(t, 10*time.Second, "the retried payment.success", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.success")) == 2 })
	if _, err := client.VerifyWebhook(rc.Of("payment.success")[1].Body, rc.Of("payment.success")[1].Header, cfg.Secret); err != nil {
		t.Errorf("retried delivery: %v", err)
	}

	// A new secret signs new deliveries; the old one no longer verifies them.
	regen := must(c.RegenerateWebhookSecret(ctx))(t)
	if regen.Secret == cfg.Secret || regen.URL != rc.URL {
		t.Errorf("RegenerateWebhookSecret = %+v", regen)
	}
	id := must(c.SendTestWebhook(ctx))(t)
	rc.WaitFor(t, 10*time.Second, "webhook.test", func([]gatewaytest.Delivery) bool { return len(rc.Of("webhook.test")) == 1 })
	d := rc.Of("webhook.test")[0]
	test, err := client.VerifyWebhook(d.Body, d.Header, regen.Secret)
	if err != nil || test.ID != id || test.Type != client.EventWebhookTest || test.Data.Message == "" || test.Data.Payment != nil {
		t.Errorf("test event = %+v, %v", test, err)
	}
	if _, err := client.VerifyWebhook(d.Body, d.Header, cfg.Secret); !errors.Is(err, client.ErrWebhookSignature) {
		t.Errorf("old secret on a new delivery: %v", err)
	}

	// An empty URL disables delivery.
	if off := must(c.SetWebhookURL(ctx, ""))(t); off.URL != "" {
		t.Errorf("disabled = %+v", off)
	}
	if _, err := c.SendTestWebhook(ctx); !client.IsBadRequest(err) {
		t.Errorf("test event without a URL: %v", err)
	}
}

// The signature the hosted checkout hands the merchant's page verifies with the webhook secret.
func TestCheckoutSignature(t *testing.T) {
	gw, c := start(t)
	ctx := ctxFor(t)
	p := paid(t, c, 1000)
	view := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/payments/" + p.ID + "/public?key=" + gatewaytest.APIKey, Anonymous: true}).JSON(t)
	sig, _ := view["signature"].(string)
	secret := must(c.GetWebhookConfig(ctx))(t).Secret
	if !client.VerifyCheckoutSignature(p.OrderID, p.ID, sig, secret) {
		t.Errorf("signature %q of %s|%s does not verify", sig, p.OrderID, p.ID)
	}
	if client.VerifyCheckoutSignature(p.OrderID, "pay_0000000000000000", sig, secret) || client.VerifyCheckoutSignature(p.OrderID, p.ID, sig, "other") {
		t.Error("signature verifies for another payment or secret")
	}
}
