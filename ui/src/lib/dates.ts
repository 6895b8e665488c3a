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

// An ISO 8601 instant as the value of an <input type="datetime-local"> (the viewer's time zone,
// to the minute): "2026-11-25T08:30:00Z" → "2026-11-25T14:00" in India.
export function localInputValue(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// The instant an <input type="datetime-local"> value names in the viewer's time zone, as ISO 8601
// UTC; undefined when it is empty or not a time.
export function instantOfLocalInput(value: string): string | undefined {
  if (value === "") return undefined;
  const date = new Date(value); // a date-time without a zone is local time
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
