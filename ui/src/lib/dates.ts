const dateTime = new Intl.DateTimeFormat("en-IN", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

// "2026-11-25T08:30:00Z" → "25 Nov 2026, 2:00 pm" in the viewer's time zone.
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// "2026-11-25" → "25 Nov" (a calendar day, no time zone shift).
export function formatDay(day: string): string {
  const [, month, date] = day.split("-").map(Number);
  return `${date} ${MONTHS[(month ?? 1) - 1]}`;
}

// The UTC calendar day of a Date as YYYY-MM-DD.
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
