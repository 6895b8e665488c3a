-- Capture, refunds and idempotency keys.

-- +goose Up
ALTER TABLE payments
    ADD COLUMN captured        boolean     NOT NULL DEFAULT false,
    ADD COLUMN captured_at     timestamptz,
    -- The sum of the payment's refunds that have not failed (pending or processed): what is
    -- committed to go back. It can never pass the amount, whatever runs concurrently.
    ADD COLUMN amount_refunded bigint      NOT NULL DEFAULT 0,
    ADD CONSTRAINT payments_amount_refunded_within_amount CHECK (amount_refunded BETWEEN 0 AND amount);

CREATE TABLE refunds (
    id                text        PRIMARY KEY,
    payment_id        text        NOT NULL REFERENCES payments (id),
    order_id          text        NOT NULL REFERENCES orders (id),
    merchant_id       uuid        NOT NULL REFERENCES merchants (id),
    amount            bigint      NOT NULL CHECK (amount > 0),
    currency          text        NOT NULL,
    reason            text,
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed')),
    error_code        text,
    error_description text,
    processed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_refunds_payment_id ON refunds (payment_id);
CREATE INDEX idx_refunds_merchant_id ON refunds (merchant_id, created_at DESC);
CREATE INDEX idx_refunds_pending ON refunds (created_at) WHERE status = 'pending';
CREATE INDEX idx_payments_pending ON payments (created_at) WHERE status = 'pending';

-- The stored outcome of a create request sent with an Idempotency-Key, replayed for repeats.
CREATE TABLE idempotency_keys (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id     uuid        NOT NULL REFERENCES merchants (id),
    key             text        NOT NULL,
    route           text        NOT NULL,
    request_hash    bytea       NOT NULL,
    response_status integer     NOT NULL,
    response_body   bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX idx_idempotency_keys_merchant_request ON idempotency_keys (merchant_id, key);
CREATE INDEX idx_idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP INDEX idx_payments_pending;
DROP TABLE refunds;
ALTER TABLE payments DROP COLUMN amount_refunded, DROP COLUMN captured_at, DROP COLUMN captured;
