// Package ids makes the gateway's public identifiers: a prefix, an underscore and 16 random
// alphanumerics, as in order_9A8b7C6d5E4f3G2h.
package ids

import "crypto/rand"

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Prefixes of the objects the API returns.
const (
	Order   = "order"
	Payment = "pay"
	Refund  = "rfnd"
	Event   = "evt"
	// Endpoint is a webhook endpoint; Replay a bulk re-send of its events.
	Endpoint = "we"
	Replay   = "rpl"
)

// New returns prefix_ followed by 16 alphanumerics from a cryptographic source.
func New(prefix string) string {
	return prefix + "_" + Random(16)
}

// Random returns n characters drawn uniformly from [A-Za-z0-9] by a cryptographic source.
func Random(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		rand.Read(buf) // never fails: it fills buf entirely
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps every character equally likely.
			if b < 248 && len(out) < n {
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out)
}
