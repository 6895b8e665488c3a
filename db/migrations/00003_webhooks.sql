-- Webhook delivery logs: one row per event per merchant endpoint, written in the same transaction
-- as the state change it describes (an outbox), then delivered by a workflow.

-- +goose Up
CREATE TABLE webhook_logs (
    id              text        PRIMARY KEY, -- the event id (evt_…), sent as webhook-id on every attempt
    merchant_id     uuid        NOT NULL REFERENCES merchants (id),
    event           text        NOT NULL,
    payment_id      text,
    refund_id       text,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_attempt_at timestamptz,
    next_retry_at   timestamptz,
    response_code   integer,
    response_body   text,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_webhook_logs_merchant_id ON webhook_logs (merchant_id, created_at DESC);
CREATE INDEX idx_webhook_logs_status ON webhook_logs (status);
CREATE INDEX idx_webhook_logs_unsent ON webhook_logs (created_at) WHERE status = 'pending' AND attempts = 0;

-- +goose Down
DROP TABLE webhook_logs;
