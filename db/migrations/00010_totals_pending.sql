-- Running totals that cost writers an append: 00007's triggers added every change to the three
-- levels at once (totals_add: a row lock and an index lookup per level, about 0.3 ms a call and
-- 15-20 calls in a payment's life, so PostgreSQL's time per payment nearly doubled). Now a
-- trigger appends the change to totals_pending, which no writer locks or reads, and totals_fold()
-- (the worker calls it every second) moves what has been appended into the levels in one
-- transaction, one row per key. Readers read a level through its view (totals_daily_live,
-- totals_merchant_live, totals_global_live): the level's rows and the pending changes of the same
-- keys, so every figure is exact whether or not the fold has run, and a stopped fold makes
-- reads slower (they sum more pending rows), never wrong.
--
-- Each level keeps its rows: a key's rows (00007 could give a key several) are summed into one,
-- which the fold then updates in place.

-- +goose Up
-- Writers of the counted tables wait from here until the migration commits, as in 00007.
-- +goose StatementBegin
DO $$ BEGIN
    SET LOCAL deadlock_timeout = '1min';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
-- +goose StatementEnd
LOCK TABLE payments, refunds, orders, webhook_logs, audit_log, totals_daily, totals_merchant, totals_global IN EXCLUSIVE MODE;

-- merchant_id is NULL for audit entries of no merchant, which count at the global level only.
CREATE TABLE totals_pending (
    kind        text    NOT NULL,
    merchant_id uuid,
    day         date    NOT NULL,
    currency    text    NOT NULL,
    status      text    NOT NULL,
    detail      text    NOT NULL,
    n           bigint  NOT NULL,
    amount      numeric NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000);
CREATE INDEX idx_totals_pending_merchant ON totals_pending (merchant_id, kind, currency);

WITH old AS (DELETE FROM totals_daily RETURNING kind, merchant_id, day, currency, status, detail, n, amount)
INSERT INTO totals_daily (kind, merchant_id, day, currency, status, detail, n, amount)
SELECT kind, merchant_id, day, currency, status, detail, sum(n), sum(amount) FROM old GROUP BY 1, 2, 3, 4, 5, 6;
WITH old AS (DELETE FROM totals_merchant RETURNING kind, merchant_id, currency, status, detail, n, amount)
INSERT INTO totals_merchant (kind, merchant_id, currency, status, detail, n, amount)
SELECT kind, merchant_id, currency, status, detail, sum(n), sum(amount) FROM old GROUP BY 1, 2, 3, 4, 5;
WITH old AS (DELETE FROM totals_global RETURNING kind, currency, status, n, amount)
INSERT INTO totals_global (kind, currency, status, n, amount)
SELECT kind, currency, status, sum(n), sum(amount) FROM old GROUP BY 1, 2, 3;

DROP INDEX idx_totals_daily_key, idx_totals_merchant_key, idx_totals_global_key;
CREATE UNIQUE INDEX idx_totals_daily_key ON totals_daily (merchant_id, kind, day, currency, status, detail);
CREATE UNIQUE INDEX idx_totals_merchant_key ON totals_merchant (merchant_id, kind, currency, status, detail);
CREATE UNIQUE INDEX idx_totals_global_key ON totals_global (kind, currency, status);

CREATE VIEW totals_daily_live AS
SELECT kind, merchant_id, day, currency, status, detail, n, amount FROM totals_daily
UNION ALL
SELECT kind, merchant_id, day, currency, status, detail, n, amount FROM totals_pending WHERE merchant_id IS NOT NULL;

CREATE VIEW totals_merchant_live AS
SELECT kind, merchant_id, currency, status, detail, n, amount FROM totals_merchant
UNION ALL
SELECT kind, merchant_id, currency, status, detail, n, amount FROM totals_pending WHERE merchant_id IS NOT NULL;

CREATE VIEW totals_global_live AS
SELECT kind, currency, status, n, amount FROM totals_global
UNION ALL
SELECT kind, currency, status, n, amount FROM totals_pending;

