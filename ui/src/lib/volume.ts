import type { DailyVolume } from "../api/types";
import { isoDay } from "./dates";

// The stats endpoint may omit days without payments; the chart shows every one
// of the last `days` UTC days ending today, with zeros where nothing happened.
export function fillDays(volume: DailyVolume[], days: number, today: Date): DailyVolume[] {
  const byDate = new Map(volume.map((v) => [v.date, v]));
  const result: DailyVolume[] = [];
  for (let offset = days - 1; offset >= 0; offset--) {
    const date = isoDay(new Date(today.getTime() - offset * 86_400_000));
    result.push(byDate.get(date) ?? { date, count: 0, amount: 0 });
  }
  return result;
}

// Rounds an axis maximum up to 1, 2 or 5 × a power of ten (0 → 100 so an empty chart still has a scale).
export function niceCeiling(value: number): number {
  if (value <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}
