// HMAC-SHA256 and constant-time comparison with node:crypto. Selected through the "#crypto"
// import (package.json "imports") under the "node" condition: Node, Bun, Deno, and bundles
// built for a Node platform.
import { createHmac, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 of data keyed with key.
 * @param {Uint8Array} key
 * @param {Uint8Array} data
 * @returns {Uint8Array} the 32-byte MAC
 */
export function hmacSha256(key, data) {
  const mac = createHmac("sha256", key).update(data).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
}

/**
 * Whether a and b hold the same bytes, in time that depends only on their lengths.
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
export function timingSafeEqual(a, b) {
  return a.length === b.length && nodeTimingSafeEqual(a, b);
}
