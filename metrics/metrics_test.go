package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A handler's odd status and a client's odd method are labelled "other"; known ones keep their value.
func TestMiddlewareLabelsAreBounded(t *testing.T) {
	m := New(nil)
	defer m.Close()
	r := mux.NewRouter()
	r.Use(m.Middleware)
	r.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		switch mux.Vars(r)["code"] {
		case "499":
			w.WriteHeader(499)
		case "999":
			w.WriteHeader(999)
		case "299":
			w.WriteHeader(299)
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	})
	for _, c := range []struct{ method, path string }{
		{"GET", "/status/499"}, {"GET", "/status/999"}, {"GET", "/status/299"}, {"PATCH", "/status/418"},
		{"BREW", "/status/418"}, {strings.Repeat("X", 40_000), "/status/418"},
	} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`gateway_http_requests_total{method="GET",route="/status/{code}",status="499"} 1`,
		`gateway_http_requests_total{method="GET",route="/status/{code}",status="other"} 2`,
		`gateway_http_requests_total{method="PATCH",route="/status/{code}",status="418"} 1`,
		`gateway_http_requests_total{method="other",route="/status/{code}",status="418"} 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(string(body), "gateway_http_requests_total{"); n != 4 {
		t.Errorf("%d request series, want 4", n)
	}
}

// `gateway dev` watches its API and worker pools side by side: each is reported under its role.
func TestWatchPoolLabelsEachRole(t *testing.T) {
	m := New(nil)
	defer m.Close()
	for _, role := range []string{"api", "worker"} {
		pool, err := pgxpool.New(context.Background(), "postgres://127.0.0.1:1/gateway") // connects lazily: never here
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		m.WatchPool(role, pool)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`pgxpool_acquire_count{db_name="gateway",pool="api"} 0`,
		`pgxpool_acquire_count{db_name="gateway",pool="worker"} 0`,
		`pgxpool_max_conns{db_name="gateway",pool="worker"} `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
