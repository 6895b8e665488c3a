import type { DailyVolume } from "../api/types";
import { formatDay } from "../lib/dates";
import { formatCompactMoney, formatMoney } from "../lib/money";
import { niceScale } from "../lib/volume";

const WIDTH = 960;
const HEIGHT = 280;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };
const EMPTY_SCALE = { max: 4, ticks: [0, 1, 2, 3, 4] };
const MIN_BAR = 2; // a day with any volume stays visible next to a much bigger one

// Daily successful volume as bars; hover a bar for the exact amount. With no
// volume at all it keeps the empty grid and dates and says so instead.
export function VolumeChart({ days, currency }: { days: DailyVolume[]; currency: string }) {
  const empty = days.every((d) => d.amount <= 0);
  // An empty chart keeps four unlabelled gridlines so it does not jump when the first payment lands.
  const scale = empty ? EMPTY_SCALE : niceScale(Math.max(0, ...days.map((d) => d.amount)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const baseline = PAD.top + plotHeight;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(2, slot * 0.62);
  const y = (amount: number) => baseline - (amount / scale.max) * plotHeight;
  const labelEvery = Math.ceil(days.length / 6);

  return (
    <div className="chart-wrap" data-test-id="volume-chart">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Payment volume by day">
        {scale.ticks.map((value) => (
          <g key={value}>
            <line
              className={value === 0 ? "chart-baseline" : "chart-grid"}
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(value)}
              y2={y(value)}
            />
            {!empty && (
              <text className="chart-axis chart-y-label" x={PAD.left - 8} y={y(value)} textAnchor="end" dominantBaseline="middle">
                {formatCompactMoney(value, currency)}
              </text>
            )}
          </g>
        ))}
        {days.map((day, i) => {
          const x = PAD.left + slot * i + (slot - barWidth) / 2;
          const height = day.amount > 0 ? Math.max(MIN_BAR, baseline - y(day.amount)) : 0;
          return (
            <g key={day.date} className={day.amount > 0 ? "chart-bar" : undefined}>
              {!empty && (
                <title>{`${formatDay(day.date)}: ${formatMoney(day.amount, currency)} from ${day.count} payment${day.count === 1 ? "" : "s"}`}</title>
              )}
              {day.amount > 0 && (
                <>
                  <rect className="chart-hit" x={PAD.left + slot * i} y={PAD.top} width={slot} height={plotHeight} />
                  <rect className="chart-fill" x={x} y={baseline - height} width={barWidth} height={height} rx={2} />
                </>
              )}
              {(days.length - 1 - i) % labelEvery === 0 && (
                <text className="chart-axis" x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle">
                  {formatDay(day.date)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {empty && (
        <div className="chart-empty" data-test-id="volume-chart-empty">
          <p className="strong">No successful payments in the last {days.length} days</p>
          <p className="muted small">Volume shows up here as soon as a payment succeeds.</p>
        </div>
      )}
    </div>
  );
}
