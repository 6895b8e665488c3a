import { useState, type FormEvent } from "react";
import { Field } from "../components/Field";
import { isValidVpa } from "../lib/vpa";

interface Props {
  vpa: string;
  onChange: (vpa: string) => void;
  onPay: () => void;
  payLabel: string;
}

export function UpiForm({ vpa, onChange, onPay, payLabel }: Props) {
  const [touched, setTouched] = useState(false);
  const error = isValidVpa(vpa) ? undefined : "Enter a UPI ID like name@bank";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!error) onPay();
  };

  return (
    <form className="stack" onSubmit={submit} noValidate data-test-id="upi-form">
      <Field
        label="UPI ID"
        htmlFor="vpa"
        error={touched ? error : undefined}
        hint="A payment request is sent to your UPI app."
      >
        <input
          id="vpa"
          className="input"
          placeholder="yourname@bank"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={vpa}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => setTouched(true)}
          aria-invalid={touched && Boolean(error)}
          data-test-id="vpa-input"
        />
      </Field>
      <button type="submit" className="button button-primary button-large button-block" data-test-id="pay-button">
        {payLabel}
      </button>
    </form>
  );
}
