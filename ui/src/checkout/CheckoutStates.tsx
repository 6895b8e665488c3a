import { Spinner } from "../components/Spinner";

export function ProcessingState() {
  return (
    <div className="checkout-state" data-test-id="processing-state" aria-live="polite">
      <span className="state-spinner">
        <Spinner label="Processing payment" />
      </span>
      <h2>Processing payment</h2>
      <p className="muted" data-test-id="processing-message">
        Confirming with your bank. This usually takes a few seconds — please keep this window open.
      </p>
    </div>
  );
}

export function SuccessState({ paymentId, amount }: { paymentId: string; amount: string }) {
  return (
    <div className="checkout-state" data-test-id="success-state" aria-live="polite">
      <span className="state-icon state-icon-success" aria-hidden="true">
        ✓
      </span>
      <h2>Payment successful</h2>
      <p className="muted" data-test-id="success-message">
        Your payment of {amount} was successful.
      </p>
      <p className="state-reference">
        Payment ID{" "}
        <span className="mono" data-test-id="payment-id">
          {paymentId}
        </span>
      </p>
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="checkout-state" data-test-id="error-state" aria-live="assertive">
      <span className="state-icon state-icon-error" aria-hidden="true">
        !
      </span>
      <h2>Payment failed</h2>
      <p className="muted" data-test-id="error-message">
        {message}
      </p>
      <button
        type="button"
        className="button button-primary button-large button-block"
        onClick={onRetry}
        data-test-id="retry-button"
      >
        Try again
      </button>
    </div>
  );
}
