package api

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/clientip"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ratelimit"
)

// Dashboard sessions end after 30 minutes without a request, or 12 hours after login.
const (
	sessionCookie   = "gw_session"
	sessionIdle     = 30 * time.Minute
	sessionLifetime = 12 * time.Hour
)

type merchantKey struct{}

func merchantFrom(ctx context.Context) db.Merchant {
	return ctx.Value(merchantKey{}).(db.Merchant)
}

// authenticate lets a request through with a merchant in its context: by X-Api-Key and
// X-Api-Secret (merchants' servers), or by the dashboard's session cookie, in which case a
// state-changing request must come from the dashboard's own origin (CSRF).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		m, actor, err := s.authenticatedMerchant(r)
		if err != nil {
			return err
		}
		if err := s.limitAPIKey(w, m.APIKey); err != nil {
			return err
		}
		ctx := context.WithValue(context.WithValue(r.Context(), merchantKey{}, m), actorKey{}, actor)
		next.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// authenticatedMerchant returns the request's merchant and who acts for it (see actorFrom).
func (s *Server) authenticatedMerchant(r *http.Request) (db.Merchant, string, error) {
	key, secret := r.Header.Get("X-Api-Key"), r.Header.Get("X-Api-Secret")
	if key != "" || secret != "" {
		m, err := s.queries.GetMerchantByAPIKey(r.Context(), key)
		if errors.Is(err, pgx.ErrNoRows) {
			auth.SecretMatches(make([]byte, 32), secret) // same work as a known key
			return db.Merchant{}, "", errUnauthenticated
		}
		if err != nil {
			return db.Merchant{}, "", err
		}
		if !auth.SecretMatches(m.APISecretHash, secret) {
			return db.Merchant{}, "", errUnauthenticated
		}
		return m, "api_key:" + m.APIKey, nil
	}
	cookie, err := r.Cookie(sessionCookie)
	if err != nil {
		return db.Merchant{}, "", errUnauthenticated
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		return db.Merchant{}, "", &Error{http.StatusForbidden, CodeAuthentication, "Cross-origin request refused"}
	}
	id, err := s.queries.TouchSession(r.Context(), db.TouchSessionParams{
		TokenHash:   auth.HashSecret(cookie.Value),
		IdleSeconds: sessionIdle.Seconds(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Merchant{}, "", &Error{http.StatusUnauthorized, CodeAuthentication, "Session expired; log in again"}
	}
	if err != nil {
		return db.Merchant{}, "", err
	}
	m, err := s.queries.GetMerchant(r.Context(), id)
	if err != nil {
		return db.Merchant{}, "", err
	}
	if !m.IsActive {
		return db.Merchant{}, "", &Error{http.StatusUnauthorized, CodeAuthentication, "This merchant account is deactivated"}
	}
	return m, "dashboard:" + m.Email, nil
}

// sameOrigin reports whether the request's Origin header names this server.
func sameOrigin(r *http.Request) bool {
	origin, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && origin.Host != "" && origin.Host == r.Host
}

type merchantView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	APIKey    string `json:"apiKey"`
	APISecret string `json:"apiSecret,omitempty"`
}

func viewMerchant(m db.Merchant) merchantView {
	return merchantView{ID: m.ID.String(), Name: m.Name, Email: m.Email, APIKey: m.APIKey}
}

type registerRequest struct {
	Name            string `json:"name"`
	Email           string `json:"email"`
	Password        string `json:"password"`
	ConfirmPassword string `json:"confirmPassword"`
}

// credentialsRequest refuses, on login and register, what a page on another site can make a
// browser send: a request with another site's Origin (login CSRF: the victim's browser signed
// in to the attacker's account), and a body that is not JSON (a cross-site form or a fetch
// without a preflight can only send text/plain, form or multipart encodings). Requests without
// an Origin (servers, curl) pass.
func credentialsRequest(r *http.Request) error {
	if r.Header.Get("Origin") != "" && !sameOrigin(r) {
		return &Error{http.StatusForbidden, CodeAuthentication, "Cross-origin request refused"}
	}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		return &Error{http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "Content-Type must be application/json"}
	}
	return nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := credentialsRequest(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req registerRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	email, err := normaliseEmail(req.Email)
	switch {
	case req.Name == "" || len(req.Name) > 100:
		return badRequest("name is required (at most 100 characters)")
	case err != nil:
		return err
	case len(req.Password) < 8 || len(req.Password) > 72:
		return badRequest("password must be 8 to 72 characters long")
	case req.Password != req.ConfirmPassword:
		return badRequest("password and confirmPassword do not match")
	}
	// Hashing the password is what costs: the address pays for it from its budget.
	if _, wait := ratelimit.TakeAll(s.now(), ratelimit.Bucket{Limiter: s.abuse.registrations, Key: clientLimitKey(r)}); wait > 0 {
		return tooManyRequests(w, wait, "Too many registrations from this address; try again later")
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		return err
	}
	secret := auth.NewAPISecret()
	m, err := s.queries.CreateMerchant(r.Context(), db.CreateMerchantParams{
		ID:            uuid.New(),
		Name:          req.Name,
		Email:         email,
		PasswordHash:  hash,
		APIKey:        auth.NewAPIKey(),
		APISecretHash: auth.HashSecret(secret),
		WebhookSecret: auth.NewWebhookSecret(),
	})
	if uniqueViolation(err, "merchants_email_key") {
		return &Error{http.StatusConflict, CodeBadRequest, "A merchant with this email already exists"}
	}
	if err != nil {
		return err
	}
	view := viewMerchant(m)
	view.APISecret = secret // shown this once; only its hash is stored
	writeJSON(w, http.StatusCreated, map[string]any{"message": "Registration successful", "merchant": view})
	return nil
}

func normaliseEmail(raw string) (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(raw))
	if err != nil || addr.Name != "" || len(addr.Address) > 254 {
		return "", badRequest("email is not a valid address")
	}
	return strings.ToLower(addr.Address), nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := credentialsRequest(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req loginRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	tokens, err := s.takeLoginTokens(w, r, email)
	if err != nil {
		return err
	}
	m, err := s.queries.GetMerchantByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		tokens.GiveBack(s.now()) // nothing was checked
		return err
	}
	if !auth.PasswordMatches(m.PasswordHash, req.Password) || !m.IsActive {
		var known *uuid.UUID
		if m.ID != uuid.Nil {
			known = &m.ID
		}
		if err := audit(r.Context(), s.queries, r, known, "dashboard:"+truncate(email, 254), auditLoginFailed, "", nil); err != nil {
			return err
		}
		return &Error{http.StatusUnauthorized, CodeAuthentication, "Invalid email or password"}
	}
	tokens.GiveBack(s.now()) // successful logins do not count
	if err := audit(r.Context(), s.queries, r, &m.ID, "dashboard:"+m.Email, auditLogin, "", nil); err != nil {
		return err
	}
	token := auth.NewSessionToken()
	if err := s.queries.CreateSession(r.Context(), db.CreateSessionParams{
		TokenHash:  auth.HashSecret(token),
		MerchantID: m.ID,
		ExpiresAt:  s.now().Add(sessionLifetime),
	}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int(sessionLifetime.Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, map[string]any{"message": "Login successful", "merchant": viewMerchant(m)})
	return nil
}

// limitAPIKey answers 429 with Retry-After once a merchant exceeds its request budget.
func (s *Server) limitAPIKey(w http.ResponseWriter, key string) error {
	if s.byAPIKey == nil {
		return nil
	}
	if ok, wait := s.byAPIKey.Allow(key, s.now()); !ok {
		return tooManyRequests(w, wait, "Too many requests; slow down and retry after the time in Retry-After")
	}
	return nil
}

// takeLoginTokens takes a token for a login attempt before its password is checked, so that
// concurrent guesses cannot all be checked: from the bucket of the (email, client address) pair
// (5, then one every 12 s), of the email from every address (20, then one every 6 s: twice the
// pair's rate, so one address alone cannot drain it and lock the real user out everywhere), and
// of the address for every email (20, then one every 3 s). With any of them empty it takes
// nothing and answers 429 with Retry-After. The caller gives the tokens back when the password
// matches: only failures count.
func (s *Server) takeLoginTokens(w http.ResponseWriter, r *http.Request, email string) (ratelimit.Tokens, error) {
	address := clientLimitKey(r)
	tokens, wait := ratelimit.TakeAll(s.now(),
		ratelimit.Bucket{Limiter: s.abuse.loginsByAccount, Key: email + " " + address},
		ratelimit.Bucket{Limiter: s.loginsByEmail, Key: email},
		ratelimit.Bucket{Limiter: s.loginsByAddress, Key: address})
	if wait > 0 {
		return nil, tooManyRequests(w, wait, "Too many failed login attempts; try again later")
	}
	return tokens, nil
}

// abuseLimiters are the budgets of what clients without an API secret can make the gateway do
// (config.AbuseLimits; nil: unlimited), besides the per-email and per-address login budgets.
type abuseLimiters struct {
	loginsByAccount                                  *ratelimit.Limiter // (email, client address)
	registrations                                    *ratelimit.Limiter // per client address
	publicPayments, publicPaymentsByKey, publicReads *ratelimit.Limiter // per client address; per publishable key
}

func newAbuseLimiters(l config.AbuseLimits) abuseLimiters {
	return abuseLimiters{
		loginsByAccount:     ratelimit.New(1.0/12, 5),
		registrations:       ratelimit.Per(l.Registrations, time.Hour, l.RegistrationsBurst),
		publicPayments:      ratelimit.Per(l.PublicPayments, time.Minute, l.PublicPaymentsBurst),
		publicPaymentsByKey: ratelimit.Per(l.PublicPaymentsPerKey, time.Minute, l.PublicPaymentsPerKeyBurst),
		publicReads:         ratelimit.Per(l.PublicReads, time.Minute, l.PublicReadsBurst),
	}
}

// tooManyRequests is a 429 RATE_LIMIT_ERROR whose Retry-After says when to come back.
func tooManyRequests(w http.ResponseWriter, wait time.Duration, description string) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return &Error{http.StatusTooManyRequests, CodeRateLimit, description}
}

