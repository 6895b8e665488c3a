// Messages from the embedded checkout (inside checkout.js's iframe) to the
// merchant page: the outcome, a request to close, and the checkout's height so
// the modal can fit it. The outcome carries the payment signature, so messages
// are only ever sent to the exact origin checkout.js reported, never to "*".

export type ParentMessage =
  | { type: "payment_gateway:success"; paymentId: string; orderId: string; signature: string | null }
  | {
      type: "payment_gateway:failure";
      error: { code: string; description: string };
      paymentId: string | null;
      orderId: string;
    }
  | { type: "payment_gateway:close" }
  | { type: "payment_gateway:resize"; height: number };

// The parent_origin query parameter, if it is a well-formed origin such as "https://shop.example".
export function parseParentOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value ? value : null;
  } catch {
    return null;
  }
}

export function postToParent(parentOrigin: string, message: ParentMessage): void {
  if (window.parent !== window) window.parent.postMessage(message, parentOrigin);
}
