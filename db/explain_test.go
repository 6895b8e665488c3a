package db

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// scanned are the tables no query may read with a sequential scan: they grow with every payment.
// totals_global is left out: it holds a few rows per kind and status whatever is stored; so is
// totals_pending, which holds about a second of changes (the workers fold it into the levels).
var scanned = []string{"payments", "refunds", "orders", "webhook_logs", "audit_log", "totals_daily", "totals_merchant"}

// notPlanned are the queries the EXPLAIN test leaves out, and why.
var notPlanned = map[string]string{
	"RecountTotals": "rebuilds the totals from every row: a full scan by design (bulk loads, repairs)",
	"RecordAttempt": "a :batchexec; the same UPDATE … WHERE id = $1 as ResetDelivery",
}

// seed fills the database with 200 000 payments of 1 000 merchants over a year (one merchant
// holds half), their orders, 20 000 refunds, 200 000 webhook deliveries and 20 000 audit entries (200 deliveries never attempted, as the sweeps leave them), as a
// bulk loader does: triggers off, indexes built after the rows, then totals_recount() and ANALYZE.
const seed = `
SET session_replication_role = replica;
CREATE TEMP TABLE seed_indexes AS SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename IN ('payments', 'refunds', 'orders', 'webhook_logs', 'audit_log') AND indexname NOT LIKE '%_pkey';
DO $$ DECLARE i record; BEGIN
    FOR i IN SELECT * FROM seed_indexes LOOP EXECUTE 'DROP INDEX ' || quote_ident(i.indexname); END LOOP;
END $$;
INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_url, webhook_secret)
SELECT ('00000000-0000-0000-0000-' || lpad(m::text, 12, '0'))::uuid, 'm' || m, 'm' || m || '@example.com', 'x', 'key_' || m,
       '\x00', 'https://example.com/hook', 's'
FROM generate_series(0, 999) m;
CREATE TEMP TABLE seed AS
SELECT g, ('00000000-0000-0000-0000-' || lpad((CASE WHEN g % 2 = 0 THEN 0 ELSE 1 + g % 999 END)::text, 12, '0'))::uuid AS merchant_id,
       now() - ((g * 7919) % (365 * 86400)) * interval '1 second' AS created_at,
       1000 + (g % 5000) * 10 AS amount,
       CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'INR' END AS currency,
       CASE g % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'failed' WHEN 2 THEN 'failed' WHEN 4 THEN 'refunded' ELSE 'success' END AS status
FROM generate_series(1, 200000) g;
INSERT INTO orders (id, merchant_id, amount, currency, status, created_at, updated_at)
SELECT 'order_' || g, merchant_id, amount, currency, CASE WHEN status IN ('success', 'refunded') THEN 'paid' ELSE 'created' END, created_at, created_at FROM seed;
INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, status, vpa, card_network, card_bin, card_last4,
                      amount_refunded, created_at, updated_at)
SELECT 'pay_' || g, 'order_' || g, merchant_id, amount, currency, CASE WHEN g % 2 = 0 THEN 'upi' ELSE 'card' END, status,
       CASE WHEN g % 2 = 0 THEN 'buyer@upi' END, CASE WHEN g % 2 = 1 THEN 'visa' END, CASE WHEN g % 2 = 1 THEN '424242' END,
       CASE WHEN g % 2 = 1 THEN '4242' END, CASE WHEN status = 'refunded' THEN amount ELSE 0 END, created_at, created_at
FROM seed;
INSERT INTO refunds (id, payment_id, order_id, merchant_id, amount, currency, status, processed_at, created_at, updated_at)
SELECT 'rfnd_' || g, 'pay_' || g, 'order_' || g, merchant_id, amount, currency, 'processed', created_at, created_at, created_at
FROM seed WHERE status = 'refunded';
INSERT INTO webhook_logs (id, merchant_id, event, payment_id, payload, status, attempts, created_at, updated_at)
SELECT 'evt_' || g, merchant_id, CASE WHEN status = 'pending' THEN 'payment.pending' ELSE 'payment.' || CASE WHEN status = 'failed' THEN 'failed' ELSE 'success' END END,
       'pay_' || g, '{}', CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 10 = 0 THEN 'pending' ELSE 'success' END,
       CASE WHEN g % 1000 = 0 THEN 0 ELSE 1 END, created_at, created_at
FROM seed;
INSERT INTO audit_log (merchant_id, actor, action, source_address, created_at)
SELECT merchant_id, 'someone', 'login', '127.0.0.1', created_at FROM seed WHERE g % 10 = 6;
DO $$ DECLARE i record; BEGIN
    FOR i IN SELECT * FROM seed_indexes LOOP EXECUTE i.indexdef; END LOOP;
END $$;
RESET session_replication_role;
SELECT totals_recount();
ANALYZE;
`

