package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/paygate/paygate/webhooks"
)

// runWebhooks is `gateway webhooks listen`: a local endpoint for developers that verifies and
// prints every delivery, and forwards it to the app they are building (like `stripe listen`).
func runWebhooks(ctx context.Context, log *slog.Logger) error {
	if len(os.Args) < 3 || os.Args[2] != "listen" {
		return errors.New("usage: gateway webhooks listen [--port 9000] [--forward-to URL] [--secret whsec_…] [--api URL --api-key KEY --api-secret SECRET]")
	}
	fs := flag.NewFlagSet("webhooks listen", flag.ContinueOnError)
	port := fs.Int("port", 9000, "port to listen on, on 127.0.0.1")
	forward := fs.String("forward-to", "", "URL to forward each delivery to, unchanged")
	secret := fs.String("secret", os.Getenv("WEBHOOK_SECRET"), "webhook secret to verify with")
	apiURL := fs.String("api", "http://127.0.0.1:8000", "gateway API, to point the merchant's webhooks here")
	apiKey := fs.String("api-key", os.Getenv("API_KEY"), "merchant API key (with --api-secret: configure the webhook URL and fetch the secret)")
	apiSecret := fs.String("api-secret", os.Getenv("API_SECRET"), "merchant API secret")
	if err := fs.Parse(os.Args[3:]); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s/webhooks", ln.Addr())
	if *apiKey != "" && *apiSecret != "" {
		if *secret, err = pointWebhooksAt(ctx, *apiURL, *apiKey, *apiSecret, url); err != nil {
			ln.Close()
			return err
		}
		fmt.Printf("Webhooks of %s now go to %s\n", *apiKey, url)
	}
	if *secret == "" {
		ln.Close()
		return errors.New("give --secret, or --api-key and --api-secret to fetch it")
	}
	fmt.Printf("Listening on %s; verifying with the webhook secret\n", url)
	l := &listener{secret: *secret, forwardTo: *forward, out: os.Stdout, client: &http.Client{Timeout: 10 * time.Second}}
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// pointWebhooksAt sets the merchant's webhook URL and returns its webhook secret.
func pointWebhooksAt(ctx context.Context, api, key, secret, url string) (string, error) {
	body, _ := json.Marshal(map[string]string{"webhook_url": url})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, api+"/api/v1/webhooks/config", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Api-Key", key)
	req.Header.Set("X-Api-Secret", secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var cfg struct {
		WebhookSecret string `json:"webhook_secret"`
		Error         struct{ Description string }
	}
	json.NewDecoder(resp.Body).Decode(&cfg)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("configure webhooks: %s %s", resp.Status, cfg.Error.Description)
	}
	return cfg.WebhookSecret, nil
}

// listener verifies, prints and forwards deliveries.
type listener struct {
	secret    string
	forwardTo string
	out       io.Writer
	client    *http.Client
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	var event struct {
		ID    string `json:"id"`
		Event string `json:"event"`
	}
	json.Unmarshal(body, &event)
	verdict := "verified"
	if err := webhooks.Verify(l.secret, body, r.Header, 0, time.Now()); err != nil {
		verdict = "NOT VERIFIED: " + err.Error()
	}
	status := http.StatusOK
	forwarded := ""
	if l.forwardTo != "" {
		status, forwarded = l.forward(r, body)
	}
	fmt.Fprintf(l.out, "%s  %-18s %s  %s%s\n", time.Now().Format("15:04:05"), event.Event, event.ID, verdict, forwarded)
	if verdict != "verified" && l.forwardTo == "" {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
}

// forward passes a delivery on with its headers and answers with the app's status.
func (l *listener) forward(r *http.Request, body []byte) (int, string) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, l.forwardTo, bytes.NewReader(body))
	if err != nil {
		return http.StatusBadGateway, "  → invalid --forward-to URL"
	}
	req.Header = r.Header.Clone()
	resp, err := l.client.Do(req)
	if err != nil {
		return http.StatusBadGateway, "  → " + err.Error()
	}
	resp.Body.Close()
	return resp.StatusCode, fmt.Sprintf("  → %s %d", l.forwardTo, resp.StatusCode)
}
