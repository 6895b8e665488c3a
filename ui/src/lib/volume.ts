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

export interface Scale {
  max: number; // the top of the axis: the last tick
  ticks: number[]; // 0, step, 2 × step, … max
}

// A y-axis for amounts in minor units: 2–5 ticks spaced 1, 2 or 5 × a power of ten,
// never closer than `minStep` (₹1 by default) so that whole-rupee labels never repeat.
// An empty or all-zero series still gets a scale (0 and minStep) to draw gridlines on.
export function niceScale(maxValue: number, target = 4, minStep = 100): Scale {
  const value = Number.isFinite(maxValue) && maxValue > 0 ? maxValue : 0;
  const rough = value / target;
  let step = minStep;
  if (rough > minStep) {
    const power = 10 ** Math.floor(Math.log10(rough));
    step = ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  }
  const intervals = Math.max(1, Math.ceil(value / step));
  const ticks = Array.from({ length: intervals + 1 }, (_, i) => i * step);
  return { max: intervals * step, ticks };
}
