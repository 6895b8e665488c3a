import type { DailyVolume } from "../api/types";
import { formatDay } from "../lib/dates";
import { formatCompactMoney, formatMoney } from "../lib/money";
import { niceCeiling } from "../lib/volume";

const WIDTH = 960;
const HEIGHT = 280;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };
const GRID_LINES = 4;

// Daily successful volume as bars; hover a bar for the exact amount.
export function VolumeChart({ days, currency }: { days: DailyVolume[]; currency: string }) {
  const max = niceCeiling(Math.max(0, ...days.map((d) => d.amount)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(2, slot * 0.62);
  const y = (amount: number) => PAD.top + plotHeight - (amount / max) * plotHeight;
  const labelEvery = Math.ceil(days.length / 6);

  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Payment volume by day">
      {Array.from({ length: GRID_LINES + 1 }, (_, i) => {
        const value = (max / GRID_LINES) * i;
        return (
          <g key={i}>
            <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(value)} y2={y(value)} />
            <text className="chart-axis" x={PAD.left - 8} y={y(value)} textAnchor="end" dominantBaseline="middle">
              {formatCompactMoney(value, currency)}
            </text>
          </g>
        );
      })}
      {days.map((day, i) => {
        const x = PAD.left + slot * i + (slot - barWidth) / 2;
        const top = y(day.amount);
        return (
          <g key={day.date} className="chart-bar">
            <title>{`${formatDay(day.date)}: ${formatMoney(day.amount, currency)} from ${day.count} payment${day.count === 1 ? "" : "s"}`}</title>
            <rect className="chart-hit" x={PAD.left + slot * i} y={PAD.top} width={slot} height={plotHeight} />
            <rect
              className="chart-fill"
              x={x}
              y={top}
              width={barWidth}
              height={Math.max(0, PAD.top + plotHeight - top)}
              rx={2}
            />
            {(days.length - 1 - i) % labelEvery === 0 && (
              <text className="chart-axis" x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle">
                {formatDay(day.date)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