// plannedQuery is a query of db/queries with realistic arguments for its custom plan.
type plannedQuery struct {
	name string
	sql  string
	args []any
}

// seqScans lists the relations of scanned that a JSON plan reads with a sequential scan.
func seqScans(plan []byte) ([]string, error) {
	var root []struct{ Plan json.RawMessage }
	if err := json.Unmarshal(plan, &root); err != nil || len(root) == 0 {
		return nil, fmt.Errorf("plan: %v", err)
	}
	var found []string
	var walk func(raw json.RawMessage) error
	walk = func(raw json.RawMessage) error {
		var n struct {
			NodeType string            `json:"Node Type"`
			Relation string            `json:"Relation Name"`
			Plans    []json.RawMessage `json:"Plans"`
		}
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		if n.NodeType == "Seq Scan" && slices.Contains(scanned, n.Relation) {
			found = append(found, n.Relation)
		}
		for _, p := range n.Plans {
			if err := walk(p); err != nil {
				return err
			}
		}
		return nil
	}
	return found, walk(root[0].Plan)
}

// explain returns the sequential scans of a query's custom plan (planned for args) and of its
// generic plan (planned for any arguments, as a prepared statement is after five runs).
func explain(ctx context.Context, conn *pgx.Conn, q plannedQuery) (custom, generic []string, err error) {
	if q.args != nil {
		if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_custom_plan"); err != nil {
			return nil, nil, err
		}
		var plan []byte
		if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+q.sql, q.args...).Scan(&plan); err != nil {
			return nil, nil, fmt.Errorf("%s: custom plan: %w", q.name, err)
		}
		if custom, err = seqScans(plan); err != nil {
			return nil, nil, err
		}
	}
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		return nil, nil, err
	}
	if _, err := conn.Exec(ctx, "PREPARE planned AS "+q.sql); err != nil {
		return nil, nil, fmt.Errorf("%s: prepare: %w", q.name, err)
	}
	var params int
	if err := conn.QueryRow(ctx, "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'planned'").Scan(&params); err != nil {
		return nil, nil, err
	}
	call := "EXPLAIN (FORMAT JSON) EXECUTE planned"
	if params > 0 {
		call += "(" + strings.TrimSuffix(strings.Repeat("NULL, ", params), ", ") + ")"
	}
	var plan []byte
	if err := conn.QueryRow(ctx, call).Scan(&plan); err != nil {
		return nil, nil, fmt.Errorf("%s: generic plan: %w", q.name, err)
	}
	if _, err := conn.Exec(ctx, "DEALLOCATE planned"); err != nil {
		return nil, nil, err
	}
	generic, err = seqScans(plan)
	return custom, generic, err
}

// queryNames lists the names of the queries in db/queries.
func queryNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("queries/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("queries: %v", err)
	}
	re := regexp.MustCompile(`(?m)^-- name: (\w+) `)
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	return names
}

