package delivery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestAllowed(t *testing.T) {
	cases := []struct {
		ip                   string
		public, privateAllow bool
	}{
		{"93.184.216.34", true, true},
		{"169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"0.0.0.0", false, false},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"192.168.1.1", false, true},
		{"100.64.0.1", false, true},
		{"fd12::1", false, true},
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.ip)
		if got := allowed(ip, false); got != c.public {
			t.Errorf("allowed(%s, private=false) = %v", c.ip, got)
		}
		if got := allowed(ip, true); got != c.privateAllow {
			t.Errorf("allowed(%s, private=true) = %v", c.ip, got)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	strict, dev := New(false), New(true)
	for _, u := range []string{"ftp://example.com/x", "example.com/hook", "http://", "https://user:pw@example.com/", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x"} {
		if dev.CheckURL(ctx, u) == nil {
			t.Errorf("CheckURL(%q) accepted", u)
		}
	}
	if err := strict.CheckURL(ctx, "http://127.0.0.1:9000/hook"); !errors.Is(err, ErrForbiddenTarget) {
		t.Errorf("loopback without permission: %v", err)
	}
	if err := strict.CheckURL(ctx, "http://localhost:9000/hook"); !errors.Is(err, ErrForbiddenTarget) {
		t.Errorf("localhost without permission: %v", err)
	}
	if err := dev.CheckURL(ctx, "http://127.0.0.1:9000/hook"); err != nil {
		t.Errorf("loopback with permission: %v", err)
	}
}

func TestPost(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(strings.Repeat("a", 2000)))
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/redirect":
			http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
		case "/slow":
			time.Sleep(200 * time.Millisecond)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	r := New(true).Post(ctx, srv.URL+"/ok", http.Header{"Webhook-Id": {"evt_1"}}, []byte(`{}`))
	if !r.Delivered() || len(r.Body) != 1024 || got.Header.Get("Webhook-Id") != "evt_1" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("ok: %+v", r)
	}
	if r := New(true).Post(ctx, srv.URL+"/gone", nil, nil); r.Delivered() || !r.Gone() {
		t.Errorf("gone: %+v", r)
	}
	if r := New(true).Post(ctx, srv.URL+"/redirect", nil, nil); r.Delivered() || r.StatusCode != http.StatusFound {
		t.Errorf("redirect followed or delivered: %+v", r)
	}
	// The dial-time check refuses loopback when private targets are not allowed, whatever the URL says.
	if r := New(false).Post(ctx, srv.URL+"/ok", nil, nil); r.Delivered() || r.Err != ErrForbiddenTarget.Error() {
		t.Errorf("loopback dial without permission: %+v", r)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if r := New(true).Post(short, srv.URL+"/slow", nil, nil); r.Delivered() || r.Err == "" {
		t.Errorf("timeout: %+v", r)
	}
	if r := New(true).Post(ctx, "http://127.0.0.1:1/x", nil, nil); r.Err != "connection refused" {
		t.Errorf("refused: %+v", r)
	}
}
