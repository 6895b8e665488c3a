package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error codes the API answers with, in Error.Code.
const (
	CodeBadRequest     = "BAD_REQUEST_ERROR"    // the request is invalid; Description says why
	CodeInvalidVPA     = "INVALID_VPA"          // the UPI address is not valid
	CodeInvalidCard    = "INVALID_CARD"         // the card number, expiry or CVV is not valid
	CodeExpiredCard    = "EXPIRED_CARD"         // the card has expired
	CodeAuthentication = "AUTHENTICATION_ERROR" // the API key or secret is wrong
	CodeNotFound       = "NOT_FOUND_ERROR"      // the object (or route) does not exist
	CodeIdempotency    = "IDEMPOTENCY_ERROR"    // the Idempotency-Key is in use or was used with another request
	CodeRateLimit      = "RATE_LIMIT_ERROR"     // too many requests; retry later
	CodeUnavailable    = "SERVICE_UNAVAILABLE"  // the gateway cannot serve now; retry shortly
	CodeServer         = "SERVER_ERROR"         // the gateway failed; retry with the same idempotency key
	// CodeMethodNotAllowed (405): the path does not take this method; a client of another
	// version than the gateway's, or a hand-made request.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	// CodePayloadTooLarge (413): the request body is over 1 MiB (long notes, say).
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	// CodeUnsupportedMediaType (415): login and register take only application/json.
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	// CodeTooManyAttempts (429): the order refuses payments for a while after too many failed
	// ones (card testing); retry after Retry-After with another order or later.
	CodeTooManyAttempts = "TOO_MANY_ATTEMPTS"
	// CodeReplayInProgress (409): a replay of the webhook endpoint is running.
	CodeReplayInProgress = "REPLAY_IN_PROGRESS"
)

// Error is a failure the API answered with: an HTTP status outside 2xx and the body
// {"error": {"code", "description"}}. A body that is not of that shape (a proxy's error page,
// say) gives an Error whose Code is empty and whose Description is the start of the body.
type Error struct {
	Status      int    // HTTP status, e.g. 400 or 404
	Code        string // API error code, one of the Code constants
	Description string // human-readable explanation
	RequestID   string // the X-Request-Id of the request, for support
}

// Error returns "paygate: <status> <code>: <description>".
func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.Status)
	}
	return fmt.Sprintf("paygate: %d %s: %s", e.Status, code, e.Description)
}

func newError(resp *http.Response, raw []byte) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Error *struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		e.Code, e.Description = body.Error.Code, body.Error.Description
		return e
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 200 {
		text = text[:200]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	e.Description = text
	return e
}

// AsError returns the *Error in err's chain, or nil if there is none (a network failure, a
// cancelled context).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorCode returns the API error code in err's chain ("" if err is not an API error).
func ErrorCode(err error) string {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether the API answered 404: the order, payment, refund or webhook
// delivery does not exist for this merchant.
func IsNotFound(err error) bool {
	e := AsError(err)
	return e != nil && e.Status == http.StatusNotFound
}

// IsBadRequest reports whether the API refused the request as invalid: a bad field, an invalid
// VPA or card, or an operation the object's state does not allow (400), a method the path does
// not take (405), or a body over 1 MiB (413). Repeating it unchanged fails the same way.
func IsBadRequest(err error) bool {
	e := AsError(err)
	return e != nil && (e.Status == http.StatusBadRequest || e.Status == http.StatusMethodNotAllowed || e.Status == http.StatusRequestEntityTooLarge)
}

// IsAuthentication reports whether the API refused the credentials (401 or 403).
func IsAuthentication(err error) bool {
	e := AsError(err)
	return e != nil && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.Code == CodeAuthentication)
}

// IsIdempotencyError reports whether the Idempotency-Key was refused: still in use by a
// concurrent request (409, retry later) or already used with a different request (422).
func IsIdempotencyError(err error) bool {
	return ErrorCode(err) == CodeIdempotency
}

// IsRetryable reports whether repeating the same request later may succeed: a rate limit, an
// idempotency key still being processed, or a server-side failure (5xx). It is false for
// failures that are not the API's answer (a network error, a cancelled context), which the
// caller judges: the request may or may not have reached the gateway. Repeat a create request
// with the same idempotency key, so it cannot take effect twice.
func IsRetryable(err error) bool {
	e := AsError(err)
	if e == nil {
		return false
	}
	return e.Status == http.StatusTooManyRequests || (e.Status == http.StatusConflict && e.Code == CodeIdempotency) || e.Status >= 500
}
