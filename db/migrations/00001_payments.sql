-- Merchants, their dashboard sessions, orders and payments. Money is bigint minor units (paise) with the currency beside it.

-- +goose Up
CREATE TABLE merchants (
    id              uuid PRIMARY KEY,
    name            text        NOT NULL,
    email           text        NOT NULL UNIQUE,
    password_hash   text        NOT NULL,
    api_key         text        NOT NULL UNIQUE,
    -- SHA-256 of the API secret: the secret itself is shown once and never stored.
    api_secret_hash bytea       NOT NULL,
    webhook_url     text,
    webhook_secret  text        NOT NULL,
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Dashboard sessions: the cookie carries a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash   bytea       PRIMARY KEY,
    merchant_id  uuid        NOT NULL REFERENCES merchants (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX idx_sessions_merchant_id ON sessions (merchant_id);

CREATE TABLE orders (
    id          text        PRIMARY KEY,
    merchant_id uuid        NOT NULL REFERENCES merchants (id),
    amount      bigint      NOT NULL CHECK (amount >= 100),
    currency    text        NOT NULL,
    receipt     text,
    notes       jsonb       NOT NULL DEFAULT '{}',
    status      text        NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'paid')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_orders_merchant_id ON orders (merchant_id, created_at DESC);

CREATE TABLE payments (
    id                text        PRIMARY KEY,
    order_id          text        NOT NULL REFERENCES orders (id),
    merchant_id       uuid        NOT NULL REFERENCES merchants (id),
    amount            bigint      NOT NULL CHECK (amount > 0),
    currency          text        NOT NULL,
    method            text        NOT NULL CHECK (method IN ('upi', 'card')),
    status            text        NOT NULL DEFAULT 'pending'
                                  CHECK (status IN ('pending', 'success', 'failed', 'refunded')),
    vpa               text,
    card_network      text,
    -- PCI DSS allows keeping the first six and last four digits; the number and CVV are never stored.
    card_bin          text,
    card_last4        text,
    error_code        text,
    error_description text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((method = 'upi') = (vpa IS NOT NULL)),
    CHECK ((method = 'card') = (card_last4 IS NOT NULL))
);
CREATE INDEX idx_payments_order_id ON payments (order_id);
CREATE INDEX idx_payments_status ON payments (status);
CREATE INDEX idx_payments_merchant_id ON payments (merchant_id, created_at DESC);
-- An order has at most one payment that is not failed, so it can never be paid twice.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id) WHERE status <> 'failed';

-- The simulated bank's own ledger: one row per operation, keyed by the caller's idempotency key
-- (the payment or refund id), so a retried settlement gets the first answer instead of a second
-- charge. calls counts how often it was asked.
CREATE TABLE bank_operations (
    idempotency_key text        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('charge', 'refund')),
    amount          bigint      NOT NULL,
    approved        boolean     NOT NULL,
    decline_code    text,
    decline_reason  text,
    calls           integer     NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE bank_operations;
DROP TABLE payments;
DROP TABLE orders;
DROP TABLE sessions;
DROP TABLE merchants;
