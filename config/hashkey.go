package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// minRequestHashKey is the shortest REQUEST_HASH_KEY the API accepts.
const minRequestHashKey = 32

var errNoRequestHashKey = fmt.Errorf("REQUEST_HASH_KEY is required: at least %d random characters, the same on every API replica "+
	"(for example `openssl rand -hex 32`); it keys the fingerprints kept of idempotent requests", minRequestHashKey)

// CheckRequestHashKey refuses a key too short to keep stored request fingerprints from being
// tested against guesses.
func CheckRequestHashKey(key string) error {
	if len(key) < minRequestHashKey {
		return errNoRequestHashKey
	}
	return nil
}

// LocalRequestHashKey returns the REQUEST_HASH_KEY that a single-machine setup (`gateway dev`,
// `make cluster`) keeps in dataDir, made on first use (readable by its owner only), so that stored
// fingerprints stay comparable across restarts.
func LocalRequestHashKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "request-hash.key")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	key := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}
