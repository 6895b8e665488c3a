import type { PaymentFilters as Filters } from "../api/types";
import { DateRangeFilter } from "./DateRangeFilter";

interface Props {
  filters: Filters;
  onChange: (filters: Filters) => void;
}

export function PaymentFilters({ filters, onChange }: Props) {
  const set = (patch: Filters) => onChange({ ...filters, ...patch });
  const active = Boolean(filters.status || filters.method || filters.capture_state || filters.from || filters.to);

  return (
    <div className="filters" role="group" aria-label="Filter payments">
      <label className="filter">
        <span>Status</span>
        <select
          className="input"
          value={filters.status ?? ""}
          onChange={(e) => set({ status: e.target.value as Filters["status"] })}
          data-test-id="status-filter"
        >
          <option value="">All</option>
          <option value="pending">Pending</option>
          <option value="success">Success</option>
          <option value="failed">Failed</option>
          <option value="refunded">Refunded</option>
          <option value="voided">Voided</option>
        </select>
      </label>
      <label className="filter">
        <span>Capture</span>
        <select
          className="input"
          value={filters.capture_state ?? ""}
          onChange={(e) => set({ capture_state: e.target.value as Filters["capture_state"] })}
          data-test-id="capture-filter"
        >
          <option value="">All</option>
          <option value="authorized">Authorized</option>
          <option value="captured">Captured</option>
          <option value="voided">Voided</option>
        </select>
      </label>
      <label className="filter">
        <span>Method</span>
        <select
          className="input"
          value={filters.method ?? ""}
          onChange={(e) => set({ method: e.target.value as Filters["method"] })}
          data-test-id="method-filter"
        >
          <option value="">All</option>
          <option value="upi">UPI</option>
          <option value="card">Card</option>
        </select>
      </label>
      <DateRangeFilter from={filters.from} to={filters.to} onChange={set} />
      {active && (
        <button type="button" className="link-button filter-clear" onClick={() => onChange({})}>
          Clear filters
        </button>
      )}
    </div>
  );
}
