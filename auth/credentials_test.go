package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "correct horse") {
		t.Fatal("hash contains the password")
	}
	if !PasswordMatches(hash, "correct horse") {
		t.Error("right password refused")
	}
	if PasswordMatches(hash, "wrong horse") {
		t.Error("wrong password accepted")
	}
	if PasswordMatches("", "") {
		t.Error("unknown account accepted")
	}
}

func TestSecrets(t *testing.T) {
	secret := NewAPISecret()
	stored := HashSecret(secret)
	if !SecretMatches(stored, secret) {
		t.Error("secret refused")
	}
	if SecretMatches(stored, secret+"x") || SecretMatches(stored, "") || SecretMatches(nil, secret) {
		t.Error("wrong secret accepted")
	}
	if NewAPISecret() == secret || NewAPIKey() == NewAPIKey() {
		t.Error("credentials repeat")
	}
}

func TestWebhookSecret(t *testing.T) {
	s := NewWebhookSecret()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if !strings.HasPrefix(s, "whsec_") || err != nil || len(raw) != 32 {
		t.Fatalf("%q is not whsec_ + base64 of 32 bytes (%v)", s, err)
	}
}
