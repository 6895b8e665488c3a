// A From / To pair of UTC day filters (YYYY-MM-DD), each bounding the other.
export function DateRangeFilter({
  from,
  to,
  onChange,
  testIdPrefix,
}: {
  from?: string | null;
  to?: string | null;
  onChange: (change: { from?: string; to?: string }) => void;
  testIdPrefix?: string;
}) {
  return (
    <>
      <label className="filter">
        <span>From</span>
        <input
          className="input"
          type="date"
          value={from ?? ""}
          max={to || undefined}
          onChange={(e) => onChange({ from: e.target.value })}
          data-test-id={testIdPrefix && `${testIdPrefix}-from-filter`}
        />
      </label>
      <label className="filter">
        <span>To</span>
        <input
          className="input"
          type="date"
          value={to ?? ""}
          min={from || undefined}
          onChange={(e) => onChange({ to: e.target.value })}
          data-test-id={testIdPrefix && `${testIdPrefix}-to-filter`}
        />
      </label>
    </>
  );
}