-- One trigger function per counted table: the statement-level triggers of inserts and deletes
-- append one row per key of the statement's rows, the row-level trigger of an update that moves a
-- row to another key (its WHEN is unchanged from 00007) appends the old key's -1 and the new key's
-- +1. The key of a row: its merchant, the UTC day it was created, currency, status and detail
-- (a payment's method, a delivery's event), '' where the table has no such column.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount) VALUES
            ('payments', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status, OLD.method, -1, -OLD.amount),
            ('payments', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status, NEW.method, 1, NEW.amount);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'payments', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, status, method, count(*), sum(amount)
        FROM new_rows GROUP BY 2, 3, 4, 5, 6;
    ELSE
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'payments', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, status, method, -count(*), -sum(amount)
        FROM old_rows GROUP BY 2, 3, 4, 5, 6;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_refunds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount) VALUES
            ('refunds', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status, '', -1, -OLD.amount),
            ('refunds', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status, '', 1, NEW.amount);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'refunds', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, status, '', count(*), sum(amount)
        FROM new_rows GROUP BY 2, 3, 4, 5;
    ELSE
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'refunds', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, status, '', -count(*), -sum(amount)
        FROM old_rows GROUP BY 2, 3, 4, 5;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount) VALUES
            ('orders', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, '', '', -1, -OLD.amount),
            ('orders', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, '', '', 1, NEW.amount);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'orders', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, '', '', count(*), sum(amount)
        FROM new_rows GROUP BY 2, 3, 4;
    ELSE
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'orders', merchant_id, (created_at AT TIME ZONE 'UTC')::date, currency, '', '', -count(*), -sum(amount)
        FROM old_rows GROUP BY 2, 3, 4;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_webhook_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount) VALUES
            ('webhook_logs', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, '', OLD.status, OLD.event, -1, 0),
            ('webhook_logs', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, '', NEW.status, NEW.event, 1, 0);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'webhook_logs', merchant_id, (created_at AT TIME ZONE 'UTC')::date, '', status, event, count(*), 0
        FROM new_rows GROUP BY 2, 3, 5, 6;
    ELSE
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'webhook_logs', merchant_id, (created_at AT TIME ZONE 'UTC')::date, '', status, event, -count(*), 0
        FROM old_rows GROUP BY 2, 3, 5, 6;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount) VALUES
            ('audit_log', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, '', '', '', -1, 0),
            ('audit_log', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, '', '', '', 1, 0);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'audit_log', merchant_id, (created_at AT TIME ZONE 'UTC')::date, '', '', '', count(*), 0
        FROM new_rows GROUP BY 2, 3;
    ELSE
        INSERT INTO totals_pending (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT 'audit_log', merchant_id, (created_at AT TIME ZONE 'UTC')::date, '', '', '', -count(*), 0
        FROM old_rows GROUP BY 2, 3;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP TRIGGER totals_payments_update ON payments;
DROP TRIGGER totals_refunds_update ON refunds;
DROP TRIGGER totals_orders_update ON orders;
DROP TRIGGER totals_webhook_logs_update ON webhook_logs;
DROP TRIGGER totals_audit_log_update ON audit_log;
CREATE TRIGGER totals_payments_update AFTER UPDATE ON payments
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.method, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.method, NEW.amount))
    EXECUTE FUNCTION totals_payments();
CREATE TRIGGER totals_refunds_update AFTER UPDATE ON refunds
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.amount))
    EXECUTE FUNCTION totals_refunds();
CREATE TRIGGER totals_orders_update AFTER UPDATE ON orders
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.amount))
    EXECUTE FUNCTION totals_orders();
CREATE TRIGGER totals_webhook_logs_update AFTER UPDATE ON webhook_logs
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.status, OLD.event) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.status, NEW.event))
    EXECUTE FUNCTION totals_webhook_logs();
CREATE TRIGGER totals_audit_log_update AFTER UPDATE ON audit_log
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at))
    EXECUTE FUNCTION totals_audit_log();
DROP FUNCTION totals_payments_moved(), totals_refunds_moved(), totals_orders_moved(),
    totals_webhook_logs_moved(), totals_audit_log_moved(),
    totals_add(text, uuid, date, text, text, text, bigint, numeric);

