package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// requestHasher fingerprints the body of an idempotent request, so that a repeat with another
// body can be told apart (422) without keeping anything a card could be recovered from. Both keys
// are derived from the server's secret (REQUEST_HASH_KEY): without it, nothing stored can be
// tested against a guessed card.
type requestHasher struct {
	bodyKey, cardKey []byte
}

func newRequestHasher(secret string) requestHasher {
	derive := func(purpose string) []byte {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(purpose))
		return mac.Sum(nil)
	}
	return requestHasher{bodyKey: derive("paygate idempotent request"), cardKey: derive("paygate card fingerprint")}
}

// hash returns the keyed HMAC-SHA256 of body's JSON with a card's number and expiry replaced by
// their keyed fingerprint and its CVV left out: PCI DSS allows nothing derived from a CVV to be
// kept after authorization, so a repeat that changes only the CVV counts as the same request
// (and is answered from the first, charging nothing). The JSON is re-encoded with sorted keys,
// so the same request with other spacing or field order is the same request.
func (h requestHasher) hash(body []byte) []byte {
	mac := hmac.New(sha256.New, h.bodyKey)
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&fields) != nil {
		// Not an object (the handlers refuse such bodies before storing anything).
		mac.Write(body)
		return mac.Sum(nil)
	}
	if card, ok := fields["card"].(map[string]any); ok {
		card["fingerprint"] = h.cardFingerprint(card)
		delete(card, "number")
		delete(card, "expiry_month")
		delete(card, "expiry_year")
		delete(card, "cvv")
	}
	canonical, _ := json.Marshal(fields) // maps of decoded JSON always encode
	mac.Write(canonical)
	return mac.Sum(nil)
}

// cardFingerprint is a keyed fingerprint of a card's number (its digits) and expiry: the same
// card gives the same fingerprint, another card or expiry another one.
func (h requestHasher) cardFingerprint(card map[string]any) string {
	var digits []byte
	if number, ok := card["number"].(string); ok {
		for i := 0; i < len(number); i++ {
			if c := number[i]; c >= '0' && c <= '9' {
				digits = append(digits, c)
			}
		}
	}
	mac := hmac.New(sha256.New, h.cardKey)
	fmt.Fprintf(mac, "%s|%v|%v", digits, card["expiry_month"], card["expiry_year"])
	return hex.EncodeToString(mac.Sum(nil))
}
