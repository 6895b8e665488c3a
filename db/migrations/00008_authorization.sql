-- The authorization's life: capture mode, partial capture, void and expiry (issue 16).
-- Everything is additive: a payment created before this migration has capture 'manual', no
-- capture_expires_at (nothing expires it; it stays capturable as before) and, if captured, an
-- amount_captured equal to its amount.

-- +goose Up
ALTER TABLE orders
    ADD COLUMN capture text NOT NULL DEFAULT 'manual' CHECK (capture IN ('manual', 'automatic'));

ALTER TABLE payments
    ADD COLUMN capture            text        NOT NULL DEFAULT 'manual' CHECK (capture IN ('manual', 'automatic')),
    -- When the payment's workflow voids it if still uncaptured: its creation plus CAPTURE_WINDOW.
    ADD COLUMN capture_expires_at timestamptz,
    ADD COLUMN amount_captured    bigint,
    ADD COLUMN voided_at          timestamptz,
    ADD COLUMN void_reason        text        CHECK (void_reason IN ('requested', 'expired'));

UPDATE payments SET amount_captured = amount WHERE captured;

ALTER TABLE payments
    DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'success', 'failed', 'refunded', 'voided')),
    ADD CONSTRAINT payments_amount_captured_within_amount CHECK (amount_captured BETWEEN 1 AND amount),
    ADD CONSTRAINT payments_captured_has_amount CHECK (captured = (amount_captured IS NOT NULL)),
    -- A captured payment gives back at most what was captured.
    ADD CONSTRAINT payments_refunded_within_captured CHECK (amount_captured IS NULL OR amount_refunded <= amount_captured),
    ADD CONSTRAINT payments_voided_has_reason CHECK ((status = 'voided') = (voided_at IS NOT NULL AND void_reason IS NOT NULL));

-- +goose Down
ALTER TABLE payments
    DROP CONSTRAINT payments_voided_has_reason,
    DROP CONSTRAINT payments_refunded_within_captured,
    DROP CONSTRAINT payments_captured_has_amount,
    DROP CONSTRAINT payments_amount_captured_within_amount;
-- A voided payment was an approved, uncaptured one: it goes back to success, keeping every row.
UPDATE payments SET status = 'success' WHERE status = 'voided';
ALTER TABLE payments
    DROP CONSTRAINT payments_status_check,
    ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'success', 'failed', 'refunded')),
    DROP COLUMN void_reason,
    DROP COLUMN voided_at,
    DROP COLUMN amount_captured,
    DROP COLUMN capture_expires_at,
    DROP COLUMN capture;
ALTER TABLE orders DROP COLUMN capture;
