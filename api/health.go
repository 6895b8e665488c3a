package api

import (
	"context"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/resources"
)

// health reports whether PostgreSQL and Temporal answer; 503 names the part that does not.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := map[string]string{"status": "healthy", "database": "connected", "temporal": "connected", "timestamp": resources.Timestamp(s.now())}
	status := http.StatusOK
	if err := s.pool.Ping(ctx); err != nil {
		body["status"], body["database"], status = "unhealthy", "disconnected", http.StatusServiceUnavailable
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		body["status"], body["temporal"], status = "unhealthy", "disconnected", http.StatusServiceUnavailable
	}
	writeJSON(w, status, body)
	return nil
}
