-- Events and webhook endpoints (issue 17).
--
-- events: every event a merchant's objects emit, recorded whether or not an endpoint exists, in
-- the envelope deliveries carry (payload), kept EVENT_RETENTION (30 days) and pruned by a
-- Temporal Schedule. Recorded in the same statement as its deliveries (webhook_logs rows).
--
-- webhook_endpoints: a merchant's endpoints (at most 16), each with its event filter. The
-- merchant's webhook_url of before becomes its primary endpoint (is_primary), which
-- /api/v1/webhooks/config reads and writes; its secret stays merchants.webhook_secret (secret is
-- NULL), so today's signatures are unchanged. Other endpoints have a secret of their own.
--
-- webhook_logs: one row per event per endpoint. The primary endpoint's row keeps the event id as
-- its id (as before); another endpoint's row is <event id>_<endpoint id without we_>. event_id is
-- the event (sent as webhook-id; every row the gateway writes has it, a row written without it
-- is read as its own event), endpoint_id the endpoint (NULL: the primary endpoint).
--
-- webhook_replays: bulk re-sends of an endpoint's events, each run by one Temporal workflow.

-- +goose Up
CREATE TABLE events (
    id          text        PRIMARY KEY, -- evt_…
    merchant_id uuid        NOT NULL REFERENCES merchants (id),
    type        text        NOT NULL,
    payment_id  text,
    refund_id   text,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_events_merchant_created_id ON events (merchant_id, created_at DESC, id DESC);
CREATE INDEX idx_events_created ON events (created_at);

CREATE TABLE webhook_endpoints (
    id             text        PRIMARY KEY, -- we_…
    merchant_id    uuid        NOT NULL REFERENCES merchants (id),
    url            text        NOT NULL,
    -- NULL for the primary endpoint: it signs with merchants.webhook_secret.
    secret         text,
    -- Exact names, prefix wildcards (payment.*) or * for every event.
    enabled_events text[]      NOT NULL DEFAULT '{*}',
    description    text        NOT NULL DEFAULT '',
    status         text        NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    is_primary     boolean     NOT NULL DEFAULT false,
    -- Auto-disable: since when every delivery has failed (NULL after a success), and how many
    -- events have failed since then.
    failing_since  timestamptz,
    failed_events  integer     NOT NULL DEFAULT 0,
    disabled_at    timestamptz,
    disabled_reason text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_endpoints_one_primary ON webhook_endpoints (merchant_id) WHERE is_primary;
CREATE INDEX idx_webhook_endpoints_merchant_created_id ON webhook_endpoints (merchant_id, created_at DESC, id DESC);

-- Today's per-merchant configuration becomes each merchant's primary endpoint, subscribed to *.
INSERT INTO webhook_endpoints (id, merchant_id, url, secret, enabled_events, status, is_primary, created_at, updated_at)
SELECT 'we_' || substr(md5(random()::text || m.id::text), 1, 16), m.id, m.webhook_url, NULL, '{*}', 'enabled', true, m.created_at, now()
FROM merchants m
WHERE coalesce(m.webhook_url, '') <> '';

ALTER TABLE webhook_logs ADD COLUMN event_id text, ADD COLUMN endpoint_id text;
UPDATE webhook_logs l SET event_id = l.id,
    endpoint_id = (SELECT w.id FROM webhook_endpoints w WHERE w.merchant_id = l.merchant_id AND w.is_primary);
CREATE INDEX idx_webhook_logs_event_id ON webhook_logs (event_id);
CREATE INDEX idx_webhook_logs_endpoint_created_id ON webhook_logs (endpoint_id, created_at DESC, id DESC);

-- Every event delivered so far is an event.
INSERT INTO events (id, merchant_id, type, payment_id, refund_id, payload, created_at)
SELECT l.id, l.merchant_id, l.event, l.payment_id, l.refund_id, l.payload, l.created_at FROM webhook_logs l
ON CONFLICT (id) DO NOTHING;

CREATE TABLE webhook_replays (
    id           text        PRIMARY KEY, -- rpl_…
    merchant_id  uuid        NOT NULL REFERENCES merchants (id),
    endpoint_id  text        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status       text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'canceled', 'failed')),
    created_gte  timestamptz NOT NULL,
    created_lt   timestamptz NOT NULL,
    types        text[]      NOT NULL DEFAULT '{*}',
    total        integer     NOT NULL DEFAULT 0,
    sent         integer     NOT NULL DEFAULT 0,
    failed       integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
-- At most one running replay per endpoint.
CREATE UNIQUE INDEX webhook_replays_one_running ON webhook_replays (endpoint_id) WHERE status = 'running';

-- +goose Down
DROP TABLE webhook_replays;
DROP INDEX idx_webhook_logs_endpoint_created_id;
DROP INDEX idx_webhook_logs_event_id;
ALTER TABLE webhook_logs DROP COLUMN endpoint_id, DROP COLUMN event_id;
DROP TABLE webhook_endpoints;
DROP TABLE events;
