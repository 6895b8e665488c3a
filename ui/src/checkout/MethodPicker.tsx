import type { PaymentMethod } from "../api/types";

const METHODS: Array<{ method: PaymentMethod; title: string; detail: string; icon: string }> = [
  { method: "upi", title: "UPI", detail: "Pay with any UPI app", icon: "M13 3 6 14h5l-1 7 7-11h-5z" },
  { method: "card", title: "Card", detail: "Debit or credit card", icon: "M3 6h18v12H3zM3 10h18M7 15h3" },
];

export function MethodPicker({
  value,
  onChange,
}: {
  value: PaymentMethod | null;
  onChange: (method: PaymentMethod) => void;
}) {
  return (
    <div className="methods" role="radiogroup" aria-label="Payment method" data-test-id="payment-methods">
      {METHODS.map(({ method, title, detail, icon }) => (
        <button
          key={method}
          type="button"
          role="radio"
          aria-checked={value === method}
          className={`method-option ${value === method ? "selected" : ""}`}
          onClick={() => onChange(method)}
          data-test-id={`method-${method}`}
        >
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d={icon} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
          </svg>
          <span className="method-text">
            <strong>{title}</strong>
            <span>{detail}</span>
          </span>
        </button>
      ))}
    </div>
  );
}