// No query of db/queries reads payments, refunds, orders, webhook deliveries, audit entries or the
// per-merchant totals with a sequential scan, in its custom plan for realistic arguments (the
// lists, gets, counts and figures of the API) or in its generic plan, on 200 000 payments; and
// each index the queries need is one whose loss this test notices.
func TestQueryPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pg.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	began := time.Now()
	if _, err := conn.Exec(ctx, seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded 200 000 payments in %v", time.Since(began).Round(time.Millisecond))

	big := uuid.MustParse("00000000-0000-0000-0000-000000000000")
	var payID, refundID, orderID, eventID string
	var at time.Time
	var auditID int64
	err = conn.QueryRow(ctx, `SELECT p.id, p.order_id, p.created_at, (SELECT id FROM refunds WHERE merchant_id = $1 LIMIT 1),
			(SELECT id FROM webhook_logs WHERE merchant_id = $1 LIMIT 1), (SELECT id FROM audit_log WHERE merchant_id = $1 LIMIT 1)
		FROM payments p WHERE p.merchant_id = $1 ORDER BY p.created_at DESC OFFSET 5000 LIMIT 1`, big).
		Scan(&payID, &orderID, &at, &refundID, &eventID, &auditID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	farPast := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	farFuture := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	status, method, event, captureState := "success", "card", "payment.success", "authorized"
	var none *string
	// A range of 10 whole days, with partial days at both ends.
	headGTE, first, end, tailLT := day.AddDate(0, 0, -40).Add(3*time.Hour), day.AddDate(0, 0, -39), day.AddDate(0, 0, -29), day.AddDate(0, 0, -29).Add(5*time.Hour)
	span := []any{false, big, first, end, headGTE, first, end, tailLT}
	spanFiltered := func(a, b *string) []any { return []any{false, big, a, b, first, end, headGTE, first, end, tailLT} }
	whole := []any{true, big, farPast, farPast, farPast, farPast, farPast, farPast}
	queries := []plannedQuery{
		{"GetPayment", getPayment, []any{payID, big}},
		{"GetPaymentByID", getPaymentByID, []any{payID}},
		{"ListPayments", listPayments, []any{big, none, none, none, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListPayments", listPayments, []any{big, &status, &method, none, headGTE, tailLT, at, payID, 0, 11}},
		{"ListPayments", listPayments, []any{big, none, none, &captureState, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListPaymentsNewer", listPaymentsNewer, []any{big, none, none, none, farPast, farFuture, at, payID, 0, 11}},
		{"CountPaymentsByCaptureState", countPaymentsByCaptureState, []any{big, none, none, &captureState, headGTE, tailLT}},
		{"CountPayments", countPayments, []any{true, big, none, none, farPast, farPast, farPast, farPast, farPast, farPast}},
		{"CountPayments", countPayments, spanFiltered(&status, &method)},
		{"GetRefund", getRefund, []any{refundID, big}},
		{"GetRefundByID", getRefundByID, []any{refundID}},
		{"ListRefunds", listRefunds, []any{big, none, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListRefunds", listRefunds, []any{big, &payID, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListRefundsNewer", listRefundsNewer, []any{big, none, farPast, farFuture, at, refundID, 0, 11}},
		{"CountRefunds", countRefunds, whole},
		{"CountRefunds", countRefunds, span},
		{"CountPaymentRefunds", countPaymentRefunds, []any{payID, big, farPast, farFuture}},
		{"GetOrder", getOrder, []any{orderID, big}},
		{"GetPublicOrder", getPublicOrder, []any{orderID}},
		{"ListOrders", listOrders, []any{big, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListOrdersNewer", listOrdersNewer, []any{big, farPast, farFuture, at, orderID, 0, 11}},
		{"CountOrders", countOrders, whole},
		{"CountOrders", countOrders, span},
		{"GetWebhookLog", getWebhookLog, []any{eventID, big}},
		{"ListWebhookLogs", listWebhookLogs, []any{big, none, none, none, none, farPast, farFuture, farFuture, "", 0, 11}},
		{"ListWebhookLogsNewer", listWebhookLogsNewer, []any{big, &status, &event, none, none, farPast, farFuture, at, eventID, 0, 11}},
		{"CountWebhookLogsByDelivery", countWebhookLogsByDelivery, []any{big, none, none, none, &eventID, farPast, farFuture}},
		{"EndpointDeliveries", endpointDeliveries, []any{[]string{"we_a", "we_b"}, big, now.Add(-24 * time.Hour)}},
		{"GetEvent", getEvent, []any{eventID, big}},
		{"ListEvents", listEvents, []any{big, none, none, farPast, farFuture, farFuture, "", 11}},
		{"ListEventsNewer", listEventsNewer, []any{big, none, none, farPast, farFuture, at, eventID, 11}},
		{"CountWebhookLogs", countWebhookLogs, []any{true, big, none, none, farPast, farPast, farPast, farPast, farPast, farPast}},
		{"CountWebhookLogs", countWebhookLogs, spanFiltered(&status, &event)},
		{"ListAudit", listAudit, []any{big, farPast, farFuture, farFuture, int64(1 << 62), 0, 11}},
		{"ListAuditNewer", listAuditNewer, []any{big, farPast, farFuture, at, auditID, 0, 11}},
		{"CountAudit", countAudit, whole},
		{"CountAudit", countAudit, span},
		{"GetAuditCreatedAt", getAuditCreatedAt, []any{auditID, big}},
		{"PaymentStats", paymentStats, []any{big, "INR"}},
		{"RefundedAmount", refundedAmount, []any{big, "INR"}},
		{"DailyVolume", dailyVolume, []any{big, "INR", day.AddDate(0, 0, -29)}},
		{"CountByStatus", countByStatus, []any{}},
		{"NthRecentFailedPayment", nthRecentFailedPayment, []any{orderID, now.Add(-30 * time.Minute), 5}},
		{"GetPaymentCheck", getPaymentCheck, []any{payID}},
		{"GetPaymentForUpdate", getPaymentForUpdate, []any{payID, big}},
		{"LockRefundedPayment", lockRefundedPayment, []any{refundID}},
		{"ListStalePendingPayments", listStalePendingPayments, []any{now.Add(-time.Minute), now.Add(-time.Minute), "", 100}},
		{"ListStalePendingRefunds", listStalePendingRefunds, []any{now.Add(-time.Minute), now.Add(-time.Minute), "", 100}},
		{"GetDeliveries", getDeliveries, []any{[]string{eventID}}},
		{"ListUnsentEvents", listUnsentEvents, []any{now.Add(-time.Minute), now.Add(-time.Minute), "",
			[]string{"payment.created", "payment.pending"}, []string{"refund.created"}, 100}},
		{"ListUnsentCreationEvents", listUnsentCreationEvents, []any{now.Add(-time.Minute), []string{payID}, []string{"payment.created", "payment.pending"}}},
		{"ListUndeliveredOutcomeEvents", listUndeliveredOutcomeEvents, []any{[]string{"payment.success"}, &payID, none}},
		{"ListUnsentQueuedEvents", listUnsentQueuedEvents, []any{now.Add(-time.Minute), []string{"payment.captured"}, now.Add(-time.Minute), "", 100}},
		// Writes: EXPLAIN plans them without running them.
		{"CreatePayment", createPayment, nil},
		{"FinishPayment", finishPayment, nil},
		{"CapturePayment", capturePayment, nil},
		{"VoidPayment", voidPayment, nil},
		{"PrepareReplayPage", prepareReplayPage, nil},
		{"AddRefundedAmount", addRefundedAmount, nil},
		{"MarkPaymentRefunded", markPaymentRefunded, nil},
		{"FinishRefund", finishRefund, nil},
		{"MarkOrderPaid", markOrderPaid, nil},
		{"ResetDelivery", resetDelivery, nil},
		{"RecordEvents", recordEvents, nil},
		{"CreateOrder", createOrder, nil},
		{"CreateRefund", createRefund, nil},
		{"RecordAudit", recordAudit, nil},
	}
	// Every query of db/queries that touches a table of scanned is planned here or listed in
	// notPlanned with a reason: a new query fails this test until it is one or the other.
	planned := map[string]bool{}
	for _, q := range queries {
		planned[q.name] = true
	}
	for _, name := range queryNames(t) {
		if planned[name] || notPlanned[name] != "" {
			continue
		}
		if !touchesScanned(name) {
			continue
		}
		t.Errorf("query %s is neither planned by TestQueryPlansUseIndexes (add it with realistic arguments) nor listed in notPlanned", name)
	}

	check := func() (failures []string) {
		for _, q := range queries {
			custom, generic, err := explain(ctx, conn, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(custom) > 0 {
				failures = append(failures, fmt.Sprintf("%s: custom plan scans %v", q.name, custom))
			}
			if len(generic) > 0 {
				failures = append(failures, fmt.Sprintf("%s: generic plan scans %v", q.name, generic))
			}
		}
		return failures
	}
	began = time.Now()
	for _, f := range check() {
		t.Error(f)
	}
	t.Logf("planned %d queries twice in %v", len(queries), time.Since(began).Round(time.Millisecond))

	// Without any one of these indexes some query scans a table: the test notices a lost index.
	for _, index := range []string{
		"idx_payments_merchant_created_id", "idx_refunds_merchant_created_id", "idx_orders_merchant_created_id",
		"idx_webhook_logs_merchant_created_id", "idx_audit_log_merchant_created_id", "idx_refunds_payment_id",
		"idx_totals_daily_key", "idx_totals_merchant_key",
	} {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "DROP INDEX "+index); err != nil {
			t.Fatal(err)
		}
		if len(check()) == 0 {
			t.Errorf("without %s no plan scans a table: the test would miss its loss", index)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// touchesScanned tells whether a query's SQL names one of the scanned tables.
func touchesScanned(name string) bool {
	for _, dir := range []string{"queries"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			text := string(b)
			i := strings.Index(text, "-- name: "+name+" ")
			if i < 0 {
				continue
			}
			body := text[i:]
			if j := strings.Index(body[1:], "-- name: "); j >= 0 {
				body = body[:j+1]
			}
			for _, table := range append(scanned, "totals_recount") {
				if regexp.MustCompile(`\b` + table + `\b`).MatchString(body) {
					return true
				}
			}
		}
	}
	return false
}
