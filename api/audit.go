package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/resources"
)

// Actions recorded in the audit log.
const (
	auditLogin            = "login"
	auditLoginFailed      = "login_failed"
	auditLogout           = "logout"
	auditAPISecretRolled  = "api_secret_rolled"
	auditWebhookURLSet    = "webhook_url_changed"
	auditWebhookSecretSet = "webhook_secret_regenerated"
	auditRefundCreated    = "refund_created"
	auditWebhookRetried   = "webhook_retried"
	// Webhook endpoints (api/endpoints.go); webhook_endpoint_disabled is recorded by the
	// workflow that disables a failing endpoint (activities.AuditEndpointDisabled).
	auditEndpointCreated  = "webhook_endpoint_created"
	auditEndpointUpdated  = "webhook_endpoint_updated"
	auditEndpointDeleted  = "webhook_endpoint_deleted"
	auditEndpointRolled   = "webhook_endpoint_secret_rolled"
	auditEndpointDisabled = "webhook_endpoint_disabled"
)

type actorKey struct{}

// actorFrom names who made an authenticated request: "dashboard:<email>" or "api_key:<key>".
func actorFrom(ctx context.Context) string {
	actor, _ := ctx.Value(actorKey{}).(string)
	return actor
}

// audit records a security-relevant action, through q so that it commits or rolls back with
// the action itself.
func audit(ctx context.Context, q *db.Queries, r *http.Request, merchantID *uuid.UUID, actor, action, target string, details map[string]any) error {
	raw := json.RawMessage("{}")
	if details != nil {
		var err error
		if raw, err = json.Marshal(details); err != nil {
			return err
		}
	}
	var t *string
	if target != "" {
		t = &target
	}
	return q.RecordAudit(ctx, db.RecordAuditParams{
		MerchantID: merchantID, Actor: actor, Action: action, Target: t, SourceAddress: clientAddress(r), Details: raw,
	})
}

// auditMerchant records an action of the authenticated merchant.
func (s *Server) auditMerchant(r *http.Request, q *db.Queries, action, target string, details map[string]any) error {
	id := merchantFrom(r.Context()).ID
	return audit(r.Context(), q, r, &id, actorFrom(r.Context()), action, target, details)
}

type auditEntry struct {
	ID            int64           `json:"id"`
	Actor         string          `json:"actor"`
	Action        string          `json:"action"`
	Target        *string         `json:"target"`
	SourceAddress string          `json:"source_address"`
	Details       json.RawMessage `json:"details"`
	CreatedAt     string          `json:"created_at"`
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	ctx, m := r.Context(), merchantFrom(r.Context())
	at, idText, err := l.cursor("audit log entries", func(id string) (time.Time, error) {
		n, err := parseAuditID(id)
		if err != nil {
			return time.Time{}, err
		}
		return s.queries.GetAuditCreatedAt(ctx, db.GetAuditCreatedAtParams{ID: n, MerchantID: &m.ID})
	})
	if err != nil {
		return err
	}
	var id int64
	if idText != "" {
		id, _ = parseAuditID(idText) // the lookup above parsed it
	}
	p := db.ListAuditParams{MerchantID: &m.ID, CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch(), RowOffset: l.offset}
	var rows []db.AuditLog
	if l.newer() {
		rows, err = s.queries.ListAuditNewer(ctx, db.ListAuditNewerParams(p))
	} else {
		rows, err = s.queries.ListAudit(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	sp := l.span()
	total, err := s.queries.CountAudit(ctx, db.CountAuditParams{MerchantID: m.ID, Whole: sp.whole, FirstDay: sp.firstDay, EndDay: sp.endDay, HeadGte: sp.headGTE, HeadLt: sp.headLT, TailGte: sp.tailGTE, TailLt: sp.tailLT})
	if err != nil {
		return err
	}
	entries := make([]auditEntry, len(rows))
	for i, e := range rows {
		entries[i] = auditEntry{ID: e.ID, Actor: e.Actor, Action: e.Action, Target: e.Target, SourceAddress: e.SourceAddress,
			Details: e.Details, CreatedAt: resources.Timestamp(e.CreatedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(entries), "total": total, "entries": entries, "has_more": more})
	return nil
}