-- totals_fold moves every pending change it sees into the levels and returns how many it moved.
-- One fold runs at a time (a second caller returns 0 at once); writers never wait for it: it
-- deletes only rows already committed, and no writer touches the levels.
-- +goose StatementBegin
CREATE FUNCTION totals_fold() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('totals_fold')) THEN
        RETURN 0;
    END IF;
    WITH moved AS (
        DELETE FROM totals_pending RETURNING kind, merchant_id, day, currency, status, detail, n, amount
    ), keys AS (
        SELECT kind, merchant_id, day, currency, status, detail, sum(n) AS n, sum(amount) AS amount, count(*) AS changes
        FROM moved GROUP BY 1, 2, 3, 4, 5, 6
    ), daily AS (
        INSERT INTO totals_daily AS t (kind, merchant_id, day, currency, status, detail, n, amount)
        SELECT kind, merchant_id, day, currency, status, detail, n, amount FROM keys
        WHERE merchant_id IS NOT NULL AND (n <> 0 OR amount <> 0)
        ON CONFLICT (merchant_id, kind, day, currency, status, detail)
        DO UPDATE SET n = t.n + excluded.n, amount = t.amount + excluded.amount
    ), merchant AS (
        INSERT INTO totals_merchant AS t (kind, merchant_id, currency, status, detail, n, amount)
        SELECT kind, merchant_id, currency, status, detail, sum(n), sum(amount) FROM keys
        WHERE merchant_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(amount) <> 0
        ON CONFLICT (merchant_id, kind, currency, status, detail)
        DO UPDATE SET n = t.n + excluded.n, amount = t.amount + excluded.amount
    ), global AS (
        INSERT INTO totals_global AS t (kind, currency, status, n, amount)
        SELECT kind, currency, status, sum(n), sum(amount) FROM keys
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(amount) <> 0
        ON CONFLICT (kind, currency, status)
        DO UPDATE SET n = t.n + excluded.n, amount = t.amount + excluded.amount
    )
    SELECT coalesce(sum(changes), 0) INTO folded FROM keys;
    RETURN folded;
END $$;
-- +goose StatementEnd

-- totals_recount rebuilds every level from the rows, as in 00007, and drops what is pending.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE payments, refunds, orders, webhook_logs, audit_log IN SHARE MODE;
    LOCK TABLE totals_daily, totals_merchant, totals_global, totals_pending IN EXCLUSIVE MODE;
    CREATE TEMP TABLE totals_recount_rows ON COMMIT DROP AS SELECT * FROM totals_recounted;
    DELETE FROM totals_pending;
    DELETE FROM totals_daily;
    DELETE FROM totals_merchant;
    DELETE FROM totals_global;
    INSERT INTO totals_daily (kind, merchant_id, day, currency, status, detail, n, amount)
    SELECT kind, merchant_id, day, currency, status, detail, n, amount
    FROM totals_recount_rows WHERE merchant_id IS NOT NULL;
    INSERT INTO totals_merchant (kind, merchant_id, currency, status, detail, n, amount)
    SELECT kind, merchant_id, currency, status, detail, sum(n), sum(amount)
    FROM totals_recount_rows WHERE merchant_id IS NOT NULL
    GROUP BY kind, merchant_id, currency, status, detail;
    INSERT INTO totals_global (kind, currency, status, n, amount)
    SELECT kind, currency, status, sum(n), sum(amount)
    FROM totals_recount_rows
    GROUP BY kind, currency, status;
    DROP TABLE totals_recount_rows;
END $$;
-- +goose StatementEnd

-- totals_drift, as in 00007, with each level read through its view (pending changes included).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_drift()
RETURNS TABLE (level text, kind text, merchant_id uuid, day date, currency text, status text, detail text,
               kept_n bigint, kept_amount numeric, counted_n bigint, counted_amount numeric)
