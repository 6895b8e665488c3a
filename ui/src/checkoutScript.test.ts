// Runs public/checkout.js against a minimal stand-in for the DOM it uses.
import { beforeEach, describe, expect, it, vi } from "vitest";
import source from "../public/checkout.js?raw";

type Listener = (event: Record<string, unknown>) => void;

class FakeEventTarget {
  listeners = new Map<string, Set<Listener>>();
  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  dispatch(type: string, event: Record<string, unknown>) {
    this.listeners.get(type)?.forEach((listener) => listener(event));
  }
}

class FakeElement extends FakeEventTarget {
  attributes: Record<string, string> = {};
  children: FakeElement[] = [];
  parent: FakeElement | undefined;
  id = "";
  textContent = "";
  style: Record<string, string> = {};
  readonly contentWindow = {};
  constructor(readonly tag: string) {
    super();
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
    if (name === "id") this.id = value;
  }
  appendChild(child: FakeElement) {
    child.parent = this;
    this.children.push(child);
  }
  remove() {
    this.parent?.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = undefined;
  }
  find(testId: string): FakeElement | undefined {
    if (this.attributes["data-test-id"] === testId) return this;
    for (const child of this.children) {
      const found = child.find(testId);
      if (found) return found;
    }
    return undefined;
  }
}

const GATEWAY = "https://pay.example";
const SHOP = "https://shop.example";

interface Gateway {
  open(): void;
}
type GatewayClass = new (options: Record<string, unknown>) => Gateway;

function loadScript(scriptSrc: string | null) {
  const head = new FakeElement("head");
  const body = new FakeElement("body");
  const document = Object.assign(new FakeEventTarget(), {
    currentScript: scriptSrc ? { src: scriptSrc } : null,
    head,
    body,
    createElement: (tag: string) => new FakeElement(tag),
    getElementById: (id: string) => head.children.find((el) => el.id === id) ?? null,
  });
  const window = Object.assign(new FakeEventTarget(), {
    location: { origin: SHOP },
    PaymentGateway: undefined as unknown as GatewayClass,
  });
  new Function("window", "document", source)(window, document);
  return { window, document, head, body, PaymentGateway: window.PaymentGateway };
}

describe("checkout.js", () => {
  let env: ReturnType<typeof loadScript>;
  const callbacks = { onSuccess: vi.fn(), onFailure: vi.fn(), onClose: vi.fn() };

  const open = () => {
    const gateway = new env.PaymentGateway({ key: "key_1", orderId: "order_1", ...callbacks });
    gateway.open();
    const modal = env.body.find("payment-modal");
    const iframe = env.body.find("payment-iframe");
    if (!modal || !iframe) throw new Error("modal not rendered");
    return { modal, iframe };
  };
  const post = (origin: string, source: unknown, data: unknown) =>
    env.window.dispatch("message", { origin, source, data });

  beforeEach(() => {
    env = loadScript(`${GATEWAY}/sdk/payment-gateway.js`);
    Object.values(callbacks).forEach((fn) => fn.mockReset());
  });

  it("opens the gateway's checkout in an iframe with the merchant's origin", () => {
    const { iframe } = open();
    expect(iframe.attributes.src).toBe(
      `${GATEWAY}/checkout?order_id=order_1&key=key_1&embedded=1&parent_origin=${encodeURIComponent(SHOP)}`,
    );
    expect(env.body.find("close-modal-button")).toBeDefined();
    open();
    expect(env.head.children).toHaveLength(1); // styles injected once
  });

  it("opens without a key: the order names its merchant", () => {
    new env.PaymentGateway({ orderId: "order_1" }).open();
    expect(env.body.find("payment-iframe")?.attributes.src).toBe(
      `${GATEWAY}/checkout?order_id=order_1&embedded=1&parent_origin=${encodeURIComponent(SHOP)}`,
    );
    expect(() => new env.PaymentGateway({ key: "key_1" })).toThrow(/orderId/);
  });

  it("ignores messages from another origin or another window", () => {
    const { iframe } = open();
    const success = { type: "payment_gateway:success", paymentId: "pay_1", orderId: "order_1", signature: "sig" };
    post(SHOP, iframe.contentWindow, success);
    post("https://evil.example", iframe.contentWindow, success);
    post(GATEWAY, {}, success);
    expect(callbacks.onSuccess).not.toHaveBeenCalled();
    expect(env.body.find("payment-modal")).toBeDefined();
  });

  it("calls onSuccess and removes the modal for a message from its iframe", () => {
    const { iframe } = open();
    post(GATEWAY, iframe.contentWindow, {
      type: "payment_gateway:success",
      paymentId: "pay_1",
      orderId: "order_1",
      signature: "sig",
    });
    expect(callbacks.onSuccess).toHaveBeenCalledWith({ paymentId: "pay_1", orderId: "order_1", signature: "sig" });
    expect(env.body.find("payment-modal")).toBeUndefined();
    expect(env.window.listeners.get("message")?.size).toBe(0);
    expect(callbacks.onClose).not.toHaveBeenCalled();
  });

  it("reports failures and keeps the modal open for a retry", () => {
    const { iframe } = open();
    const error = { code: "PAYMENT_FAILED", description: "Card declined" };
    post(GATEWAY, iframe.contentWindow, {
      type: "payment_gateway:failure",
      error,
      paymentId: "pay_2",
      orderId: "order_1",
    });
    expect(callbacks.onFailure).toHaveBeenCalledWith({ error, paymentId: "pay_2", orderId: "order_1" });
    expect(env.body.find("payment-modal")).toBeDefined();
  });

  it("closes on the close button, Escape, or a close message", () => {
    open().modal.find("close-modal-button")?.dispatch("click", {});
    expect(callbacks.onClose).toHaveBeenCalledTimes(1);
    expect(env.body.children).toHaveLength(0);

    open();
    env.document.dispatch("keydown", { key: "Escape" });
    expect(callbacks.onClose).toHaveBeenCalledTimes(2);

    const { iframe } = open();
    post(GATEWAY, iframe.contentWindow, { type: "payment_gateway:close" });
    expect(callbacks.onClose).toHaveBeenCalledTimes(3);
    expect(env.body.children).toHaveLength(0);
  });

  it("fits the modal to the height the checkout reports", () => {
    const { modal, iframe } = open();
    const content = modal.children[0]?.children[0];
    post(GATEWAY, iframe.contentWindow, { type: "payment_gateway:resize", height: 512.4 });
    expect(content?.style.height).toBe("513px");
    for (const height of [0, -5, "tall", Number.NaN, 1e9]) {
      post(GATEWAY, iframe.contentWindow, { type: "payment_gateway:resize", height });
    }
    post(SHOP, iframe.contentWindow, { type: "payment_gateway:resize", height: 100 });
    expect(content?.style.height).toBe("513px");
  });

  it("refuses to open when its own origin is unknown", () => {
    env = loadScript(null);
    expect(() => new env.PaymentGateway({ key: "key_1", orderId: "order_1" }).open()).toThrow(/script src/);
  });
});
