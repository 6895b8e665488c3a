-- Cursor pagination: every list pages newest first by (created_at, id) after or before a cursor.
-- Each list's index holds the whole key, so a page is one index range scan however deep it is,
-- and the row comparison (created_at, id) < (cursor) is an index condition. The old
-- (merchant_id, created_at DESC) indexes are prefixes of the new ones, so they go.

-- +goose Up
CREATE INDEX idx_orders_merchant_created_id ON orders (merchant_id, created_at DESC, id DESC);
CREATE INDEX idx_payments_merchant_created_id ON payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX idx_refunds_merchant_created_id ON refunds (merchant_id, created_at DESC, id DESC);
CREATE INDEX idx_webhook_logs_merchant_created_id ON webhook_logs (merchant_id, created_at DESC, id DESC);
CREATE INDEX idx_audit_log_merchant_created_id ON audit_log (merchant_id, created_at DESC, id DESC);
DROP INDEX idx_orders_merchant_id;
DROP INDEX idx_payments_merchant_id;
DROP INDEX idx_refunds_merchant_id;
DROP INDEX idx_webhook_logs_merchant_id;
DROP INDEX idx_audit_log_merchant_id;

-- +goose Down
CREATE INDEX idx_orders_merchant_id ON orders (merchant_id, created_at DESC);
CREATE INDEX idx_payments_merchant_id ON payments (merchant_id, created_at DESC);
CREATE INDEX idx_refunds_merchant_id ON refunds (merchant_id, created_at DESC);
CREATE INDEX idx_webhook_logs_merchant_id ON webhook_logs (merchant_id, created_at DESC);
CREATE INDEX idx_audit_log_merchant_id ON audit_log (merchant_id, created_at DESC);
DROP INDEX idx_orders_merchant_created_id;
DROP INDEX idx_payments_merchant_created_id;
DROP INDEX idx_refunds_merchant_created_id;
DROP INDEX idx_webhook_logs_merchant_created_id;
DROP INDEX idx_audit_log_merchant_created_id;
