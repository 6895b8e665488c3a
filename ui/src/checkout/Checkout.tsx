import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, errorMessage } from "../api/client";
import type { NewPayment, PaymentMethod, PublicOrder, PublicPayment } from "../api/types";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingBlock } from "../components/Spinner";
import { digitsOnly, parseExpiry, type CardFields } from "../lib/card";
import { formatMoney } from "../lib/money";
import { useResource } from "../lib/useResource";
import { CardForm } from "./CardForm";
import { ErrorState, ProcessingState, SuccessState } from "./CheckoutStates";
import { MethodPicker } from "./MethodPicker";
import { OrderSummary } from "./OrderSummary";
import { UpiForm } from "./UpiForm";

const POLL_MS = 2000;
const MAX_POLL_HICCUPS = 3; // consecutive network/5xx errors tolerated while polling

export type CheckoutOutcome =
  | { kind: "success"; payment: PublicPayment }
  | { kind: "failure"; code: string; description: string; paymentId: string | null };

type Phase = { kind: "form" } | { kind: "submitting" } | { kind: "processing"; paymentId: string } | CheckoutOutcome;

interface Props {
  orderId: string;
  apiKey?: string; // the merchant's publishable key, optional (the order names its merchant); never the secret
  onOutcome?: (outcome: CheckoutOutcome) => void;
}

const EMPTY_CARD: CardFields = { number: "", expiry: "", cvv: "", holderName: "" };

function newPayment(method: PaymentMethod, vpa: string, card: CardFields): NewPayment {
  if (method === "upi") return { method, vpa: vpa.trim() };
  const expiry = parseExpiry(card.expiry);
  return {
    method,
    card: {
      number: digitsOnly(card.number),
      expiry_month: String(expiry?.month ?? "").padStart(2, "0"),
      expiry_year: String(expiry?.year ?? ""),
      cvv: card.cvv,
      holder_name: card.holderName.trim(),
    },
  };
}

function failureFrom(error: unknown, paymentId: string | null): CheckoutOutcome {
  return {
    kind: "failure",
    code: error instanceof ApiError ? error.code : "PAYMENT_FAILED",
    description: errorMessage(error),
    paymentId,
  };
}

function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

// The payment form shared by the hosted checkout, the checkout.js iframe and
// the dashboard's test checkout: choose a method, pay, wait for the bank, see the result.
export function Checkout({ orderId, apiKey, onOutcome }: Props) {
  const order = useResource(`order:${orderId}:${apiKey ?? ""}`, (signal) => api.orders.getPublic(orderId, apiKey, signal));
  const [phase, setPhase] = useState<Phase>({ kind: "form" });
  const [method, setMethod] = useState<PaymentMethod | null>(null);
  const [vpa, setVpa] = useState("");
  const [card, setCard] = useState<CardFields>(EMPTY_CARD);

  const onOutcomeRef = useRef(onOutcome);
  onOutcomeRef.current = onOutcome;
  const finish = useCallback((outcome: CheckoutOutcome) => {
    setPhase(outcome);
    onOutcomeRef.current?.(outcome);
  }, []);

  const pay = async () => {
    if (!method) return;
    setPhase({ kind: "submitting" });
    try {
      const payment = await api.payments.createPublic(apiKey, orderId, newPayment(method, vpa, card));
      setPhase({ kind: "processing", paymentId: payment.id });
    } catch (error) {
      finish(failureFrom(error, null));
    }
  };

  const paymentId = phase.kind === "processing" ? phase.paymentId : null;
  useEffect(() => {
    if (!paymentId) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    let hiccups = 0;

    const poll = async () => {
      try {
        const payment = await api.payments.getPublic(paymentId, apiKey, controller.signal);
        hiccups = 0;
        if (payment.status === "success" || payment.status === "refunded") {
          finish({ kind: "success", payment });
          return;
        }
        if (payment.status === "failed") {
          finish({
            kind: "failure",
            code: payment.error_code ?? "PAYMENT_FAILED",
            description: payment.error_description ?? "The payment could not be completed.",
            paymentId: payment.id,
          });
          return;
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        if (!isTransient(error) || ++hiccups > MAX_POLL_HICCUPS) {
          finish(failureFrom(error, paymentId));
          return;
        }
      }
      timer = setTimeout(poll, POLL_MS);
    };

    timer = setTimeout(poll, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [paymentId, apiKey, finish]);

  const retry = () => {
    setCard((c) => ({ ...c, cvv: "" }));
    setPhase({ kind: "form" });
  };

  return (
    <div className="checkout" data-test-id="checkout-container">
      {order.loading && <LoadingBlock label="Loading order…" />}
      {order.error !== undefined && <ErrorNotice error={order.error} onRetry={order.reload} />}
      {order.data && (
        <>
          <OrderSummary order={order.data} />
          <div className="checkout-body">
            <CheckoutBody
              order={order.data}
              phase={phase}
              method={method}
              onMethod={setMethod}
              vpa={vpa}
              onVpa={setVpa}
              card={card}
              onCard={setCard}
              onPay={pay}
              onRetry={retry}
            />
          </div>
        </>
      )}
    </div>
  );
}

interface BodyProps {
  order: PublicOrder;
  phase: Phase;
  method: PaymentMethod | null;
  onMethod: (method: PaymentMethod) => void;
  vpa: string;
  onVpa: (vpa: string) => void;
  card: CardFields;
  onCard: (card: CardFields) => void;
  onPay: () => void;
  onRetry: () => void;
}

function CheckoutBody({ order, phase, method, onMethod, vpa, onVpa, card, onCard, onPay, onRetry }: BodyProps) {
  const amount = formatMoney(order.amount, order.currency);
  switch (phase.kind) {
    case "submitting":
    case "processing":
      return <ProcessingState />;
    case "success":
      return <SuccessState paymentId={phase.payment.id} amount={amount} />;
    case "failure":
      return <ErrorState message={phase.description} onRetry={onRetry} />;
    case "form":
      if (order.status === "paid") {
        return <p className="notice notice-success">This order has already been paid. Nothing more to do.</p>;
      }
      return (
        <div className="stack">
          <MethodPicker value={method} onChange={onMethod} />
          {method === "upi" && <UpiForm vpa={vpa} onChange={onVpa} onPay={onPay} payLabel={`Pay ${amount}`} />}
          {method === "card" && <CardForm fields={card} onChange={onCard} onPay={onPay} payLabel={`Pay ${amount}`} />}
        </div>
      );
  }
}
