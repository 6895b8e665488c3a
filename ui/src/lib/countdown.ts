// The time left until an ISO timestamp, coarsely: "4d 23h left", "5h 02m left", "42s left",
// or "expiring" once it has passed (the workflow voids it at that moment).
export function countdown(until: string, now: number): string {
  const ms = new Date(until).getTime() - now;
  if (Number.isNaN(ms)) return "";
  if (ms <= 0) return "expiring";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h left`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m left`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, "0")}s left`;
  return `${s}s left`;
}
