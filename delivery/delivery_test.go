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
		{"2606:4700:4700::1111", true, true},
		{"::ffff:93.184.216.34", true, true},
		{"64:ff9b::5db8:d822", true, true}, // NAT64 of 93.184.216.34
		{"169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"fe80::1%eth0", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"127.0.0.1", false, true},
		{"::ffff:127.0.0.1", false, true},
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

// specialPurpose are addresses in IANA special-purpose ranges, and IPv6 forms carrying a private
// or special IPv4 address: refused with or without WEBHOOK_ALLOW_PRIVATE_TARGETS.
var specialPurpose = []struct{ ip, what string }{
	{"0.1.2.3", "0.0.0.0/8 this network (RFC 791)"},
	{"192.0.0.8", "192.0.0.0/24 IETF protocol assignments (RFC 6890)"},
	{"192.0.2.10", "192.0.2.0/24 documentation (RFC 5737)"},
	{"192.88.99.1", "192.88.99.0/24 6to4 relay anycast (RFC 7526)"},
	{"198.18.0.1", "198.18.0.0/15 benchmarking (RFC 2544)"},
	{"198.19.255.254", "198.18.0.0/15 benchmarking (RFC 2544)"},
	{"203.0.113.7", "203.0.113.0/24 documentation (RFC 5737)"},
	{"224.0.0.1", "224.0.0.0/4 multicast (RFC 1112)"},
	{"240.0.0.1", "240.0.0.0/4 reserved (RFC 1112)"},
	{"255.255.255.255", "limited broadcast (RFC 919)"},
	{"::10.0.0.1", "IPv4-compatible, private (RFC 4291)"},
	{"::127.0.0.1", "IPv4-compatible, loopback (RFC 4291)"},
	{"::169.254.169.254", "IPv4-compatible, metadata (RFC 4291)"},
	{"::5db8:d822", "IPv4-compatible, public (RFC 4291, deprecated)"},
	{"64:ff9b::a00:1", "NAT64 of 10.0.0.1 (RFC 6052)"},
	{"64:ff9b::127.0.0.1", "NAT64 of 127.0.0.1 (RFC 6052)"},
	{"64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254 (RFC 6052)"},
	{"64:ff9b::c000:208", "NAT64 of 192.0.2.8 (RFC 6052)"},
	{"64:ff9b::6464:64c8", "NAT64 of 100.100.100.200 metadata (RFC 6052)"},
	{"64:ff9b:1::a00:1", "local-use NAT64 (RFC 8215)"},
	{"2002:a00:1::1", "6to4 of 10.0.0.1 (RFC 3056)"},
	{"2002:7f00:1::1", "6to4 of 127.0.0.1 (RFC 3056)"},
	{"2002:a9fe:a9fe::1", "6to4 of 169.254.169.254 (RFC 3056)"},
	{"2001:0:a00:1::1", "Teredo, server 10.0.0.1 (RFC 4380)"},
	{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo, client 10.0.0.1 (RFC 4380)"},
	{"2001:db8::1", "documentation (RFC 3849)"},
	{"100::1", "discard-only (RFC 6666)"},
	{"ff02::1", "multicast (RFC 4291)"},
}

func TestAllowedRefusesSpecialPurpose(t *testing.T) {
	for _, c := range specialPurpose {
		ip := netip.MustParseAddr(c.ip)
		for _, private := range []bool{false, true} {
			if allowed(ip, private) {
				t.Errorf("allowed(%s, private=%v) = true: %s", c.ip, private, c.what)
			}
		}
	}
}

// The same addresses are refused when configured and by the dialer's check (which sees the address
// a name resolved to). The dialer's check is called directly: nothing is dialled, so no traffic
// leaves the machine whatever the guard decides. TestPost shows the dialer uses it.
func TestSpecialPurposeRefusedAtConfigurationAndDial(t *testing.T) {
	ctx := context.Background()
	for _, c := range specialPurpose {
		addr := netip.AddrPortFrom(netip.MustParseAddr(c.ip), 8080).String()
		for _, private := range []bool{false, true} {
			if err := New(private).CheckURL(ctx, "http://"+addr+"/hook"); !errors.Is(err, ErrForbiddenTarget) {
				t.Errorf("CheckURL(http://%s/hook, private=%v) = %v: %s", addr, private, err, c.what)
			}
			if err := dialGuard(private)("tcp", addr, nil); !errors.Is(err, ErrForbiddenTarget) {
				t.Errorf("dial %s, private=%v: %v: %s", addr, private, err, c.what)
			}
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
