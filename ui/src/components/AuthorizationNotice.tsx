import { useEffect, useState } from "react";
import type { Payment } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { countdown } from "../lib/countdown";

// "Authorized, capture by <date>" with the time left, for a successful, uncaptured payment whose
// authorization expires.
export function AuthorizationNotice({ payment }: { payment: Payment }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  if (!payment.capture_expires_at) return null;
  return (
    <div className="notice notice-info" data-test-id="authorization-notice">
      Authorized, capture by {formatDateTime(payment.capture_expires_at)}{" "}
      <span className="muted" data-test-id="capture-countdown">
        ({countdown(payment.capture_expires_at, now)})
      </span>
    </div>
  );
}