LANGUAGE sql STABLE AS $$
WITH counted AS (SELECT * FROM totals_recounted),
daily AS (
    SELECT 'daily'::text AS level, k.kind, k.merchant_id, k.day, k.currency, k.status, k.detail,
           coalesce(k.n, 0)::bigint AS kept_n, coalesce(k.amount, 0) AS kept_amount,
           coalesce(c.n, 0)::bigint AS counted_n, coalesce(c.amount, 0) AS counted_amount
    FROM (SELECT t.kind, t.merchant_id, t.day, t.currency, t.status, t.detail, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_daily_live t GROUP BY 1, 2, 3, 4, 5, 6) k
    FULL JOIN (SELECT * FROM counted WHERE counted.merchant_id IS NOT NULL) c
      USING (kind, merchant_id, day, currency, status, detail)
), merchant AS (
    SELECT 'merchant'::text, k.kind, k.merchant_id, NULL::date, k.currency, k.status, k.detail,
           coalesce(k.n, 0)::bigint, coalesce(k.amount, 0), coalesce(c.n, 0)::bigint, coalesce(c.amount, 0)
    FROM (SELECT t.kind, t.merchant_id, t.currency, t.status, t.detail, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_merchant_live t GROUP BY 1, 2, 3, 4, 5) k
    FULL JOIN (SELECT counted.kind, counted.merchant_id, counted.currency, counted.status, counted.detail,
                      sum(counted.n) AS n, sum(counted.amount) AS amount
               FROM counted WHERE counted.merchant_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5) c
      USING (kind, merchant_id, currency, status, detail)
), global AS (
    SELECT 'global'::text, k.kind, NULL::uuid, NULL::date, k.currency, k.status, ''::text,
           coalesce(k.n, 0)::bigint, coalesce(k.amount, 0), coalesce(c.n, 0)::bigint, coalesce(c.amount, 0)
    FROM (SELECT t.kind, t.currency, t.status, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_global_live t GROUP BY 1, 2, 3) k
    FULL JOIN (SELECT counted.kind, counted.currency, counted.status, sum(counted.n) AS n, sum(counted.amount) AS amount
               FROM counted GROUP BY 1, 2, 3) c
      USING (kind, currency, status)
)
SELECT * FROM (SELECT * FROM daily UNION ALL SELECT * FROM merchant UNION ALL SELECT * FROM global) d
WHERE d.kept_n <> d.counted_n OR d.kept_amount <> d.counted_amount
$$;
-- +goose StatementEnd

