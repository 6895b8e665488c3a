-- Idempotency keys: keyed request fingerprints, and a namespace of their own for the public routes.

-- +goose Up
-- A stored request hash used to be an unsalted SHA-256 of the raw body, from which a card's number
-- and CVV could be recovered by brute force. Fingerprints are now keyed HMACs that leave the CVV
-- out; the old ones can be compared with nothing, so they are dropped (they expire within 24 hours
-- anyway, and a key whose record is gone is simply a new request).
DELETE FROM idempotency_keys;

-- The checkout's public routes (publishable key only) keep their keys apart from the merchant's own
-- API calls, so a customer's key can never block or replay a merchant's request.
ALTER TABLE idempotency_keys
    ADD COLUMN scope text NOT NULL DEFAULT 'api' CHECK (scope IN ('api', 'public'));
DROP INDEX idx_idempotency_keys_merchant_request;
CREATE UNIQUE INDEX idx_idempotency_keys_merchant_request ON idempotency_keys (merchant_id, scope, key);

-- +goose Down
DELETE FROM idempotency_keys WHERE scope <> 'api';
DROP INDEX idx_idempotency_keys_merchant_request;
CREATE UNIQUE INDEX idx_idempotency_keys_merchant_request ON idempotency_keys (merchant_id, key);
ALTER TABLE idempotency_keys DROP COLUMN scope;
