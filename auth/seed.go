package auth

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
)

// TestMerchantID is the seeded test merchant's fixed id.
var TestMerchantID = uuid.MustParse("550e8400-e29b-41d4-a716-446655440000")

// Test merchant facts that the configuration does not override.
const (
	TestMerchantName          = "Test Merchant"
	TestMerchantPassword      = "test123"
	TestMerchantWebhookSecret = "whsec_test_abc123"
)

// SeedTestMerchant creates the test merchant, or resets its name and credentials to the
// configured ones; its webhook URL and secret are left as they are.
func SeedTestMerchant(ctx context.Context, q *db.Queries, tm config.TestMerchant) (db.Merchant, error) {
	hash, err := HashPassword(TestMerchantPassword)
	if err != nil {
		return db.Merchant{}, err
	}
	m, err := q.UpsertMerchant(ctx, db.UpsertMerchantParams{
		ID:            TestMerchantID,
		Name:          TestMerchantName,
		Email:         tm.Email,
		PasswordHash:  hash,
		APIKey:        tm.APIKey,
		APISecretHash: HashSecret(tm.APISecret),
		WebhookSecret: TestMerchantWebhookSecret,
	})
	if err != nil {
		return db.Merchant{}, fmt.Errorf("seed test merchant: %w", err)
	}
	return m, nil
}
