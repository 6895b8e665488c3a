// Package client is a Go client for the PayGate API: orders, payments (UPI and card), capture,
// refunds and webhook configuration, plus verification of the webhooks the gateway delivers.
//
// Create a client with the merchant's API key and secret, then call its methods with a context:
//
//	c := client.New("key_test_abc123", "secret_test_xyz789", client.WithBaseURL("https://pay.example.com"))
//	order, err := c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 50000, Currency: "INR"})
//
// Amounts are integers in the currency's minor unit (paise, cents). Every failure the API reports
// is an *Error carrying the HTTP status and the API's error code; test it with errors.As or with
// helpers such as IsNotFound. Create requests take an IdempotencyKey, which makes retrying them
// safe: a repeat with the same key returns the first answer (with Replayed set) and creates
// nothing new.
//
// The package depends only on the standard library and the gateway's webhooks package.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultBaseURL is where New points a client when WithBaseURL is not given: a gateway started
// locally with `make dev`.
const DefaultBaseURL = "http://127.0.0.1:8000"

// Version is this client's version, sent in the User-Agent header.
const Version = "0.1.0"

// maxResponse is the largest response body the client reads.
const maxResponse = 16 << 20

// Client calls the PayGate API as one merchant. It is safe for concurrent use.
type Client struct {
	apiKey, apiSecret string
	baseURL           string
	http              *http.Client
}

// Option configures a Client in New.
type Option func(*Client)

// WithBaseURL sets the gateway's base URL (scheme, host and optional path prefix, without
// /api/v1), for example "https://pay.example.com". The default is DefaultBaseURL.
func WithBaseURL(baseURL string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(baseURL, "/") }
}

// WithHTTPClient sets the HTTP client requests are sent with, for timeouts, proxies or
// instrumentation. The default is http.DefaultClient; deadlines are best set per call through
// the context.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// New returns a client that authenticates with the merchant's API key and secret.
func New(apiKey, apiSecret string, opts ...Option) *Client {
	c := &Client{apiKey: apiKey, apiSecret: apiSecret, baseURL: DefaultBaseURL, http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL returns the gateway base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL }

// call is one API request.
type call struct {
	method, path   string
	query          url.Values
	body           any // marshalled to JSON when not nil
	idempotencyKey string
}

// do sends a request and decodes a successful JSON answer into out (when not nil). It reports
// whether the gateway replayed a stored answer for the idempotency key.
func (c *Client) do(ctx context.Context, cl call, out any) (replayed bool, err error) {
	u := c.baseURL + "/api/v1" + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		raw, err := json.Marshal(cl.body)
		if err != nil {
			return false, fmt.Errorf("paygate: encode %s %s: %w", cl.method, cl.path, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return false, fmt.Errorf("paygate: %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "paygate-go/"+Version)
	req.Header.Set("X-Api-Key", c.apiKey)
	req.Header.Set("X-Api-Secret", c.apiSecret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("paygate: %s %s: %w", cl.method, cl.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return false, fmt.Errorf("paygate: %s %s: read response: %w", cl.method, cl.path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return false, newError(resp, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return false, fmt.Errorf("paygate: %s %s: decode %d response: %w", cl.method, cl.path, resp.StatusCode, err)
		}
	}
	return resp.Header.Get("Idempotent-Replayed") == "true", nil
}

// ErrInvalidID is returned, without a request, for an empty object id or one with characters
// no gateway id has (ids are letters, digits, '_' and '-'; for example "pay_4fT8kQ2mZx9LbN1c").
var ErrInvalidID = errors.New("paygate: invalid id")

// checkID refuses ids that are empty or could change the request's path.
func checkID(id string) error {
	if id == "" || len(id) > 100 {
		return ErrInvalidID
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("%w %q", ErrInvalidID, id)
		}
	}
	return nil
}
