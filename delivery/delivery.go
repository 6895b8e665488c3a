// Package delivery sends webhook requests to merchants' endpoints, and refuses endpoints the
// gateway must never call: every IANA special-purpose address range (link-local and cloud
// metadata addresses always; loopback and private ranges unless allowed), and IPv6 forms that
// carry such an IPv4 address. The check runs when a URL is configured and again on every
// connection, so a DNS name that later resolves elsewhere (rebinding) is refused too.
package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Timeout bounds one delivery attempt.
const Timeout = 10 * time.Second

// maxResponseBody is how much of an endpoint's answer is kept in the delivery log.
const maxResponseBody = 1024

// ErrForbiddenTarget is returned for an endpoint address the gateway refuses to call.
var ErrForbiddenTarget = errors.New("webhook target address is not allowed")

// Client delivers webhooks.
type Client struct {
	http         *http.Client
	allowPrivate bool
}

// New returns a client; allowPrivate permits loopback and private-range endpoints (development).
func New(allowPrivate bool) *Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: dialGuard(allowPrivate)}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy from the environment
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{
		allowPrivate: allowPrivate,
		http: &http.Client{
			Transport: transport,
			Timeout:   Timeout,
			// A redirect is an answer, not an instruction: 3xx counts as a failed attempt.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// dialGuard is the dialer's Control function: it refuses a connection to an address that is not
// allowed, after DNS resolution and before anything is sent.
func dialGuard(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !allowed(ip, allowPrivate) {
			return ErrForbiddenTarget
		}
		return nil
	}
}

// Result is what one attempt got.
type Result struct {
	StatusCode int    // 0 when no answer came
	Body       string // the first 1 KiB of the answer
	Err        string // why no answer came
}

// Delivered reports a 2xx answer.
func (r Result) Delivered() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// Gone reports 410 Gone: the endpoint asks not to be retried.
func (r Result) Gone() bool { return r.StatusCode == http.StatusGone }

// Post sends one webhook request.
func (c *Client) Post(ctx context.Context, endpoint string, headers http.Header, body []byte) Result {
	if err := c.checkURL(endpoint); err != nil {
		return Result{Err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return Result{Err: "invalid webhook URL"}
	}
	if headers != nil {
		req.Header = headers.Clone()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PayGate-Webhooks/1")
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Err: describe(err)}
	}
	defer resp.Body.Close()
	kept, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // drain a little so the connection is reused
	return Result{StatusCode: resp.StatusCode, Body: strings.ToValidUTF8(string(kept), "")}
}

func describe(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, ErrForbiddenTarget):
		return ErrForbiddenTarget.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", Timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return "connection closed without an answer"
	default:
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			return urlErr.Err.Error()
		}
		return err.Error()
	}
}

// CheckURL validates an endpoint a merchant configures: http or https, a host, and every address
// it resolves to allowed.
func (c *Client) CheckURL(ctx context.Context, endpoint string) error {
	if err := c.checkURL(endpoint); err != nil {
		return err
	}
	u, _ := url.Parse(endpoint)
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !allowed(ip, c.allowPrivate) {
			return ErrForbiddenTarget
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("webhook host %q does not resolve", host)
	}
	for _, ip := range addrs {
		if !allowed(ip, c.allowPrivate) {
			return ErrForbiddenTarget
		}
	}
	return nil
}

func (c *Client) checkURL(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return errors.New("webhook URL must be an http or https URL with a host")
	}
	if u.User != nil {
		return errors.New("webhook URL must not contain credentials")
	}
	return nil
}
