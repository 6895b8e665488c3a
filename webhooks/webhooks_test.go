package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"evt_1","event":"payment.success"}`)
	for _, secret := range []string{"whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")), "whsec_test_abc123"} {
		h := Sign(secret, "evt_1", now, body)
		if err := Verify(secret, body, h, 0, now.Add(time.Minute)); err != nil {
			t.Errorf("%s: %v", secret, err)
		}
		if !VerifyLegacy(secret, body, h.Get(HeaderLegacySignature)) {
			t.Errorf("%s: legacy signature refused", secret)
		}
		if err := Verify(secret, append(body, ' '), h, 0, now); !errors.Is(err, ErrBadSignature) {
			t.Errorf("tampered body: %v", err)
		}
		if err := Verify(secret+"x", body, h, 0, now); !errors.Is(err, ErrBadSignature) {
			t.Errorf("wrong secret: %v", err)
		}
		if err := Verify(secret, body, h, 0, now.Add(6*time.Minute)); !errors.Is(err, ErrBadTimestamp) {
			t.Errorf("replayed late: %v", err)
		}
		if err := Verify(secret, body, http.Header{}, 0, now); !errors.Is(err, ErrMissingHeaders) {
			t.Errorf("no headers: %v", err)
		}
	}
}

// The signatures match values computed independently from the scheme's definition.
func TestSignatureDefinitions(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	body := []byte(`{"a":1}`)
	h := Sign(secret, "evt_x", time.Unix(1700000000, 0), body)

	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("evt_x.1700000000." + string(body)))
	if got, want := h.Get(HeaderSignature), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("webhook-signature = %s, want %s", got, want)
	}
	legacy := hmac.New(sha256.New, []byte(secret))
	legacy.Write(body)
	if got := h.Get(HeaderLegacySignature); got != hex.EncodeToString(legacy.Sum(nil)) {
		t.Errorf("legacy signature = %s", got)
	}
	// A secret whose rest is not base64 is used as it is.
	raw := hmac.New(sha256.New, []byte("whsec_test_abc123"))
	raw.Write([]byte("evt_x.1700000000." + string(body)))
	h = Sign("whsec_test_abc123", "evt_x", time.Unix(1700000000, 0), body)
	if !strings.HasSuffix(h.Get(HeaderSignature), base64.StdEncoding.EncodeToString(raw.Sum(nil))) {
		t.Errorf("test secret signature = %s", h.Get(HeaderSignature))
	}
}

func TestVerifyAcceptsAnyOfSeveralSignatures(t *testing.T) {
	now := time.Now()
	body := []byte("{}")
	h := Sign("whsec_new", "evt_2", now, body)
	h.Set(HeaderSignature, "v1,bm9wZQ== "+h.Get(HeaderSignature))
	if err := Verify("whsec_new", body, h, 0, now); err != nil {
		t.Error(err)
	}
}
