import type { Payment } from "../api/types";

// "user@paytm" for UPI, "visa •••• 1111" for cards.
export function paymentInstrument(payment: Payment): string {
  if (payment.method === "upi") return payment.vpa ?? "";
  return [payment.card_network, payment.card_last4 && `•••• ${payment.card_last4}`].filter(Boolean).join(" ");
}
