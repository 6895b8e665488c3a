package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
)

// idempotencyTTL is how long a stored response is replayed for its key.
const idempotencyTTL = 24 * time.Hour

// created is what a create operation made inside its transaction.
type created struct {
	status int
	body   any
	// after runs once the transaction has committed (for example, starting a workflow), on the
	// server's start queue, so the response does not wait for it. It is not run for a replay:
	// the first request queued it, and the sweeps cover a crash in between.
	after func(context.Context)
}

// createOnce runs a create operation in one transaction and writes its response. With an
// idempotency key (the Idempotency-Key header, else bodyKey), the response's status and bytes
// are stored in that same transaction, so a repeat of the request returns exactly them and
// creates nothing; a repeat while the first is still running gets 409, and the same key with
// another body or route gets 422. Failures are not stored: the request may be retried.
func (s *Server) createOnce(w http.ResponseWriter, r *http.Request, body []byte, bodyKey string, op func(context.Context, *db.Queries) (created, error)) error {
	ctx := r.Context()
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = bodyKey
	}
	if key == "" {
		var out created
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
			out, err = op(ctx, s.queries.WithTx(tx))
			return err
		})
		if err != nil {
			return err
		}
		return s.respondCreated(w, r, out)
	}
	if !validIdempotencyKey(key) {
		return badRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
	}

	m := merchantFrom(ctx)
	scope := idempotencyScope(ctx)
	route := r.Method + " " + r.URL.Path
	hash := s.requestHash.hash(body)
	var replay *db.IdempotencyKey
	var out created
	var raw []byte
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		locked, err := q.TryIdempotencyLock(ctx, idempotencyLockID(m.ID.String(), scope, key))
		if err != nil {
			return err
		}
		if !locked {
			return &Error{http.StatusConflict, CodeIdempotency, "A request with this Idempotency-Key is still being processed; retry later"}
		}
		prev, err := q.GetIdempotencyKey(ctx, db.GetIdempotencyKeyParams{MerchantID: m.ID, Scope: scope, Key: key})
		switch {
		case err == nil:
			replay = &prev
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if out, err = op(ctx, q); err != nil {
			return err
		}
		if raw, err = json.Marshal(out.body); err != nil {
			return err
		}
		return q.SaveIdempotencyKey(ctx, db.SaveIdempotencyKeyParams{
			MerchantID: m.ID, Scope: scope, Key: key, Route: route, RequestHash: hash,
			ResponseStatus: int32(out.status), ResponseBody: raw, ExpiresAt: s.now().Add(idempotencyTTL),
		})
	})
	if err != nil {
		return err
	}
	if replay != nil {
		if replay.Route != route || !hmac.Equal(replay.RequestHash, hash) {
			return &Error{http.StatusUnprocessableEntity, CodeIdempotency, "This Idempotency-Key was used with a different request"}
		}
		w.Header().Set("Idempotent-Replayed", "true")
		writeRaw(w, int(replay.ResponseStatus), replay.ResponseBody)
		return nil
	}
	if out.after != nil {
		s.starts.Go(ctx, out.after)
	}
	writeRaw(w, out.status, raw)
	return nil
}

// createStatement is createOnce for an operation that is a single SQL statement: without an
// Idempotency-Key it runs on its own, with no BEGIN and COMMIT round trips around it.
func (s *Server) createStatement(w http.ResponseWriter, r *http.Request, body []byte, op func(context.Context, *db.Queries) (created, error)) error {
	if r.Header.Get("Idempotency-Key") != "" {
		return s.createOnce(w, r, body, "", op)
	}
	out, err := op(r.Context(), s.queries)
	if err != nil {
		return err
	}
	return s.respondCreated(w, r, out)
}

func (s *Server) respondCreated(w http.ResponseWriter, r *http.Request, out created) error {
	if out.after != nil {
		s.starts.Go(r.Context(), out.after)
	}
	writeJSON(w, out.status, out.body)
	return nil
}

func validIdempotencyKey(key string) bool {
	if len(key) < 1 || len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Idempotency key scopes: the merchant's own API calls, and the checkout's public routes, whose
// keys a customer's browser chooses and which must never meet the merchant's.
const (
	scopeAPI    = "api"
	scopePublic = "public"
)

type scopeKey struct{}

// withPublicScope marks a request as one of the public routes for its idempotency key.
func withPublicScope(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), scopeKey{}, scopePublic))
}

func idempotencyScope(ctx context.Context) string {
	if scope, ok := ctx.Value(scopeKey{}).(string); ok {
		return scope
	}
	return scopeAPI
}

// idempotencyLockID maps (merchant, scope, key) to a PostgreSQL advisory lock id.
func idempotencyLockID(merchantID, scope, key string) int64 {
	name := merchantID + "\x00" + key
	if scope != scopeAPI {
		name = merchantID + "\x00" + scope + "\x00" + key
	}
	h := sha256.Sum256([]byte(name))
	return int64(binary.BigEndian.Uint64(h[:8]))
}
