// Package clientip finds the address of the client behind an HTTP request: the connection's
// peer or, when that peer is a trusted proxy (TRUSTED_PROXIES), the right-most X-Forwarded-For
// entry that is not itself a trusted proxy. Entries left of that one are the client's to write
// and are never believed.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver resolves client addresses through a list of trusted proxies; the zero value trusts
// none and answers the connection's peer.
type Resolver struct {
	Trusted []netip.Prefix
}

// Address returns the request's client address (invalid only if RemoteAddr is not an address,
// which net/http never gives).
func (r Resolver) Address(req *http.Request) netip.Addr {
	addr := parse(req.RemoteAddr)
	if !r.trusts(addr) {
		return addr
	}
	// Each proxy appends the address it got the request from: walk right to left, across every
	// X-Forwarded-For line, past our own proxies.
	lines := req.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		entries := strings.Split(lines[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			hop := parse(strings.TrimSpace(entries[j]))
			if !hop.IsValid() {
				return addr // garbage where a proxy of ours wrote: the last hop we can vouch for
			}
			if !r.trusts(hop) {
				return hop
			}
			addr = hop
		}
	}
	return addr
}

// ViaTrustedProxy reports whether the request's connection comes from a trusted proxy, whose
// forwarded headers (X-Forwarded-Proto, say) may be believed.
func (r Resolver) ViaTrustedProxy(req *http.Request) bool {
	return r.trusts(parse(req.RemoteAddr))
}

func (r Resolver) trusts(addr netip.Addr) bool {
	for _, p := range r.Trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parse reads "ip", "ip:port" or "[ip]:port", as IPv4 when it is IPv4-mapped, without a zone.
func parse(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap().WithZone("")
}

// LimitKey is the part of an address that rate limits count as one client: the address itself
// for IPv4, its /64 for IPv6, which one subscriber usually holds whole.
func LimitKey(addr netip.Addr) string {
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR prefixes, such as
// "10.0.0.0/8, 192.0.2.7, fd00::/8"; an address stands for itself alone.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		addr, err := netip.ParseAddr(item)
		if err != nil {
			return nil, err
		}
		addr = addr.Unmap()
		out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return out, nil
}
