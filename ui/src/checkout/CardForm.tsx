import { useState, type FormEvent } from "react";
import { Field } from "../components/Field";
import {
  detectNetwork,
  formatCardNumber,
  formatExpiryInput,
  NETWORK_LABELS,
  validateCard,
  type CardFields,
} from "../lib/card";

interface Props {
  fields: CardFields;
  onChange: (fields: CardFields) => void;
  onPay: () => void;
  payLabel: string;
}

type Touched = Partial<Record<keyof CardFields, boolean>>;
const ALL_TOUCHED: Touched = { number: true, expiry: true, cvv: true, holderName: true };

export function CardForm({ fields, onChange, onPay, payLabel }: Props) {
  const [touched, setTouched] = useState<Touched>({});
  const errors = validateCard(fields, new Date());
  const network = detectNetwork(fields.number);
  const shown = (name: keyof CardFields) => (touched[name] ? errors[name] : undefined);
  const set = (patch: Partial<CardFields>) => onChange({ ...fields, ...patch });
  const blur = (name: keyof CardFields) => () => setTouched((t) => ({ ...t, [name]: true }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(ALL_TOUCHED);
    if (Object.keys(errors).length === 0) onPay();
  };

  return (
    <form className="stack" onSubmit={submit} noValidate data-test-id="card-form">
      <Field label="Card number" htmlFor="card-number" error={shown("number")}>
        <div className="input-with-badge">
          <input
            id="card-number"
            className="input mono"
            inputMode="numeric"
            autoComplete="cc-number"
            placeholder="1234 5678 9012 3456"
            value={fields.number}
            onChange={(e) => set({ number: formatCardNumber(e.target.value) })}
            onBlur={blur("number")}
            aria-invalid={Boolean(shown("number"))}
            data-test-id="card-number-input"
          />
          {network !== "unknown" && (
            <span className={`network network-${network}`} data-test-id="card-network" data-network={network}>
              {NETWORK_LABELS[network]}
            </span>
          )}
        </div>
      </Field>
      <div className="form-row">
        <Field label="Expiry" htmlFor="card-expiry" error={shown("expiry")}>
          <input
            id="card-expiry"
            className="input mono"
            inputMode="numeric"
            autoComplete="cc-exp"
            placeholder="MM/YY"
            value={fields.expiry}
            onChange={(e) => set({ expiry: formatExpiryInput(e.target.value) })}
            onBlur={blur("expiry")}
            aria-invalid={Boolean(shown("expiry"))}
            data-test-id="expiry-input"
          />
        </Field>
        <Field label="CVV" htmlFor="card-cvv" error={shown("cvv")}>
          <input
            id="card-cvv"
            className="input mono"
            type="password"
            inputMode="numeric"
            autoComplete="cc-csc"
            placeholder={network === "amex" ? "4 digits" : "3 digits"}
            maxLength={4}
            value={fields.cvv}
            onChange={(e) => set({ cvv: e.target.value.replace(/\D/g, "") })}
            onBlur={blur("cvv")}
            aria-invalid={Boolean(shown("cvv"))}
            data-test-id="cvv-input"
          />
        </Field>
      </div>
      <Field label="Name on card" htmlFor="card-name" error={shown("holderName")}>
        <input
          id="card-name"
          className="input"
          autoComplete="cc-name"
          placeholder="As printed on the card"
          value={fields.holderName}
          onChange={(e) => set({ holderName: e.target.value })}
          onBlur={blur("holderName")}
          aria-invalid={Boolean(shown("holderName"))}
          data-test-id="cardholder-name-input"
        />
      </Field>
      <button type="submit" className="button button-primary button-large button-block" data-test-id="pay-button">
        {payLabel}
      </button>
    </form>
  );
}
