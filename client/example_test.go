package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paygate/paygate/client"
	"github.com/paygate/paygate/webhooks"
)

// A server-side checkout: create an order, pay it by UPI, wait for the bank, then refund part of
// it. (Compiled, not run: it needs a gateway.)
func Example() {
	c := client.New("key_test_abc123", "secret_test_xyz789", client.WithBaseURL("http://127.0.0.1:8000"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	order, err := c.CreateOrder(ctx, client.CreateOrderRequest{
		Amount: 50000, Currency: "INR", Receipt: "receipt#42",
		IdempotencyKey: "order-receipt-42",
	})
	if err != nil {
		log.Fatal(err)
	}
	payment, err := c.CreatePayment(ctx, client.CreatePaymentRequest{
		OrderID: order.ID, Method: client.MethodUPI, VPA: "customer@okicici",
		IdempotencyKey: "pay-receipt-42",
	})
	var apiErr *client.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == client.CodeInvalidVPA:
		log.Fatal("ask the customer for another UPI address")
	case err != nil:
		log.Fatal(err)
	}
	if payment, err = c.WaitForPayment(ctx, payment.ID); err != nil {
		log.Fatal(err)
	}
	if payment.Status != client.PaymentSuccess {
		log.Fatalf("payment failed: %s %s", payment.ErrorCode, payment.ErrorDescription)
	}
	refund, err := c.CreateRefund(ctx, payment.ID, client.CreateRefundRequest{Amount: 10000, Reason: "one item returned"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(refund.ID, refund.Status)
}

func ExampleNew() {
	c := client.New("key_test_abc123", "secret_test_xyz789",
		client.WithBaseURL("https://pay.example.com"),
		client.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
	)
	fmt.Println(c.BaseURL())
	// Output: https://pay.example.com
}

func ExampleIsNotFound() {
	c := client.New("key_test_abc123", "secret_test_xyz789")
	_, err := c.GetOrder(context.Background(), "order_0000000000000000")
	switch {
	case client.IsNotFound(err):
		fmt.Println("no such order")
	case err != nil:
		fmt.Println("failed:", err)
	}
}

// A webhook endpoint: verify the signature on the raw body before acting on the event.
func ExampleVerifyWebhook() {
	const secret = "whsec_test_abc123" // from GetWebhookConfig or the dashboard
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		ev, err := client.VerifyWebhook(body, r.Header, secret)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		if ev.Type == client.EventPaymentSuccess {
			fmt.Println("paid:", ev.Data.Payment.ID, ev.Data.Payment.Amount)
		}
		w.WriteHeader(http.StatusOK)
	})

	// What the gateway sends, signed here so the example runs on its own.
	body := []byte(`{"id":"evt_0123456789abcdef","event":"payment.success","timestamp":"2026-01-21T04:15:00Z",` +
		`"data":{"payment":{"id":"pay_0123456789abcdef","order_id":"order_0123456789abcdef","amount":50000,"currency":"INR","method":"upi","status":"success"}}}`)
	headers := webhooks.Sign(secret, "evt_0123456789abcdef", time.Now(), body)
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
	req.Header = headers
	handler.ServeHTTP(httptest.NewRecorder(), req)
	// Output: paid: pay_0123456789abcdef 50000
}
