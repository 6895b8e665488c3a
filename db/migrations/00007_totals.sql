-- Running totals: what the dashboard's figures, the lists' totals and /metrics read instead of
-- counting rows. Triggers keep them exact in the transaction that writes a payment, refund, order,
-- webhook delivery or audit entry, whatever the code path; totals_recount() rebuilds them from
-- the rows (after a bulk load with triggers off, or to repair).
--
-- Three levels, each a sum of rows (n: how many, amount: the sum of their amounts in minor units,
-- numeric so that no sum can overflow):
--   totals_daily     per kind, merchant, UTC day of creation, currency, status, detail
--   totals_merchant  the same without the day (all time)
--   totals_global    per kind, currency, status (every merchant; what /metrics reads)
-- kind is the table (payments, refunds, orders, webhook_logs, audit_log); detail is the payment's
-- method or the webhook delivery's event ('' otherwise); currency and status are '' for the
-- kinds without one. Audit entries of no merchant count at the global level only.
--
-- A key may have several rows: a trigger adds to one of its rows that no other transaction holds
-- (FOR UPDATE SKIP LOCKED) or inserts a new one, so writers never wait on each other for a total
-- and take no locks in an order that could deadlock. Readers sum the rows of a key; a key has
-- about as many rows as the most writers it ever had at once. Every change updates a totals
-- row, so the tables leave room for updates in place (fillfactor) and are vacuumed after a fixed
-- number of changes rather than a share of their (small) size.

-- +goose Up
-- The backfill must see every row and miss no write: writers of the counted tables wait from here
-- until the migration commits (readers do not). The locks are taken at once, payments first as
-- every writer does; a writer that took another table first may still meet them in a deadlock,
-- and the migration waits long before checking for one (where it may set deadlock_timeout), so
-- that writer, not the migration, is the one PostgreSQL aborts (it is retried like any failure).
-- +goose StatementBegin
DO $$ BEGIN
    SET LOCAL deadlock_timeout = '1min';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
-- +goose StatementEnd
LOCK TABLE payments, refunds, orders, webhook_logs, audit_log IN EXCLUSIVE MODE;

CREATE TABLE totals_daily (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text    NOT NULL,
    merchant_id uuid    NOT NULL,
    day         date    NOT NULL,
    currency    text    NOT NULL,
    status      text    NOT NULL,
    detail      text    NOT NULL,
    n           bigint  NOT NULL,
    amount      numeric NOT NULL
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 10000);
CREATE INDEX idx_totals_daily_key ON totals_daily (merchant_id, kind, day, currency, status, detail);

CREATE TABLE totals_merchant (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text    NOT NULL,
    merchant_id uuid    NOT NULL,
    currency    text    NOT NULL,
    status      text    NOT NULL,
    detail      text    NOT NULL,
    n           bigint  NOT NULL,
    amount      numeric NOT NULL
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
CREATE INDEX idx_totals_merchant_key ON totals_merchant (merchant_id, kind, currency, status, detail);

CREATE TABLE totals_global (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind     text    NOT NULL,
    currency text    NOT NULL,
    status   text    NOT NULL,
    n        bigint  NOT NULL,
    amount   numeric NOT NULL
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
CREATE INDEX idx_totals_global_key ON totals_global (kind, currency, status);

-- totals_add adds n rows and their amount to every level of a key: one statement adds to a row
-- of each level that no other transaction holds, and a level where every row is held (or none
-- exists yet) gets a row of its own.
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

-- Inserts and deletes: one statement-level trigger function per table, over the statement's
-- transition table, one totals_add per key, so a statement of a million rows costs one update per
-- key. Updates: a row-level trigger that fires only WHEN a counted column changes (in C, before
-- any function runs), moving the row from its old key to its new one; the updates a payment's
-- life makes without changing a key (an order marked paid, a webhook attempt that leaves the
-- status alone, amount_refunded reserved, a capture) cost nothing here. Any status value is a key
-- of its own: new statuses need no change here.
-- +goose StatementBegin
CREATE FUNCTION totals_payments() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION totals_refunds() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION totals_orders() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION totals_webhook_logs() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION totals_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- totals_recounted is the daily level counted from the rows themselves (merchant_id NULL for
-- audit entries of no merchant): what totals_recount() writes, and what tests compare with.
CREATE VIEW totals_recounted AS
SELECT 'payments'::text AS kind, merchant_id, (created_at AT TIME ZONE 'UTC')::date AS day, currency, status,
       method AS detail, count(*) AS n, sum(amount)::numeric AS amount
FROM payments GROUP BY merchant_id, day, currency, status, method
UNION ALL
SELECT 'refunds', merchant_id, (created_at AT TIME ZONE 'UTC')::date AS day, currency, status, '', count(*), sum(amount)
FROM refunds GROUP BY merchant_id, day, currency, status
UNION ALL
SELECT 'orders', merchant_id, (created_at AT TIME ZONE 'UTC')::date AS day, currency, '', '', count(*), sum(amount)
FROM orders GROUP BY merchant_id, day, currency
UNION ALL
SELECT 'webhook_logs', merchant_id, (created_at AT TIME ZONE 'UTC')::date AS day, '', status, event, count(*), 0
FROM webhook_logs GROUP BY merchant_id, day, status, event
UNION ALL
SELECT 'audit_log', merchant_id, (created_at AT TIME ZONE 'UTC')::date AS day, '', '', '', count(*), 0
FROM audit_log GROUP BY merchant_id, day;

-- totals_recount rebuilds every level from the rows. It holds SHARE locks on the counted tables
-- until its transaction ends (writers wait; readers do not), so the totals it writes are exact
-- and every later write is added by the triggers.
-- +goose StatementBegin
CREATE FUNCTION totals_recount() RETURNS void LANGUAGE plpgsql AS $$
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

-- totals_drift lists every key (of any level) whose kept total differs from a recount: empty
-- when the totals are exact. It reads every row: for tests and for an operator's check.
-- +goose StatementBegin
CREATE FUNCTION totals_drift()
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

CREATE TRIGGER totals_payments_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_payments();
CREATE TRIGGER totals_payments_update AFTER UPDATE ON payments
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.method, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.method, NEW.amount))
    EXECUTE FUNCTION totals_payments_moved();
