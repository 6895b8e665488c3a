package delivery

import (
	"net/netip"

	"code.dny.dev/ssrf"
)

// special refuses every address in the IANA IPv4 and IPv6 special-purpose registries, and every
// IPv6 address outside global unicast (2000::/3), from code.dny.dev/ssrf's tables, which are
// generated from the registries. The one exception is the well-known NAT64 prefix 64:ff9b::/96
// (RFC 6052), which IANA lists as globally reachable and which a gateway on an IPv6-only
// network with DNS64 needs to reach IPv4-only endpoints; the IPv4 address it carries is checked
// on its own (embeddedIPv4).
var special = ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork(), ssrf.WithAllowedV6Prefixes(ssrf.IPv6NAT64Prefix))

// metadata are cloud metadata endpoints outside the link-local range; they are refused even
// where private targets are allowed.
var metadata = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),   // AWS (IPv6)
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// devPrivate are the ranges WEBHOOK_ALLOW_PRIVATE_TARGETS opens, for development and tests:
// loopback, private-use and shared address space. Never link-local, metadata or an IPv4
// address reached through an IPv6 translation form.
var devPrivate = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),    // Loopback (RFC 1122)
	netip.MustParsePrefix("10.0.0.0/8"),     // Private-Use (RFC 1918)
	netip.MustParsePrefix("172.16.0.0/12"),  // Private-Use (RFC 1918)
	netip.MustParsePrefix("192.168.0.0/16"), // Private-Use (RFC 1918)
	netip.MustParsePrefix("100.64.0.0/10"),  // Shared Address Space (RFC 6598)
	netip.MustParsePrefix("::1/128"),        // Loopback (RFC 4291)
	netip.MustParsePrefix("fc00::/7"),       // Unique-Local (RFC 4193)
}

// ipv4Carriers are the IPv6 forms that carry an IPv4 address, which is checked as well. All but
// the well-known NAT64 prefix are special-purpose ranges that special refuses whole anyway; the
// IPv4-mapped form ::ffff:0:0/96 (RFC 4291) is not listed: allowed unmaps it and judges the IPv4
// address alone, as the kernel dials it. The local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215)
// places the IPv4 address where its operator's prefix length says, so it is refused whole.
var ipv4Carriers = []struct {
	prefix netip.Prefix
	ipv4   func(b [16]byte) []netip.Addr
}{
	// IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated)
	{netip.MustParsePrefix("::/96"), func(b [16]byte) []netip.Addr { return []netip.Addr{v4(b[12:16])} }},
	// NAT64 well-known prefix 64:ff9b::a.b.c.d (RFC 6052)
	{ssrf.IPv6NAT64Prefix, func(b [16]byte) []netip.Addr { return []netip.Addr{v4(b[12:16])} }},
	// 6to4 2002:aabb:ccdd::/48 (RFC 3056)
	{netip.MustParsePrefix("2002::/16"), func(b [16]byte) []netip.Addr { return []netip.Addr{v4(b[2:6])} }},
	// Teredo 2001:0::/32 (RFC 4380): the server's address, then the client's, stored inverted
	{netip.MustParsePrefix("2001::/32"), func(b [16]byte) []netip.Addr {
		return []netip.Addr{v4(b[4:8]), v4([]byte{^b[12], ^b[13], ^b[14], ^b[15]})}
	}},
}

func v4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b)) }

// allowed reports whether the gateway may connect to ip; allowPrivate opens devPrivate.
func allowed(ip netip.Addr, allowPrivate bool) bool {
	// An IPv4-mapped address is dialled as its IPv4 address; a zone names an interface, not a
	// different address.
	ip = ip.Unmap().WithZone("")
	if isMetadata(ip) {
		return false
	}
	if allowPrivate && inAny(devPrivate, ip) {
		return true
	}
	for _, c := range ipv4Carriers {
		if !c.prefix.Contains(ip) {
			continue
		}
		for _, inner := range c.ipv4(ip.As16()) {
			if isMetadata(inner) || special.SafeAddr(inner) != nil {
				return false
			}
		}
	}
	return special.SafeAddr(ip) == nil
}

func isMetadata(ip netip.Addr) bool {
	for _, m := range metadata {
		if ip == m {
			return true
		}
	}
	return false
}

func inAny(prefixes []netip.Prefix, ip netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
