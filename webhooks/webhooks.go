// Package webhooks signs and verifies the gateway's webhook deliveries. Every delivery carries two
// signatures of the raw body:
//
//   - X-Webhook-Signature: hex HMAC-SHA256 of the body, keyed with the webhook secret string (the
//     older scheme);
//   - the Standard Webhooks headers webhook-id, webhook-timestamp and
//     webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">, keyed with the
//     base64-decoded part after "whsec_" when it decodes, else with the secret string's bytes.
//
// Verify checks the second, with a tolerance window against replays. It depends only on the
// standard library, so receivers can import it alone.
package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names.
const (
	HeaderLegacySignature = "X-Webhook-Signature"
	HeaderID              = "Webhook-Id"
	HeaderTimestamp       = "Webhook-Timestamp"
	HeaderSignature       = "Webhook-Signature"
)

// DefaultTolerance is how far a delivery's timestamp may be from the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// Sign returns the headers that sign a delivery of body for event id at time ts.
func Sign(secret, id string, ts time.Time, body []byte) http.Header {
	h := http.Header{}
	unix := strconv.FormatInt(ts.Unix(), 10)
	h.Set(HeaderLegacySignature, LegacySignature(secret, body))
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, unix)
	h.Set(HeaderSignature, "v1,"+standardSignature(secret, id, unix, body))
	return h
}

// LegacySignature is the X-Webhook-Signature value: hex HMAC-SHA256 of body keyed with secret.
func LegacySignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func standardSignature(secret, id, unix string, body []byte) string {
	mac := hmac.New(sha256.New, standardKey(secret))
	mac.Write([]byte(id + "." + unix + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// standardKey is the Standard Webhooks signing key of a secret.
func standardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil && len(key) > 0 {
			return key
		}
	}
	return []byte(secret)
}

// Verification errors.
var (
	ErrMissingHeaders = errors.New("webhooks: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrBadTimestamp   = errors.New("webhooks: timestamp outside the tolerance window")
	ErrBadSignature   = errors.New("webhooks: no signature matches")
)

// Verify checks a delivery's Standard Webhooks signature against the raw body, accepting a
// timestamp within tolerance of now (DefaultTolerance when zero). Several space-separated
// signatures may be present (during secret rotation); one matching is enough.
func Verify(secret string, body []byte, headers http.Header, tolerance time.Duration, now time.Time) error {
	id, unix, sigs := headers.Get(HeaderID), headers.Get(HeaderTimestamp), headers.Get(HeaderSignature)
	if id == "" || unix == "" || sigs == "" {
		return ErrMissingHeaders
	}
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	sec, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrBadTimestamp
	}
	want := []byte(standardSignature(secret, id, unix, body))
	for _, sig := range strings.Fields(sigs) {
		if v, ok := strings.CutPrefix(sig, "v1,"); ok && hmac.Equal([]byte(v), want) {
			return nil
		}
	}
	return ErrBadSignature
}

// VerifyLegacy checks an X-Webhook-Signature value. It has no timestamp, so it cannot refuse a
// replay: prefer Verify.
func VerifyLegacy(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(signature), []byte(LegacySignature(secret, body)))
}
