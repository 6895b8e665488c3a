// Amounts travel as integers in minor units (paise for INR): 50000 → ₹500.00.
// Formatting is done by hand so the output is the same in every browser and in Node.

const SYMBOLS: Record<string, string> = { INR: "₹" };

function symbolFor(currency: string): string {
  return SYMBOLS[currency] ?? `${currency} `;
}

// Indian digit grouping: 1234567 → "12,34,567".
function groupIndian(whole: string): string {
  if (whole.length <= 3) return whole;
  const lastThree = whole.slice(-3);
  const rest = whole.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${rest},${lastThree}`;
}

export function formatMoney(minor: number, currency = "INR"): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(Math.round(minor));
  const whole = Math.floor(abs / 100).toString();
  const fraction = (abs % 100).toString().padStart(2, "0");
  return `${sign}${symbolFor(currency)}${groupIndian(whole)}.${fraction}`;
}

// Short labels for chart axes: ₹950, ₹12.5K, ₹3.2L (lakh), ₹1.1Cr (crore).
export function formatCompactMoney(minor: number, currency = "INR"): string {
  const major = minor / 100;
  const units: Array<[number, string]> = [
    [1e7, "Cr"],
    [1e5, "L"],
    [1e3, "K"],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(major) >= size) {
      const value = Math.round((major / size) * 10) / 10;
      return `${symbolFor(currency)}${value}${suffix}`;
    }
  }
  return `${symbolFor(currency)}${Math.round(major)}`;
}

// "500", "500.5", "1,000.25" → paise; null when the text is not a positive amount
// with at most two decimals. Parsed as text so 0.1 + 0.2 style errors cannot occur.
export function rupeesToPaise(text: string): number | null {
  const cleaned = text.trim().replace(/,/g, "");
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(2, "0"));
  const paise = whole * 100 + fraction;
  return Number.isSafeInteger(paise) && paise > 0 ? paise : null;
}

// 50050 → "500.50", the value to prefill a rupee input with.
export function paiseToRupeesInput(paise: number): string {
  return `${Math.floor(paise / 100)}.${(paise % 100).toString().padStart(2, "0")}`;
}

// 66.666 → "66.7%", 100 → "100%".
export function formatPercent(value: number): string {
  return `${Math.round(value * 10) / 10}%`;
}
