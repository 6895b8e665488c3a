// Verification of the gateway's webhook deliveries and checkout signatures, matching the Go
// package github.com/paygate/paygate/webhooks byte for byte.
import { hmacSha256, timingSafeEqual } from "#crypto";

const encoder = new TextEncoder();

/** Default tolerance, in seconds, between a delivery's webhook-timestamp and the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Thrown by verifyWebhook when a delivery does not verify. `reason` says why:
 * "missing_headers", "bad_timestamp", "bad_signature" or "bad_body" (verified, but not a JSON
 * event).
 */
export class WebhookVerificationError extends Error {
  /**
   * @param {"missing_headers" | "bad_timestamp" | "bad_signature" | "bad_body"} reason
   * @param {string} message
   */
  constructor(reason, message) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

/**
 * Checks a delivery's Standard Webhooks signature and returns the parsed event.
 *
 * The signed content is `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256
 * and sent as `webhook-signature: v1,<base64>` (several space-separated signatures may be
 * present during a secret rotation; one match is enough). The key is the base64-decoded part
 * of the secret after "whsec_" when it decodes to at least one byte, else the secret's UTF-8
 * bytes. A timestamp more than toleranceSeconds from now is refused, against replays.
 *
 * @param {string | Uint8Array | ArrayBuffer} rawBody the body exactly as received, before any
 *   JSON parsing (a string is taken as its UTF-8 bytes)
 * @param {Headers | Record<string, string | string[] | undefined>} headers the request's headers
 *   (a fetch Headers, Node's req.headers, or any object; names are case-insensitive)
 * @param {string} secret the merchant's webhook secret ("whsec_...")
 * @param {{ toleranceSeconds?: number, now?: Date | number }} [options] now is a Date or
 *   milliseconds since the epoch (default: the current time); toleranceSeconds defaults to 300
 *   (0 also means 300, as in the Go package)
 * @returns {object} the event: { id, event, timestamp, data }
 * @throws {WebhookVerificationError}
 */
export function verifyWebhook(rawBody, headers, secret, { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now } = {}) {
  const body = toBytes(rawBody, "rawBody");
  checkSecret(secret);
  if (typeof toleranceSeconds !== "number" || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError("toleranceSeconds must be a non-negative number");
  }
  if (toleranceSeconds === 0) toleranceSeconds = DEFAULT_TOLERANCE_SECONDS;
  const nowMs = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) throw new TypeError("now must be a Date or milliseconds since the epoch");

  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("missing_headers", "Missing webhook-id, webhook-timestamp or webhook-signature");
  }
  // As Go's strconv.ParseInt: an optional sign and decimal digits.
  if (!/^[+-]?[0-9]+$/.test(timestamp)) {
    throw new WebhookVerificationError("bad_timestamp", "webhook-timestamp is not a Unix time in seconds");
  }
  const skewMs = nowMs - Number(timestamp) * 1000;
  if (!(Math.abs(skewMs) <= toleranceSeconds * 1000)) {
    throw new WebhookVerificationError("bad_timestamp", "webhook-timestamp is outside the tolerance window");
  }

  const expected = encoder.encode(standardSignature(secret, id, timestamp, body));
  let matched = false;
  for (const signature of signatures.split(/[\t\n\v\f\r ]+/)) {
    if (signature.startsWith("v1,") && timingSafeEqual(encoder.encode(signature.slice(3)), expected)) {
      matched = true;
    }
  }
  if (!matched) throw new WebhookVerificationError("bad_signature", "No webhook signature matches");

  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError("bad_body", "The webhook body is not JSON");
  }
}

/**
 * Checks the older X-Webhook-Signature header: hex HMAC-SHA256 of the raw body keyed with the
 * webhook secret's UTF-8 bytes. It carries no timestamp, so it cannot refuse a replayed
 * delivery; prefer verifyWebhook.
 *
 * @param {string | Uint8Array | ArrayBuffer} rawBody the body exactly as received
 * @param {string | null | undefined} signature the X-Webhook-Signature value
 * @param {string} secret the merchant's webhook secret
 * @returns {boolean}
 */
export function verifyLegacySignature(rawBody, signature, secret) {
  const body = toBytes(rawBody, "rawBody");
  checkSecret(secret);
  if (typeof signature !== "string") return false;
  const expected = toHex(hmacSha256(encoder.encode(secret), body));
  return timingSafeEqual(encoder.encode(signature), encoder.encode(expected));
}

/**
 * Checks the signature the hosted checkout and checkout.js hand the merchant's page after a
 * successful payment (onSuccess({ orderId, paymentId, signature })): hex HMAC-SHA256 of
 * "orderId|paymentId" keyed with the webhook secret. Check it on the server before trusting
 * what the browser reports.
 *
 * @param {{ orderId: string, paymentId: string, signature: string | null | undefined }} payment
 * @param {string} webhookSecret
 * @returns {boolean}
 */
export function verifyCheckoutSignature({ orderId, paymentId, signature } = {}, webhookSecret) {
  checkSecret(webhookSecret, "webhookSecret");
  if (typeof orderId !== "string" || typeof paymentId !== "string" || typeof signature !== "string") return false;
  const expected = toHex(hmacSha256(encoder.encode(webhookSecret), encoder.encode(`${orderId}|${paymentId}`)));
  return timingSafeEqual(encoder.encode(signature), encoder.encode(expected));
}

function standardSignature(secret, id, timestamp, body) {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return toBase64(hmacSha256(standardKey(secret), content));
}

/** The Standard Webhooks signing key of a secret, as webhooks.standardKey in Go. */
function standardKey(secret) {
  if (secret.startsWith("whsec_")) {
    const key = decodeBase64(secret.slice(6));
    if (key && key.length > 0) return key;
  }
  return encoder.encode(secret);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Decodes standard, padded base64 as Go's base64.StdEncoding.DecodeString does: carriage
 * returns and newlines are ignored, anything else outside the alphabet or wrong padding fails
 * (null), and unused trailing bits may be non-zero.
 */
function decodeBase64(text) {
  const s = text.replace(/[\r\n]/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  const data = s.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((data.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of data) {
    value = (value << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

function toBase64(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : "=";
  }
  return out;
}

function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function toBytes(raw, name) {
  if (typeof raw === "string") return encoder.encode(raw);
  if (raw instanceof Uint8Array) return raw; // Node's Buffer included
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  throw new TypeError(
    `${name} must be the raw request body (a string, Buffer, Uint8Array or ArrayBuffer), not ${raw === null ? "null" : typeof raw}; ` +
      "verify before parsing JSON, e.g. with express.raw({ type: 'application/json' })",
  );
}

function checkSecret(secret, name = "secret") {
  if (typeof secret !== "string" || secret === "") throw new TypeError(`${name} must be a non-empty string`);
}

/** A header's first value from a fetch Headers, a Map-like or a plain object, by lowercase name. */
function header(headers, name) {
  if (!headers) return "";
  let value;
  if (typeof headers.get === "function") {
    value = headers.get(name);
    if (value === undefined || value === null) value = headers.get(name.toLowerCase());
  } else {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) value = value[0];
  return typeof value === "string" ? value : "";
}
