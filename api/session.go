package api

import (
	"errors"
	"net/http"
)

// session is the dashboard's session probe, GET /auth/session: 200 with the signed-in merchant,
// or 200 with "merchant": null when the request carries no valid credentials (no cookie, an
// expired or revoked session). Being signed out is an answer here, not an error, so a browser
// opening the dashboard logs no failed request; GET /auth/me keeps answering 401 for API clients.
func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	m, _, err := s.authenticatedMerchant(r)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		writeJSON(w, http.StatusOK, map[string]any{"merchant": nil})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.limitAPIKey(w, m.APIKey); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"merchant": viewMerchant(m)})
	return nil
}
