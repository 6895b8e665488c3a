package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error codes of the API's error shape {"error": {"code", "description"}}.
const (
	CodeBadRequest     = "BAD_REQUEST_ERROR"
	CodeInvalidVPA     = "INVALID_VPA"
	CodeInvalidCard    = "INVALID_CARD"
	CodeExpiredCard    = "EXPIRED_CARD"
	CodeAuthentication = "AUTHENTICATION_ERROR"
	CodeNotFound       = "NOT_FOUND_ERROR"
	CodeIdempotency    = "IDEMPOTENCY_ERROR"
	CodeRateLimit      = "RATE_LIMIT_ERROR"
	// CodeTooManyAttempts: an order refuses new payments for a while after too many failed ones
	// (429, against card testing); unlike RATE_LIMIT_ERROR, retrying soon is pointless.
	CodeTooManyAttempts = "TOO_MANY_ATTEMPTS"
	// CodeUnsupportedMediaType: login and register take only application/json (415).
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeUnavailable          = "SERVICE_UNAVAILABLE"
	CodeServer               = "SERVER_ERROR"
	// CodeMethodNotAllowed comes with 405: the path exists, not with this method (see Allow).
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	// CodePayloadTooLarge comes with 413: the request body is over 1 MiB.
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	// CodeReplayRunning comes with 409: a replay of the webhook endpoint is already running.
	CodeReplayRunning = "REPLAY_IN_PROGRESS"
)

// Error is a failure the client caused or may act on; it is written as the API's error shape.
// Any other error is internal: logged, and answered with a generic 500 that reveals nothing.
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

func badRequest(format string, args ...any) *Error {
	return &Error{http.StatusBadRequest, CodeBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(what string) *Error {
	return &Error{http.StatusNotFound, CodeNotFound, what + " not found"}
}

var errUnauthenticated = &Error{http.StatusUnauthorized, CodeAuthentication, "Invalid API credentials"}

type errorBody struct {
	Error struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = internalError(r, log, err)
	}
	var body errorBody
	body.Error.Code, body.Error.Description = e.Code, e.Description
	writeJSON(w, e.Status, body)
}

// internalError logs err (never sent to the client) and classifies it: a database that cannot be
// reached is a 503 the client may retry; anything else is a 500.
func internalError(r *http.Request, log *slog.Logger, err error) *Error {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return &Error{499, CodeBadRequest, "Request cancelled"}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05") {
		// Text PostgreSQL cannot store (a NUL character): the request's fault, not ours.
		return &Error{http.StatusBadRequest, CodeBadRequest, "Request contains characters that are not allowed (such as NUL)"}
	}
	log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &pgErr) && (pgErr.Code == "57P01" || pgErr.Code[:2] == "08")) || isConnectError(err) {
		return &Error{http.StatusServiceUnavailable, CodeUnavailable, "The service is temporarily unavailable; retry shortly"}
	}
	return &Error{http.StatusInternalServerError, CodeServer, "Something went wrong on our side"}
}

func isConnectError(err error) bool {
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr)
}

// uniqueViolation reports whether err is a PostgreSQL unique violation of the named constraint.
func uniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}
