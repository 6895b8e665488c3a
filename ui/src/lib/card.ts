// Card input helpers for the checkout form: network detection, Luhn check,
// as-you-type formatting and MM/YY expiry parsing.

export type CardNetwork = "visa" | "mastercard" | "amex" | "rupay" | "unknown";

export const NETWORK_LABELS: Record<CardNetwork, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  rupay: "RuPay",
  unknown: "Card",
};

export function digitsOnly(text: string): string {
  return text.replace(/\D/g, "");
}

export function detectNetwork(number: string): CardNetwork {
  const digits = digitsOnly(number);
  if (/^4/.test(digits)) return "visa";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^(60|65|81|82|508)/.test(digits)) return "rupay";
  if (/^5[1-5]/.test(digits)) return "mastercard";
  const firstFour = Number(digits.slice(0, 4));
  if (digits.length >= 4 && firstFour >= 2221 && firstFour <= 2720) return "mastercard";
  return "unknown";
}

export function passesLuhn(number: string): boolean {
  const digits = digitsOnly(number);
  if (digits.length === 0) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// Groups digits as the card shows them: 4-6-5 for Amex, blocks of four otherwise.
export function formatCardNumber(input: string): string {
  const digits = digitsOnly(input).slice(0, 19);
  const groups =
    detectNetwork(digits) === "amex"
      ? [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10, 15), digits.slice(15)]
      : (digits.match(/.{1,4}/g) ?? []);
  return groups.filter(Boolean).join(" ");
}

// Typing "1225" shows "12/25"; the slash appears once a third digit is typed
// so that deleting back over it works naturally.
export function formatExpiryInput(input: string): string {
  const digits = digitsOnly(input).slice(0, 4);
  return digits.length > 2 ? `${digits.slice(0, 2)}/${digits.slice(2)}` : digits;
}

export interface Expiry {
  month: number;
  year: number; // four digits
}

export function parseExpiry(text: string): Expiry | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const month = Number(match[1]);
  if (month < 1 || month > 12) return null;
  return { month, year: 2000 + Number(match[2]) };
}

// A card is valid through the last day of its expiry month.
export function isExpired(expiry: Expiry, now: Date): boolean {
  const year = now.getFullYear();
  const month = now.getMonth() + 1;
  return expiry.year < year || (expiry.year === year && expiry.month < month);
}

// 4 digits for Amex, 3 for the other known networks, either when the network is unknown.
export function isValidCvv(cvv: string, network: CardNetwork): boolean {
  if (network === "amex") return /^\d{4}$/.test(cvv);
  if (network === "unknown") return /^\d{3,4}$/.test(cvv);
  return /^\d{3}$/.test(cvv);
}

export interface CardFields {
  number: string;
  expiry: string;
  cvv: string;
  holderName: string;
}

export type CardErrors = Partial<Record<keyof CardFields, string>>;

export function validateCard(fields: CardFields, now: Date): CardErrors {
  const errors: CardErrors = {};
  const digits = digitsOnly(fields.number);
  if (digits.length < 13 || digits.length > 19) {
    errors.number = "Enter the 13–19 digit card number";
  } else if (!passesLuhn(digits)) {
    errors.number = "This card number is not valid";
  }
  const expiry = parseExpiry(fields.expiry);
  if (!expiry) {
    errors.expiry = "Enter expiry as MM/YY";
  } else if (isExpired(expiry, now)) {
    errors.expiry = "This card has expired";
  }
  const network = detectNetwork(digits);
  if (!isValidCvv(fields.cvv, network)) {
    errors.cvv =
      network === "amex" ? "Enter the 4-digit CVV" : network === "unknown" ? "Enter the CVV" : "Enter the 3-digit CVV";
  }
  if (fields.holderName.trim().length < 2) {
    errors.holderName = "Enter the name on the card";
  }
  return errors;
}
