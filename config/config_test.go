package config

import (
	"testing"
	"time"
)

func TestWebhookRetryIntervals(t *testing.T) {
	t.Setenv("WEBHOOK_RETRY_INTERVALS_TEST", "")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	if len(c.Webhooks.RetryIntervals) != 4 || c.Webhooks.RetryIntervals[0] != want[0] || c.Webhooks.RetryIntervals[3] != want[3] {
		t.Errorf("default intervals %v", c.Webhooks.RetryIntervals)
	}
	t.Setenv("WEBHOOK_RETRY_INTERVALS_TEST", "true")
	c, _ = FromEnv()
	if got := c.Webhooks.RetryIntervals; len(got) != 4 || got[0] != 5*time.Second || got[1] != 10*time.Second || got[2] != 15*time.Second || got[3] != 20*time.Second {
		t.Errorf("test intervals %v", got)
	}
}

func TestRejectsUnparsableValues(t *testing.T) {
	for name, value := range map[string]string{"PORT": "eighty", "TEST_MODE": "maybe", "TEST_PROCESSING_DELAY": "-5",
		"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal", "ORDER_FAILED_PAYMENT_LIMIT": "-1", "DEV_TEMPORAL_RETENTION": "7"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := FromEnv(); err == nil {
				t.Errorf("%s=%s accepted", name, value)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	for _, name := range []string{"PORT", "BIND_ADDRESS", "TEMPORAL_TASK_QUEUE", "TEST_PROCESSING_DELAY", "TEST_PAYMENT_SUCCESS", "TEST_API_KEY"} {
		t.Setenv(name, "") // empty means unset
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8000 || c.BindAddress != "127.0.0.1" || c.TaskQueue != "payments" || c.Bank.ProcessingDelay != time.Second ||
		!c.Bank.PaymentSuccess || c.TestMerchant.APIKey != "key_test_abc123" {
		t.Errorf("defaults %+v", c)
	}
}

func TestDevTemporalRetention(t *testing.T) {
	t.Setenv("DEV_TEMPORAL_RETENTION", "")
	if c, err := FromEnv(); err != nil || c.DevTemporalRetention != 0 {
		t.Errorf("unset: %s, %v; want 0 (devtemporal's default of 7 days)", c.DevTemporalRetention, err)
	}
	t.Setenv("DEV_TEMPORAL_RETENTION", "90s")
	if c, err := FromEnv(); err != nil || c.DevTemporalRetention != 90*time.Second {
		t.Errorf("90s: %s, %v", c.DevTemporalRetention, err)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.0/8" || c.TrustedProxies[1].String() != "192.0.2.7/32" {
		t.Errorf("TrustedProxies = %v", c.TrustedProxies)
	}
}
