package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paygate/paygate/client"
)

// trigger makes the real objects, through the API in test mode, whose life emits one event: an
// order, a payment with the matching test instrument, a capture or a refund, so that the event
// flows through the whole gateway (recorded, delivered to the matching endpoints, in the events
// API). A new event gets an entry here.
var triggers = map[string]func(ctx context.Context, c *client.Client, out io.Writer) error{
	client.EventPaymentCreated: triggerPayment(true),
	client.EventPaymentPending: triggerPayment(true),
	client.EventPaymentSuccess: triggerPayment(true),
	client.EventPaymentFailed:  triggerPayment(false),
	client.EventPaymentCaptured: func(ctx context.Context, c *client.Client, out io.Writer) error {
		p, err := paidPayment(ctx, c, out, true)
		if err != nil {
			return err
		}
		_, err = c.CapturePayment(ctx, p.ID, client.CapturePaymentRequest{Amount: p.Amount})
		fmt.Fprintf(out, "captured %s\n", p.ID)
		return err
	},
	client.EventPaymentVoided: func(ctx context.Context, c *client.Client, out io.Writer) error {
		p, err := paidPayment(ctx, c, out, true)
		if err != nil {
			return err
		}
		_, err = c.Void(ctx, p.ID)
		fmt.Fprintf(out, "voided %s\n", p.ID)
		return err
	},
	client.EventRefundCreated:   triggerRefund,
	client.EventRefundProcessed: triggerRefund,
	client.EventWebhookTest: func(ctx context.Context, c *client.Client, out io.Writer) error {
		id, err := c.SendTestWebhook(ctx)
		fmt.Fprintf(out, "sent test event %s\n", id)
		return err
	},
}

// triggerNames lists the events trigger can make, sorted.
func triggerNames() []string {
	var names []string
	for n := range triggers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// runTrigger is `gateway trigger <event>` (like `stripe trigger`).
func runTrigger(ctx context.Context, _ *slog.Logger) error {
	usage := "usage: gateway trigger <event> [--base-url URL] [--api-key KEY] [--api-secret SECRET]\nevents: " + strings.Join(triggerNames(), ", ")
	if len(os.Args) < 3 || strings.HasPrefix(os.Args[2], "-") {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	baseURL := fs.String("base-url", envOr("PAYGATE_BASE_URL", "http://127.0.0.1:8000"), "gateway API")
	apiKey := fs.String("api-key", envOr("API_KEY", "key_test_abc123"), "merchant API key (the dev test merchant's by default)")
	apiSecret := fs.String("api-secret", envOr("API_SECRET", "secret_test_xyz789"), "merchant API secret")
	if err := fs.Parse(os.Args[3:]); err != nil {
		return err
	}
	c := client.New(*apiKey, *apiSecret, client.WithBaseURL(*baseURL))
	return trigger(ctx, c, os.Args[2], os.Stdout)
}

// trigger makes the objects that emit event and waits until the event is recorded.
func trigger(ctx context.Context, c *client.Client, event string, out io.Writer) error {
	emit, ok := triggers[event]
	if !ok {
		return fmt.Errorf("gateway trigger: no way to trigger %q; events: %s", event, strings.Join(triggerNames(), ", "))
	}
	start := time.Now().Add(-time.Second)
	if err := emit(ctx, c, out); err != nil {
		return fmt.Errorf("gateway trigger %s: %w", event, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		l, err := c.ListEvents(ctx, client.ListEventsRequest{Type: event, Limit: 1, Created: client.CreatedRange{GTE: start}})
		if err != nil {
			return fmt.Errorf("gateway trigger %s: %w", event, err)
		}
		if len(l.Data) > 0 {
			fmt.Fprintf(out, "event %s %s recorded\n", l.Data[0].Type, l.Data[0].ID)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gateway trigger %s: event not recorded: %w", event, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func triggerPayment(success bool) func(context.Context, *client.Client, io.Writer) error {
	return func(ctx context.Context, c *client.Client, out io.Writer) error {
		_, err := paidPayment(ctx, c, out, success)
		return err
	}
}

func triggerRefund(ctx context.Context, c *client.Client, out io.Writer) error {
	p, err := paidPayment(ctx, c, out, true)
	if err != nil {
		return err
	}
	r, err := c.CreateRefund(ctx, p.ID, client.CreateRefundRequest{Reason: "gateway trigger"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "refund %s of %s\n", r.ID, p.ID)
	_, err = c.WaitForRefund(ctx, r.ID)
	return err
}

// paidPayment makes an order and pays it by card: 4111 1111 1111 1111 succeeds, the test bank's
// 4000 0000 0000 0002 is declined in every mode.
func paidPayment(ctx context.Context, c *client.Client, out io.Writer, success bool) (*client.Payment, error) {
	o, err := c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 50000, Currency: "INR", Receipt: "gateway-trigger"})
	if err != nil {
		return nil, err
	}
	number := "4111111111111111"
	if !success {
		number = "4000000000000002"
	}
	p, err := c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: o.ID, Card: &client.Card{
		Number: number, ExpiryMonth: 12, ExpiryYear: time.Now().Year() + 2, CVV: "123", HolderName: "Trigger Test",
	}})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "order %s, payment %s\n", o.ID, p.ID)
	p, err = c.WaitForPayment(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if want := slices.Contains([]string{client.PaymentSuccess}, p.Status); want != success {
		return nil, fmt.Errorf("payment %s ended %s", p.ID, p.Status)
	}
	return p, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
