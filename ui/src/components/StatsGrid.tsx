import type { Stats } from "../api/types";
import { formatMoney, formatPercent } from "../lib/money";

export function StatsGrid({ stats }: { stats: Stats }) {
  return (
    <div className="stats-grid" data-test-id="stats-container">
      <div className="stat">
        <span className="stat-label">Total transactions</span>
        <span className="stat-value" data-test-id="total-transactions">
          {stats.total_transactions.toLocaleString("en-IN")}
        </span>
        <span className="stat-note">{stats.successful_transactions.toLocaleString("en-IN")} succeeded</span>
      </div>
      <div className="stat">
        <span className="stat-label">Total volume</span>
        <span className="stat-value" data-test-id="total-amount">
          {formatMoney(stats.total_amount, stats.currency)}
        </span>
        <span className="stat-note">Successful payments</span>
      </div>
      <div className="stat">
        <span className="stat-label">Success rate</span>
        <span className="stat-value" data-test-id="success-rate">
          {formatPercent(stats.success_rate)}
        </span>
        <span className="stat-note">Of all payment attempts</span>
      </div>
      <div className="stat">
        <span className="stat-label">Refunded</span>
        <span className="stat-value" data-test-id="refunded-amount">
          {formatMoney(stats.refunded_amount, stats.currency)}
        </span>
        <span className="stat-note">Across all refunds</span>
      </div>
    </div>
  );
}