-- +goose Down
-- Back to 00007's triggers and functions, copied from it (a key may again have several rows), once
-- the pending changes are folded into the levels (waiting first for a fold under way: the lock is
-- the session's, so the fold here takes it again).
SELECT pg_advisory_xact_lock(hashtext('totals_fold'));
LOCK TABLE payments, refunds, orders, webhook_logs, audit_log, totals_daily, totals_merchant, totals_global, totals_pending IN EXCLUSIVE MODE;
SELECT totals_fold();
DROP FUNCTION totals_fold();
-- +goose StatementBegin
CREATE FUNCTION totals_add(p_kind text, p_merchant uuid, p_day date, p_currency text,
                           p_status text, p_detail text, p_n bigint, p_amount numeric)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_daily bigint;
    v_merchant bigint;
    v_global bigint;
BEGIN
    WITH daily AS (
        UPDATE totals_daily SET n = n + p_n, amount = amount + p_amount
        WHERE id = (SELECT t.id FROM totals_daily t
                    WHERE t.merchant_id = p_merchant AND t.kind = p_kind AND t.day = p_day
                      AND t.currency = p_currency AND t.status = p_status AND t.detail = p_detail
                    LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING 1
    ), merchant AS (
        UPDATE totals_merchant SET n = n + p_n, amount = amount + p_amount
        WHERE id = (SELECT t.id FROM totals_merchant t
                    WHERE t.merchant_id = p_merchant AND t.kind = p_kind
                      AND t.currency = p_currency AND t.status = p_status AND t.detail = p_detail
                    LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING 1
    ), global AS (
        UPDATE totals_global SET n = n + p_n, amount = amount + p_amount
        WHERE id = (SELECT t.id FROM totals_global t
                    WHERE t.kind = p_kind AND t.currency = p_currency AND t.status = p_status
                    LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM daily), (SELECT count(*) FROM merchant), (SELECT count(*) FROM global)
    INTO v_daily, v_merchant, v_global;
    IF p_merchant IS NOT NULL AND v_daily = 0 THEN
        INSERT INTO totals_daily (kind, merchant_id, day, currency, status, detail, n, amount)
        VALUES (p_kind, p_merchant, p_day, p_currency, p_status, p_detail, p_n, p_amount);
    END IF;
    IF p_merchant IS NOT NULL AND v_merchant = 0 THEN
        INSERT INTO totals_merchant (kind, merchant_id, currency, status, detail, n, amount)
        VALUES (p_kind, p_merchant, p_currency, p_status, p_detail, p_n, p_amount);
    END IF;
    IF v_global = 0 THEN
        INSERT INTO totals_global (kind, currency, status, n, amount)
        VALUES (p_kind, p_currency, p_status, p_n, p_amount);
    END IF;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_payments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, r.status AS status, r.method AS detail, 1::bigint AS n, r.amount AS amount FROM new_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('payments', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, r.status AS status, r.method AS detail, -1::bigint AS n, -r.amount AS amount FROM old_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('payments', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_refunds() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, r.status AS status, ''::text AS detail, 1::bigint AS n, r.amount AS amount FROM new_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('refunds', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, r.status AS status, ''::text AS detail, -1::bigint AS n, -r.amount AS amount FROM old_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('refunds', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_orders() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, ''::text AS status, ''::text AS detail, 1::bigint AS n, r.amount AS amount FROM new_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('orders', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.currency AS currency, ''::text AS status, ''::text AS detail, -1::bigint AS n, -r.amount AS amount FROM old_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('orders', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_webhook_logs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, ''::text AS currency, r.status AS status, r.event AS detail, 1::bigint AS n, 0::numeric AS amount FROM new_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('webhook_logs', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, ''::text AS currency, r.status AS status, r.event AS detail, -1::bigint AS n, 0::numeric AS amount FROM old_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('webhook_logs', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, ''::text AS currency, ''::text AS status, ''::text AS detail, 1::bigint AS n, 0::numeric AS amount FROM new_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('audit_log', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR d IN SELECT k.merchant_id, k.day, k.currency, k.status, k.detail, sum(k.n)::bigint AS n, sum(k.amount) AS amount
                 FROM (SELECT r.merchant_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, ''::text AS currency, ''::text AS status, ''::text AS detail, -1::bigint AS n, 0::numeric AS amount FROM old_rows r) k
                 GROUP BY 1, 2, 3, 4, 5 LOOP
            PERFORM totals_add('audit_log', d.merchant_id, d.day, d.currency, d.status, d.detail, d.n, d.amount);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION totals_payments_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM totals_add('payments', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status, OLD.method, -1, -OLD.amount);
    PERFORM totals_add('payments', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status, NEW.method, 1, NEW.amount);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION totals_refunds_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM totals_add('refunds', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, OLD.status, '', -1, -OLD.amount);
    PERFORM totals_add('refunds', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, NEW.status, '', 1, NEW.amount);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION totals_orders_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM totals_add('orders', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.currency, '', '', -1, -OLD.amount);
    PERFORM totals_add('orders', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.currency, '', '', 1, NEW.amount);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION totals_webhook_logs_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM totals_add('webhook_logs', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, '', OLD.status, OLD.event, -1, 0);
    PERFORM totals_add('webhook_logs', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, '', NEW.status, NEW.event, 1, 0);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION totals_audit_log_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM totals_add('audit_log', OLD.merchant_id, (OLD.created_at AT TIME ZONE 'UTC')::date, '', '', '', -1, 0);
    PERFORM totals_add('audit_log', NEW.merchant_id, (NEW.created_at AT TIME ZONE 'UTC')::date, '', '', '', 1, 0);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE payments, refunds, orders, webhook_logs, audit_log IN SHARE MODE;
    LOCK TABLE totals_daily, totals_merchant, totals_global IN EXCLUSIVE MODE;
    CREATE TEMP TABLE totals_recount_rows ON COMMIT DROP AS SELECT * FROM totals_recounted;
    DELETE FROM totals_daily;
    DELETE FROM totals_merchant;
    DELETE FROM totals_global;
    INSERT INTO totals_daily (kind, merchant_id, day, currency, status, detail, n, amount)
    SELECT kind, merchant_id, day, currency, status, detail, n, amount
    FROM totals_recount_rows WHERE merchant_id IS NOT NULL;
    INSERT INTO totals_merchant (kind, merchant_id, currency, status, detail, n, amount)
    SELECT kind, merchant_id, currency, status, detail, sum(n), sum(amount)
    FROM totals_recount_rows WHERE merchant_id IS NOT NULL
    GROUP BY kind, merchant_id, currency, status, detail;
    INSERT INTO totals_global (kind, currency, status, n, amount)
    SELECT kind, currency, status, sum(n), sum(amount)
    FROM totals_recount_rows
    GROUP BY kind, currency, status;
    DROP TABLE totals_recount_rows;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION totals_drift()
RETURNS TABLE (level text, kind text, merchant_id uuid, day date, currency text, status text, detail text,
               kept_n bigint, kept_amount numeric, counted_n bigint, counted_amount numeric)
LANGUAGE sql STABLE AS $$
WITH counted AS (SELECT * FROM totals_recounted),
daily AS (
    SELECT 'daily'::text AS level, k.kind, k.merchant_id, k.day, k.currency, k.status, k.detail,
           coalesce(k.n, 0)::bigint AS kept_n, coalesce(k.amount, 0) AS kept_amount,
           coalesce(c.n, 0)::bigint AS counted_n, coalesce(c.amount, 0) AS counted_amount
    FROM (SELECT t.kind, t.merchant_id, t.day, t.currency, t.status, t.detail, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_daily t GROUP BY 1, 2, 3, 4, 5, 6) k
    FULL JOIN (SELECT * FROM counted WHERE counted.merchant_id IS NOT NULL) c
      USING (kind, merchant_id, day, currency, status, detail)
), merchant AS (
    SELECT 'merchant'::text, k.kind, k.merchant_id, NULL::date, k.currency, k.status, k.detail,
           coalesce(k.n, 0)::bigint, coalesce(k.amount, 0), coalesce(c.n, 0)::bigint, coalesce(c.amount, 0)
    FROM (SELECT t.kind, t.merchant_id, t.currency, t.status, t.detail, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_merchant t GROUP BY 1, 2, 3, 4, 5) k
    FULL JOIN (SELECT counted.kind, counted.merchant_id, counted.currency, counted.status, counted.detail,
                      sum(counted.n) AS n, sum(counted.amount) AS amount
               FROM counted WHERE counted.merchant_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5) c
      USING (kind, merchant_id, currency, status, detail)
), global AS (
    SELECT 'global'::text, k.kind, NULL::uuid, NULL::date, k.currency, k.status, ''::text,
           coalesce(k.n, 0)::bigint, coalesce(k.amount, 0), coalesce(c.n, 0)::bigint, coalesce(c.amount, 0)
    FROM (SELECT t.kind, t.currency, t.status, sum(t.n) AS n, sum(t.amount) AS amount
          FROM totals_global t GROUP BY 1, 2, 3) k
    FULL JOIN (SELECT counted.kind, counted.currency, counted.status, sum(counted.n) AS n, sum(counted.amount) AS amount
               FROM counted GROUP BY 1, 2, 3) c
      USING (kind, currency, status)
)
SELECT * FROM (SELECT * FROM daily UNION ALL SELECT * FROM merchant UNION ALL SELECT * FROM global) d
WHERE d.kept_n <> d.counted_n OR d.kept_amount <> d.counted_amount
$$;
-- +goose StatementEnd

DROP TRIGGER totals_payments_update ON payments;
DROP TRIGGER totals_refunds_update ON refunds;
DROP TRIGGER totals_orders_update ON orders;
DROP TRIGGER totals_webhook_logs_update ON webhook_logs;
DROP TRIGGER totals_audit_log_update ON audit_log;
CREATE TRIGGER totals_payments_update AFTER UPDATE ON payments
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.method, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.method, NEW.amount))
    EXECUTE FUNCTION totals_payments_moved();
CREATE TRIGGER totals_refunds_update AFTER UPDATE ON refunds
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.amount))
    EXECUTE FUNCTION totals_refunds_moved();
CREATE TRIGGER totals_orders_update AFTER UPDATE ON orders
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.amount))
    EXECUTE FUNCTION totals_orders_moved();
CREATE TRIGGER totals_webhook_logs_update AFTER UPDATE ON webhook_logs
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.status, OLD.event) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.status, NEW.event))
    EXECUTE FUNCTION totals_webhook_logs_moved();
CREATE TRIGGER totals_audit_log_update AFTER UPDATE ON audit_log
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at))
    EXECUTE FUNCTION totals_audit_log_moved();
DROP VIEW totals_daily_live, totals_merchant_live, totals_global_live;
DROP TABLE totals_pending;
DROP INDEX idx_totals_daily_key, idx_totals_merchant_key, idx_totals_global_key;
CREATE INDEX idx_totals_daily_key ON totals_daily (merchant_id, kind, day, currency, status, detail);
CREATE INDEX idx_totals_merchant_key ON totals_merchant (merchant_id, kind, currency, status, detail);
CREATE INDEX idx_totals_global_key ON totals_global (kind, currency, status);
