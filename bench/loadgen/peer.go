package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The Node/Bull peer of issue 18 (MareeduManikanta123/payment_gateway_async, run by bench/peer.sh)
// takes the same order and payment requests and sends the same payment.success event, but:
//   - the merchant sets both the webhook URL and its secret with PUT /api/v1/webhooks, and the
//     answer masks the secret;
//   - a delivery is signed only with X-Webhook-Signature, hex HMAC-SHA256 of the raw body keyed
//     with the secret string (our legacy header, webhooks.VerifyLegacy);
//   - GET /api/v1/payments answers every payment of the merchant as a JSON array, without filters;
//   - it has no Temporal, and sends no payment.created or payment.pending webhooks.

// Names of the measured systems in the JSON lines.
const (
	systemPayGate = "paygate"
	systemPeer    = "peer"
)

func systemName(o options) string {
	if o.peer {
		return systemPeer
	}
	return systemPayGate
}

// configurePeer points the peer's merchant webhooks at the receiver (or, with on false, turns
// them off) with a secret of its own.
func (rc *receiver) configurePeer(ctx context.Context, a *api, on bool) error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	secret := "whsec_bench_" + hex.EncodeToString(b)
	target := rc.url
	if !on {
		target = ""
	}
	var cfg struct {
		WebhookURL *string `json:"webhook_url"`
	}
	if err := a.do(ctx, http.MethodPut, "/api/v1/webhooks", "", map[string]string{"webhook_url": target, "webhook_secret": secret}, &cfg); err != nil {
		return fmt.Errorf("configure the peer's webhooks: %w", err)
	}
	if on && (cfg.WebhookURL == nil || *cfg.WebhookURL != target) {
		return errors.New("configure the peer's webhooks: the answer does not echo the webhook_url")
	}
	rc.secret.Store(&secret)
	return nil
}

// peerPendingLeft counts the peer's pending payments in its list of all payments (-1 if unknown).
func peerPendingLeft(ctx context.Context, a *api) int64 {
	var all []struct{ Status string }
	if err := a.do(ctx, http.MethodGet, "/api/v1/payments", "", nil, &all); err != nil {
		return -1
	}
	var n int64
	for _, p := range all {
		if p.Status == "pending" {
			n++
		}
	}
	return n
}

// parseCPUGroup parses a -cpu-group value, name=pid[,pid...].
func parseCPUGroup(v string) (string, []int, error) {
	name, list, ok := strings.Cut(v, "=")
	if !ok || name == "" || list == "" {
		return "", nil, fmt.Errorf("-cpu-group %q: want name=pid[,pid...]", v)
	}
	switch name {
	case "host", "other", "loadgen":
		return "", nil, fmt.Errorf("-cpu-group: %q is a reserved group name", name)
	}
	var pids []int
	for _, f := range strings.Split(list, ",") {
		pid, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || pid <= 0 {
			return "", nil, fmt.Errorf("-cpu-group %q: %q is not a pid", v, f)
		}
		pids = append(pids, pid)
	}
	return name, pids, nil
}

// cpuGroupOrder lists the groups of a CPU split in the report's order: the measured system's
// processes, then loadgen, other and host.
func cpuGroupOrder(cpu map[string]CPU) []string {
	known := []string{"gateway", "api", "worker", "temporal", "redis", "postgres"}
	tail := []string{"loadgen", "other", "host"}
	var extra []string
	for k := range cpu {
		if !slices.Contains(known, k) && !slices.Contains(tail, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	var out []string
	for _, k := range slices.Concat(known, extra, tail) {
		if _, ok := cpu[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// systemCPU is the CPU the measured system's own processes used: every group but loadgen,
// other and host.
func systemCPU(cpu map[string]CPU) CPU {
	var c CPU
	for k, v := range cpu {
		switch k {
		case "loadgen", "other", "host":
			continue
		}
		c.Seconds += v.Seconds
		c.Percent += v.Percent
		c.PerItemMillis += v.PerItemMillis
	}
	return c
}
