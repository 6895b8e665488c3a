import { CopyButton } from "./CopyButton";

// A newly issued secret, shown this one time only.
export function SecretReveal({ label, secret }: { label: string; secret: string }) {
  return (
    <div className="secret-reveal">
      <p className="notice notice-warning">
        Copy this secret now and keep it somewhere safe. For your security it will not be shown again.
      </p>
      <div className="field-label">{label}</div>
      <div className="secret-row">
        <code className="mono secret-value" data-test-id="new-secret">
          {secret}
        </code>
        <CopyButton value={secret} />
      </div>
    </div>
  );
}
