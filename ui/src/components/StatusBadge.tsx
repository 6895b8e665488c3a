const TONES: Record<string, string> = {
  success: "success",
  processed: "success",
  paid: "success",
  failed: "danger",
  pending: "warning",
  created: "info",
  refunded: "neutral",
  voided: "neutral",
  enabled: "success",
  disabled: "danger",
};

// The status word exactly as the API sends it, coloured by what it means.
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${TONES[status] ?? "neutral"}`} data-test-id={testId}>
      {status}
    </span>
  );
}
