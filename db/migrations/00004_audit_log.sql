-- Security-relevant actions, for merchants and operators to review.

-- +goose Up
CREATE TABLE audit_log (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id    uuid        REFERENCES merchants (id), -- NULL for a failed login of an unknown email
    actor          text        NOT NULL,                  -- who: an email (dashboard) or an API key
    action         text        NOT NULL,
    target         text,                                  -- the object acted on, if any
    source_address text        NOT NULL,
    details        jsonb       NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_log_merchant_id ON audit_log (merchant_id, created_at DESC);

-- +goose Down
DROP TABLE audit_log;
