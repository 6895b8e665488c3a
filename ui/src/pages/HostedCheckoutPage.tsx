import { useEffect, useRef } from "react";
import { useSearchParams } from "react-router-dom";
import { Brand } from "../components/Brand";
import { parseParentOrigin, postToParent } from "../checkout/bridge";
import { Checkout, type CheckoutOutcome } from "../checkout/Checkout";

// /checkout?order_id=…[&key=…]  — public, no session. The order names its merchant; the
// publishable key is optional and, when given, checked against the order's merchant. With
// &embedded=1 it runs inside checkout.js's iframe and reports the outcome to the merchant's page.
export function HostedCheckoutPage() {
  const [params] = useSearchParams();
  const orderId = params.get("order_id");
  const key = params.get("key") || undefined;
  const embedded = params.get("embedded") === "1";
  const parentOrigin = embedded ? parseParentOrigin(params.get("parent_origin")) : null;
  const frame = useRef<HTMLDivElement>(null);

  // Inside checkout.js, tell the modal how tall the checkout is whenever that changes.
  useEffect(() => {
    const element = frame.current;
    if (!parentOrigin || !element) return;
    const observer = new ResizeObserver(() =>
      postToParent(parentOrigin, { type: "payment_gateway:resize", height: element.offsetHeight }),
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [parentOrigin]);

  const report = (outcome: CheckoutOutcome) => {
    if (!parentOrigin || !orderId) return;
    if (outcome.kind === "success") {
      postToParent(parentOrigin, {
        type: "payment_gateway:success",
        paymentId: outcome.payment.id,
        orderId,
        signature: outcome.payment.signature ?? null,
      });
    } else {
      postToParent(parentOrigin, {
        type: "payment_gateway:failure",
        error: { code: outcome.code, description: outcome.description },
        paymentId: outcome.paymentId,
        orderId,
      });
    }
  };

  return (
    <div className={embedded ? "checkout-page embedded" : "checkout-page"}>
      <div className="checkout-frame" ref={frame}>
        {orderId ? (
          <Checkout orderId={orderId} apiKey={key} onOutcome={report} />
        ) : (
          <div className="checkout" data-test-id="checkout-container">
            <p className="notice notice-error" role="alert">
              This payment link is incomplete: it needs an order_id. Please ask the merchant for a new link.
            </p>
          </div>
        )}
        <footer className="checkout-footer">
          <span className="secured">
            <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
              <path d="M6 10V8a6 6 0 0 1 12 0v2M5 10h14v11H5z" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            Secured by
          </span>
          <Brand />
          {parentOrigin && (
            <button
              type="button"
              className="link-button"
              onClick={() => postToParent(parentOrigin, { type: "payment_gateway:close" })}
              data-test-id="cancel-button"
            >
              Cancel
            </button>
          )}
        </footer>
      </div>
    </div>
  );
}
