// Package auth makes and checks merchant credentials: passwords (bcrypt), API keys and secrets
// (the secret stored only as a SHA-256 hash, compared in constant time), webhook secrets and
// dashboard session tokens.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"

	"golang.org/x/crypto/bcrypt"

	"github.com/paygate/paygate/ids"
)

// HashPassword hashes a dashboard password with bcrypt.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// dummyHash is compared against when an email is unknown, so that a login takes as long for an
// unknown email as for a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)

// PasswordMatches reports whether password matches hash. An empty hash stands for an unknown
// account and never matches, after the same work.
func PasswordMatches(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewAPIKey returns a fresh public API key (also the publishable key of the hosted checkout).
func NewAPIKey() string { return "key_" + ids.Random(16) }

// NewAPISecret returns a fresh API secret, to be shown once and stored as HashSecret of it.
func NewAPISecret() string { return "secret_" + ids.Random(32) }

// HashSecret is how API secrets and session tokens are stored. They are long random strings, so
// a fast hash is enough and keeps authentication cheap on every request.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(storedHash []byte, presented string) bool {
	return subtle.ConstantTimeCompare(storedHash, HashSecret(presented)) == 1
}

// NewWebhookSecret returns whsec_ and the base64 of 32 random bytes.
func NewWebhookSecret() string {
	return "whsec_" + base64.StdEncoding.EncodeToString(randomBytes(32))
}

// NewSessionToken returns a random token for a dashboard session cookie.
func NewSessionToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: it fills b entirely
	return b
}
