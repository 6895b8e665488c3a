package clientip

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestAddress(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 192.0.2.7 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	r := Resolver{Trusted: trusted}
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy, no header", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer's header is ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer, one hop", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed entries left of the client's are ignored", "10.1.2.3:4000", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies is walked", "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1, 192.0.2.7", "10.9.9.9"}, "198.51.100.1"},
		{"every hop trusted: the left-most", "10.1.2.3:4000", []string{"10.0.0.1, 192.0.2.7"}, "10.0.0.1"},
		{"trusted peer, no header", "192.0.2.7:4000", nil, "192.0.2.7"},
		{"garbage where our proxy wrote", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"entries with ports and brackets", "[fd00::1]:4000", []string{"[2001:db8::1]:555, 10.0.0.2:80"}, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.1]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
	} {
		req := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := r.Address(req).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// Trusting nobody (the default), the peer is the client whatever the header says.
	req := &http.Request{RemoteAddr: "10.1.2.3:4000", Header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}}
	if got := (Resolver{}).Address(req).String(); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: %s", got)
	}
}

func TestParsePrefixes(t *testing.T) {
	if p, err := ParsePrefixes(""); err != nil || len(p) != 0 {
		t.Errorf("empty list: %v %v", p, err)
	}
	p, err := ParsePrefixes("10.1.2.3/8,::1")
	if err != nil || len(p) != 2 || p[0].String() != "10.0.0.0/8" || p[1].String() != "::1/128" {
		t.Errorf("%v %v", p, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1,nope"} {
		if _, err := ParsePrefixes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLimitKey(t *testing.T) {
	if k := LimitKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")); k != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 key %s", k)
	}
	if k := LimitKey(netip.MustParseAddr("198.51.100.1")); k != "198.51.100.1" {
		t.Errorf("IPv4 key %s", k)
	}
}
