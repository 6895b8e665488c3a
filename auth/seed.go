package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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

// SeedTestMerchant creates the test merchant with the configured credentials if it does not
// exist, and returns it. An existing test merchant is left as it is: a secret its owner rolled or
// a password changed stays, whatever the configuration says.
func SeedTestMerchant(ctx context.Context, q *db.Queries, tm config.TestMerchant) (db.Merchant, error) {
	if m, err := q.GetMerchant(ctx, TestMerchantID); err == nil {
		return m, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return db.Merchant{}, fmt.Errorf("seed test merchant: %w", err)
	}
	hash, err := HashPassword(TestMerchantPassword)
	if err != nil {
		return db.Merchant{}, err
	}
	m, err := q.SeedMerchant(ctx, db.SeedMerchantParams{
		ID:            TestMerchantID,
		Name:          TestMerchantName,
		Email:         tm.Email,
		PasswordHash:  hash,
		APIKey:        tm.APIKey,
		APISecretHash: HashSecret(tm.APISecret),
		WebhookSecret: TestMerchantWebhookSecret,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		// Another process seeded it in between.
		m, err = q.GetMerchant(ctx, TestMerchantID)
	}
	if err != nil {
		return db.Merchant{}, fmt.Errorf("seed test merchant: %w", err)
	}
	return m, nil
}
