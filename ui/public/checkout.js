/*!
 * PayGate checkout.js — opens the hosted checkout in a modal on a merchant's page.
 *
 *   <script src="https://YOUR-GATEWAY/checkout.js"></script>
 *   new PaymentGateway({ orderId, key, onSuccess, onFailure, onClose }).open();
 *
 * `orderId` is required; `key` (the merchant's publishable key) is optional: the order
 * names its merchant, and a key, when given, must be that merchant's.
 *
 * Card and UPI details are entered inside an iframe served by the gateway, so
 * they never touch the merchant's page. Messages from the iframe are accepted
 * only from the gateway's origin and only from that iframe.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  // The gateway is wherever this script was loaded from.
  var GATEWAY_ORIGIN = script && script.src ? new URL(script.src).origin : null;
  var STYLE_ID = "payment-gateway-styles";
  var CSS =
    "#payment-gateway-modal{position:fixed;inset:0;z-index:2147483000}" +
    "#payment-gateway-modal .modal-overlay{position:absolute;inset:0;display:flex;align-items:flex-start;justify-content:center;padding:max(16px,8vh) 16px 16px;background:rgba(15,23,42,.55)}" +
    "#payment-gateway-modal .modal-content{position:relative;width:100%;max-width:440px;height:600px;max-height:100%;background:#fff;border-radius:14px;box-shadow:0 24px 64px rgba(15,23,42,.35);overflow:hidden;transition:height .15s ease-out}" +
    "#payment-gateway-modal iframe{width:100%;height:100%;border:0;display:block}" +
    "#payment-gateway-modal .close-button{position:absolute;top:10px;right:10px;width:32px;height:32px;border:0;border-radius:50%;background:#f1f5f9;color:#334155;font:20px/32px system-ui,sans-serif;cursor:pointer}" +
    "#payment-gateway-modal .close-button:hover{background:#e2e8f0}";

  function noop() {}

  function injectStyles() {
    if (document.getElementById(STYLE_ID)) return;
    var style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function element(tag, attributes) {
    var el = document.createElement(tag);
    for (var name in attributes) el.setAttribute(name, attributes[name]);
    return el;
  }

  function PaymentGateway(options) {
    if (!options || !options.orderId) {
      throw new Error("PaymentGateway: `orderId` is required");
    }
    this.options = options;
    this.modal = null;
    this.content = null;
    this.iframe = null;
    this.onMessage = this.onMessage.bind(this);
    this.onKeydown = this.onKeydown.bind(this);
  }

  PaymentGateway.prototype.open = function () {
    if (!GATEWAY_ORIGIN) {
      throw new Error("PaymentGateway: load checkout.js with a <script src> tag");
    }
    if (this.modal) return;
    injectStyles();

    var query =
      "order_id=" +
      encodeURIComponent(this.options.orderId) +
      (this.options.key ? "&key=" + encodeURIComponent(this.options.key) : "") +
      "&embedded=1" +
      "&parent_origin=" +
      encodeURIComponent(window.location.origin);

    var modal = element("div", { id: "payment-gateway-modal", "data-test-id": "payment-modal" });
    var overlay = element("div", { class: "modal-overlay" });
    var content = element("div", {
      class: "modal-content",
      role: "dialog",
      "aria-modal": "true",
      "aria-label": "Checkout",
    });
    var iframe = element("iframe", {
      "data-test-id": "payment-iframe",
      src: GATEWAY_ORIGIN + "/checkout?" + query,
      title: "Secure checkout",
    });
    var closeButton = element("button", {
      type: "button",
      class: "close-button",
      "data-test-id": "close-modal-button",
      "aria-label": "Close checkout",
    });
    closeButton.textContent = "\u00d7"; // escaped: the host page may not be UTF-8
    closeButton.addEventListener("click", this.close.bind(this));

    content.appendChild(iframe);
    content.appendChild(closeButton);
    overlay.appendChild(content);
    modal.appendChild(overlay);
    document.body.appendChild(modal);

    this.modal = modal;
    this.content = content;
    this.iframe = iframe;
    window.addEventListener("message", this.onMessage);
    document.addEventListener("keydown", this.onKeydown);
  };

  // Removes the modal; the person closed it, so onClose is called.
  PaymentGateway.prototype.close = function () {
    if (!this.modal) return;
    this.teardown();
    (this.options.onClose || noop)();
  };

  PaymentGateway.prototype.teardown = function () {
    window.removeEventListener("message", this.onMessage);
    document.removeEventListener("keydown", this.onKeydown);
    this.modal.remove();
    this.modal = null;
    this.content = null;
    this.iframe = null;
  };

  PaymentGateway.prototype.onKeydown = function (event) {
    if (event.key === "Escape") this.close();
  };

  PaymentGateway.prototype.onMessage = function (event) {
    if (!this.iframe || event.origin !== GATEWAY_ORIGIN || event.source !== this.iframe.contentWindow) return;
    var data = event.data;
    if (!data || typeof data.type !== "string") return;

    if (data.type === "payment_gateway:success") {
      this.teardown();
      (this.options.onSuccess || noop)({ paymentId: data.paymentId, orderId: data.orderId, signature: data.signature });
    } else if (data.type === "payment_gateway:failure") {
      // The modal stays open: the checkout offers the person a retry.
      (this.options.onFailure || noop)({ error: data.error, paymentId: data.paymentId, orderId: data.orderId });
    } else if (data.type === "payment_gateway:close") {
      this.close();
    } else if (data.type === "payment_gateway:resize") {
      // The checkout reports its height so the modal fits it (capped by the window, where the
      // iframe scrolls). The modal hangs from the top, so resizing never moves what is inside.
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height < 4000) {
        this.content.style.height = height + "px";
      }
    }
  };

  window.PaymentGateway = PaymentGateway;
})();