type clientAddressKey struct{}

// withClientAddress resolves each request's client address once (TRUSTED_PROXIES, see package
// clientip), for the rate limits and the audit log.
func (s *Server) withClientAddress(next http.Handler) http.Handler {
	resolver := clientip.Resolver{Trusted: s.cfg.TrustedProxies}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientAddressKey{}, resolver.Address(r))))
	})
}

// clientAddress is the request's client address, as withClientAddress resolved it.
func clientAddress(r *http.Request) string {
	if addr := requestAddress(r); addr.IsValid() {
		return addr.String()
	}
	return r.RemoteAddr
}

// clientLimitKey is what per-address rate limits count the request's client as (an IPv6
// client's whole /64).
func clientLimitKey(r *http.Request) string {
	if addr := requestAddress(r); addr.IsValid() {
		return clientip.LimitKey(addr)
	}
	return r.RemoteAddr
}

func requestAddress(r *http.Request) netip.Addr {
	if addr, ok := r.Context().Value(clientAddressKey{}).(netip.Addr); ok {
		return addr
	}
	return clientip.Resolver{}.Address(r) // not through withClientAddress: the peer
}

// limitAddress refuses a request with 429 once its client address has used up limiter's
// budget; nil is no limit.
func (s *Server) limitAddress(limiter *ratelimit.Limiter, next func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if limiter == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		if ok, wait := limiter.Allow(clientLimitKey(r), s.now()); !ok {
			return tooManyRequests(w, wait, "Too many requests from this address; slow down and retry after the time in Retry-After")
		}
		return next(w, r)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if cookie, err := r.Cookie(sessionCookie); err == nil {
		id, err := s.queries.RevokeSession(r.Context(), auth.HashSecret(cookie.Value))
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err == nil {
			m, err := s.queries.GetMerchant(r.Context(), id)
			if err != nil {
				return err
			}
			if err := audit(r.Context(), s.queries, r, &id, "dashboard:"+m.Email, auditLogout, "", nil); err != nil {
				return err
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"merchant": viewMerchant(merchantFrom(r.Context()))})
	return nil
}

// rollSecret replaces the API secret; the new one is shown this once.
func (s *Server) rollSecret(w http.ResponseWriter, r *http.Request) error {
	secret := auth.NewAPISecret()
	m, err := s.queries.SetAPISecret(r.Context(), db.SetAPISecretParams{
		ID:            merchantFrom(r.Context()).ID,
		APISecretHash: auth.HashSecret(secret),
	})
	if err != nil {
		return err
	}
	if err := s.auditMerchant(r, s.queries, auditAPISecretRolled, m.APIKey, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"apiKey": m.APIKey, "apiSecret": secret})
	return nil
}

func (s *Server) testMerchant(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queries.GetMerchant(r.Context(), auth.TestMerchantID)
	if errors.Is(err, pgx.ErrNoRows) {
		writeJSON(w, http.StatusOK, map[string]any{"seeded": false})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": m.ID.String(), "email": m.Email, "api_key": m.APIKey, "seeded": true})
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Server) publicConfig(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"temporal_ui_url": s.cfg.TemporalUIURL, "namespace": s.cfg.TemporalNamespace})
	return nil
}