CREATE TRIGGER totals_payments_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_payments();
CREATE TRIGGER totals_refunds_insert AFTER INSERT ON refunds REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_refunds();
CREATE TRIGGER totals_refunds_update AFTER UPDATE ON refunds
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.status, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.status, NEW.amount))
    EXECUTE FUNCTION totals_refunds_moved();
CREATE TRIGGER totals_refunds_delete AFTER DELETE ON refunds REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_refunds();
CREATE TRIGGER totals_orders_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_orders();
CREATE TRIGGER totals_orders_update AFTER UPDATE ON orders
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.currency, OLD.amount) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.currency, NEW.amount))
    EXECUTE FUNCTION totals_orders_moved();
CREATE TRIGGER totals_orders_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_orders();
CREATE TRIGGER totals_webhook_logs_insert AFTER INSERT ON webhook_logs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_webhook_logs();
CREATE TRIGGER totals_webhook_logs_update AFTER UPDATE ON webhook_logs
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at, OLD.status, OLD.event) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at, NEW.status, NEW.event))
    EXECUTE FUNCTION totals_webhook_logs_moved();
CREATE TRIGGER totals_webhook_logs_delete AFTER DELETE ON webhook_logs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_webhook_logs();
CREATE TRIGGER totals_audit_log_insert AFTER INSERT ON audit_log REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_audit_log();
CREATE TRIGGER totals_audit_log_update AFTER UPDATE ON audit_log
    FOR EACH ROW WHEN ((OLD.merchant_id, OLD.created_at) IS DISTINCT FROM (NEW.merchant_id, NEW.created_at))
    EXECUTE FUNCTION totals_audit_log_moved();
CREATE TRIGGER totals_audit_log_delete AFTER DELETE ON audit_log REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION totals_audit_log();

-- The backfill: the locks taken first are held until this migration commits, so no write slips
-- between the count and the triggers.
SELECT totals_recount();

-- +goose Down
DROP TRIGGER totals_payments_insert ON payments;
DROP TRIGGER totals_payments_update ON payments;
DROP TRIGGER totals_payments_delete ON payments;
DROP TRIGGER totals_refunds_insert ON refunds;
DROP TRIGGER totals_refunds_update ON refunds;
DROP TRIGGER totals_refunds_delete ON refunds;
DROP TRIGGER totals_orders_insert ON orders;
DROP TRIGGER totals_orders_update ON orders;
DROP TRIGGER totals_orders_delete ON orders;
DROP TRIGGER totals_webhook_logs_insert ON webhook_logs;
DROP TRIGGER totals_webhook_logs_update ON webhook_logs;
DROP TRIGGER totals_webhook_logs_delete ON webhook_logs;
DROP TRIGGER totals_audit_log_insert ON audit_log;
DROP TRIGGER totals_audit_log_update ON audit_log;
DROP TRIGGER totals_audit_log_delete ON audit_log;
DROP FUNCTION totals_drift();
DROP FUNCTION totals_recount();
DROP VIEW totals_recounted;
DROP FUNCTION totals_payments();
DROP FUNCTION totals_refunds();
DROP FUNCTION totals_orders();
DROP FUNCTION totals_webhook_logs();
DROP FUNCTION totals_audit_log();
DROP FUNCTION totals_payments_moved();
DROP FUNCTION totals_refunds_moved();
DROP FUNCTION totals_orders_moved();
DROP FUNCTION totals_webhook_logs_moved();
DROP FUNCTION totals_audit_log_moved();
DROP FUNCTION totals_add(text, uuid, date, text, text, text, bigint, numeric);
DROP TABLE totals_global;
DROP TABLE totals_merchant;
DROP TABLE totals_daily;
