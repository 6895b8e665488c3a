// Unit tests of webhook and checkout signature verification. The vectors were printed by the Go
// implementation (webhooks.Sign and api.CheckoutSignature in github.com/paygate/paygate), so a
// pass here means this package accepts exactly what the gateway sends.
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";

import * as portable from "../src/crypto-portable.js";
import {
  DEFAULT_TOLERANCE_SECONDS,
  WebhookVerificationError,
  verifyCheckoutSignature,
  verifyLegacySignature,
  verifyWebhook,
} from "../src/index.js";

// Printed by a Go program calling webhooks.Sign(secret, id, time.Unix(timestamp, 0), body) and
// api.CheckoutSignature(secret, orderId, paymentId). Secrets cover the key rule: the part after
// "whsec_" is used base64-decoded only when it is valid padded standard base64 (Go ignores \r and
// \n, accepts non-zero trailing bits) of at least one byte; otherwise the whole secret's bytes.
const GO = {
  "body": "{\"id\":\"evt_Vec0000000000001\",\"event\":\"payment.success\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"message\":\"₹500 café\\n\",\"payment\":{\"id\":\"pay_Vec0000000000001\",\"amount\":50000}}}",
  "timestamp": 1767225600,
  "id": "evt_Vec0000000000001",
  "standard": [
    {
      "secret": "whsec_test_abc123",
      "signature": "v1,tXJxBLUYevzQdsPbdkXLPmQKgaXaDkzk/a6bd6HnIZ0=",
      "legacy": "f5e7883845838242c8d97854ffd37ce03514268a89d38edf2c330cadbed4981c"
    },
    {
      "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "signature": "v1,mBuLDzPnNtYukS9/CmpT/DehpNetVeedfIKG/pMTSUM=",
      "legacy": "63753fe38f2ec4b98f35db478bc334696ed23bd545c8d754353d7d30d0877d38"
    },
    {
      "secret": "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
      "signature": "v1,5Kyxk0+LAfRMgwsNbFEE/Qi3J6Il54jzaEYNWNuo9Qg=",
      "legacy": "037d0dcdd3d134ae2e6cc65e182eb041e3a31eb88458b8d9745e9864e998fdd9"
    },
    {
      "secret": "whsec_dGVzdA",
      "signature": "v1,21EwZ0kT4LOIM5MYHAmoLn8uJrYZeRFsWLVby84HLjg=",
      "legacy": "6c7728e8b157f0e6961a72114e605e659af1c79c72d784de54f332ea75850b46"
    },
    {
      "secret": "whsec_dGVzdA==",
      "signature": "v1,Ne5F065LfYOOKamMQ0OnaS2qNGOfy09tT/PTNJpvB2g=",
      "legacy": "272af98132f00ce0d7ab31fb71a8d7aa39e31ffb4e735b4a5b5697c767f372b8"
    },
    {
      "secret": "whsec_dGVzdB==",
      "signature": "v1,Ne5F065LfYOOKamMQ0OnaS2qNGOfy09tT/PTNJpvB2g=",
      "legacy": "bf5f20969b99880ea7da71260d5fc75303fe665ea30c4e02baf9908305c2e089"
    },
    {
      "secret": "whsec_dGVz\ndA==",
      "signature": "v1,Ne5F065LfYOOKamMQ0OnaS2qNGOfy09tT/PTNJpvB2g=",
      "legacy": "aaa75190f4718f2c91ee6cd1e46ad63a39f42d9326d17e7ddd7f00d35c16338d"
    },
    {
      "secret": "whsec_dGVzdA=",
      "signature": "v1,SyDPih362NFbIw4brbK0oIaXe0E997qC0q3yKnO/Ze0=",
      "legacy": "dbc88be134fb65e9eaf5d0a1acc695cdd4b9bf8bc3d59c87835a7defe474318e"
    },
    {
      "secret": "whsec_dGVzdA==\r\n",
      "signature": "v1,Ne5F065LfYOOKamMQ0OnaS2qNGOfy09tT/PTNJpvB2g=",
      "legacy": "7295f9500d5749305b49d8b8b1b95e24c07a671570eff1ff524ccc296defe2c5"
    },
    {
      "secret": "whsec_",
      "signature": "v1,Hd/sz2UMfohwcBlqCzj8O78qbNzB/+GBeDVlHUwtp+k=",
      "legacy": "97df34cfccf21050359f790afea1a81e95f301b94d52e338b0ba27dc8f4fafa9"
    },
    {
      "secret": "whsec_====",
      "signature": "v1,NF5PEUQQP8og2hwQgXkWysoF4xP24KR/Fp3kYrO9Iao=",
      "legacy": "09bbe69a4a9ddfcaddde13335feb4a29159708aac83003c4b6ce22f0de931bd6"
    },
    {
      "secret": "whsec_-_8_",
      "signature": "v1,sLRmdaWadobgwAPAWS+ioHuWMrLc5CQ4n95Dw7TcsDk=",
      "legacy": "dd141d8172b6e07dd820d09d984469d2de4c515450fc3e39a454ef436e86576c"
    },
    {
      "secret": "whsec_ dGVzdA==",
      "signature": "v1,bQycQUPY5Sqk+eQnFK13Qrr5P4OoGSWxwmQ+GLq5vKs=",
      "legacy": "91c21b5dd652203be98b5300eba9c445ab0e28898a2df7e559cf1d194c44bf4d"
    },
    {
      "secret": "WHSEC_dGVzdA==",
      "signature": "v1,qjTGYRYg14psq5hQefB1UcVPdkC2CmB7JjGCQPxIh0I=",
      "legacy": "5fc7c1fe32f357725de6e6cde4f075cede19a5d495708594b9bf27146d3f3c22"
    },
    {
      "secret": "plain-secret",
      "signature": "v1,T0K8puIBGPEfK2p5JSl1FB2/LDcr3MO13WnBl/2KR/I=",
      "legacy": "729d1a850f8cf734b73277860a7452a1278bf4b2771279efead05607936b8606"
    },
    {
      "secret": "sécret",
      "signature": "v1,Xep2zeC9j+FNeYxU6+ad/bnmeBIDxsXmrNyCefxLX4Y=",
      "legacy": "41c77ba392214fa010573e46d9790a47a5a917f7be6f899b3b9fb2cae4f76e48"
    }
  ],
  "checkout": [
    {
      "secret": "whsec_test_abc123",
      "orderId": "order_Vec0000000000001",
      "paymentId": "pay_Vec0000000000001",
      "signature": "a6c939a906b307d47210422915ad3baef940ecc530eea5c3d58efe98b148df98"
    },
    {
      "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "orderId": "order_a",
      "paymentId": "pay_b",
      "signature": "f4b2e2d9528fdd2a3cd822749796517a2319878f634edad12a0587aff066d302"
    }
  ]
};

const at = GO.timestamp * 1000;
const headersFor = (signature) => ({
  "webhook-id": GO.id,
  "webhook-timestamp": String(GO.timestamp),
  "webhook-signature": signature,
});
const reasonOf = (fn) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WebhookVerificationError, `not a WebhookVerificationError: ${err}`);
    return err.reason;
  }
  assert.fail("did not throw");
};

describe("verifyWebhook", () => {
  test("accepts every signature the Go implementation produced", () => {
    for (const v of GO.standard) {
      const event = verifyWebhook(GO.body, headersFor(v.signature), v.secret, { now: at });
      assert.equal(event.id, GO.id, JSON.stringify(v.secret));
      assert.equal(event.event, "payment.success");
      assert.equal(event.data.payment.amount, 50000);
      assert.equal(event.data.message, "₹500 café\n");
    }
  });

  test("derives the key exactly as Go does: no other secret's signature verifies", () => {
    for (const v of GO.standard) {
      for (const other of GO.standard) {
        if (other.signature === v.signature) continue;
        assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(other.signature), v.secret, { now: at })), "bad_signature",
          `${JSON.stringify(v.secret)} accepted the signature made with ${JSON.stringify(other.secret)}`);
      }
    }
  });

  test("takes the body as a string, Buffer, Uint8Array or ArrayBuffer", () => {
    const { secret, signature } = GO.standard[1];
    const buffer = Buffer.from(GO.body, "utf8");
    const u8 = new Uint8Array(buffer);
    for (const body of [GO.body, buffer, u8, u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength)]) {
      assert.equal(verifyWebhook(body, headersFor(signature), secret, { now: at }).id, GO.id);
    }
    assert.throws(() => verifyWebhook(JSON.parse(GO.body), headersFor(signature), secret, { now: at }), TypeError);
    assert.throws(() => verifyWebhook(undefined, headersFor(signature), secret, { now: at }), TypeError);
  });

  test("reads fetch Headers, Node's lowercase headers, any-case objects and array values", () => {
    const { secret, signature } = GO.standard[0];
    const forms = [
      new Headers(headersFor(signature)),
      { "Webhook-Id": GO.id, "WEBHOOK-TIMESTAMP": String(GO.timestamp), "Webhook-Signature": signature },
      { "webhook-id": [GO.id], "webhook-timestamp": [String(GO.timestamp)], "webhook-signature": [signature, "v1,other"] },
      new Map(Object.entries(headersFor(signature))),
    ];
    for (const headers of forms) assert.equal(verifyWebhook(GO.body, headers, secret, { now: at }).id, GO.id);
  });

  test("refuses a tampered body, id or timestamp", () => {
    const { secret, signature } = GO.standard[0];
    const bytes = Buffer.from(GO.body);
    bytes[bytes.indexOf("50000") + 1] = "1".charCodeAt(0);
    assert.equal(reasonOf(() => verifyWebhook(bytes, headersFor(signature), secret, { now: at })), "bad_signature");
    assert.equal(reasonOf(() => verifyWebhook(GO.body + " ", headersFor(signature), secret, { now: at })), "bad_signature");
    const otherId = { ...headersFor(signature), "webhook-id": "evt_Vec0000000000002" };
    assert.equal(reasonOf(() => verifyWebhook(GO.body, otherId, secret, { now: at })), "bad_signature");
    const otherTime = { ...headersFor(signature), "webhook-timestamp": String(GO.timestamp + 1) };
    assert.equal(reasonOf(() => verifyWebhook(GO.body, otherTime, secret, { now: at })), "bad_signature");
    assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(signature), "whsec_test_abc124", { now: at })), "bad_signature");
  });

  test("accepts one matching signature among several, v1 only", () => {
    const { secret, signature } = GO.standard[0];
    const good = signature.slice(3);
    for (const header of [`v1,AAAA ${signature}`, `${signature} v1,AAAA`, `v1a,x  \t${signature}`]) {
      assert.equal(verifyWebhook(GO.body, headersFor(header), secret, { now: at }).id, GO.id, header);
    }
    for (const header of [`v2,${good}`, good, `v1,${good.toLowerCase()}`, `v1, ${good}`, `v1,${good.replace(/=$/, "")}`, "v1,"]) {
      assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(header), secret, { now: at })), "bad_signature", header);
    }
  });

  test("requires all three headers", () => {
    const { secret, signature } = GO.standard[0];
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const headers = headersFor(signature);
      delete headers[name];
      assert.equal(reasonOf(() => verifyWebhook(GO.body, headers, secret, { now: at })), "missing_headers", name);
      assert.equal(reasonOf(() => verifyWebhook(GO.body, { ...headersFor(signature), [name]: "" }, secret, { now: at })), "missing_headers");
    }
    assert.equal(reasonOf(() => verifyWebhook(GO.body, {}, secret)), "missing_headers");
    assert.equal(reasonOf(() => verifyWebhook(GO.body, undefined, secret)), "missing_headers");
  });

  test("allows 300 s of clock skew either way, as Go's DefaultTolerance", () => {
    const { secret, signature } = GO.standard[0];
    assert.equal(DEFAULT_TOLERANCE_SECONDS, 300);
    // Go: Verify at ts-301 s and ts+301 s fails, at ts±300 s passes.
    for (const skew of [-300, -1, 0, 1, 300]) {
      assert.equal(verifyWebhook(GO.body, headersFor(signature), secret, { now: at + skew * 1000 }).id, GO.id, `skew ${skew}`);
    }
    for (const skew of [-301, 301, -86400, 86400]) {
      assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(signature), secret, { now: at + skew * 1000 })), "bad_timestamp", `skew ${skew}`);
    }
    assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(signature), secret)), "bad_timestamp", "against the real clock");
    assert.equal(verifyWebhook(GO.body, headersFor(signature), secret, { now: new Date(at + 299_000) }).id, GO.id, "now as a Date");
    assert.equal(verifyWebhook(GO.body, headersFor(signature), secret, { now: at + 10_000, toleranceSeconds: 10 }).id, GO.id);
    assert.equal(reasonOf(() => verifyWebhook(GO.body, headersFor(signature), secret, { now: at + 11_000, toleranceSeconds: 10 })), "bad_timestamp");
    assert.equal(verifyWebhook(GO.body, headersFor(signature), secret, { now: at + 300_000, toleranceSeconds: 0 }).id, GO.id, "0 means the default");
    assert.throws(() => verifyWebhook(GO.body, headersFor(signature), secret, { now: at, toleranceSeconds: -1 }), RangeError);
    for (const ts of ["abc", "1767225600.0", " 1767225600", "0x69558400", ""]) {
      const headers = { ...headersFor(signature), "webhook-timestamp": ts };
      assert.ok(["bad_timestamp", "missing_headers"].includes(reasonOf(() => verifyWebhook(GO.body, headers, secret, { now: at }))), ts);
    }
  });

  test("reports a verified body that is not JSON", () => {
    const secret = "whsec_" + randomBytes(32).toString("base64");
    const body = "not json";
    const mac = createHmac("sha256", Buffer.from(secret.slice(6), "base64")).update(`evt_1.${GO.timestamp}.${body}`).digest("base64");
    const headers = { "webhook-id": "evt_1", "webhook-timestamp": String(GO.timestamp), "webhook-signature": `v1,${mac}` };
    assert.equal(reasonOf(() => verifyWebhook(body, headers, secret, { now: at })), "bad_body");
  });

  test("refuses an empty or missing secret", () => {
    assert.throws(() => verifyWebhook(GO.body, headersFor("v1,x"), ""), TypeError);
    assert.throws(() => verifyWebhook(GO.body, headersFor("v1,x"), undefined), TypeError);
  });
});

describe("verifyLegacySignature", () => {
  test("matches the Go X-Webhook-Signature values", () => {
    for (const v of GO.standard) {
      assert.equal(verifyLegacySignature(GO.body, v.legacy, v.secret), true, JSON.stringify(v.secret));
      assert.equal(verifyLegacySignature(Buffer.from(GO.body), v.legacy, v.secret), true);
    }
  });

  test("refuses other bodies, secrets and spellings", () => {
    const { secret, legacy } = GO.standard[0];
    assert.equal(verifyLegacySignature(GO.body + " ", legacy, secret), false);
    assert.equal(verifyLegacySignature(GO.body, legacy, GO.standard[1].secret), false);
    assert.equal(verifyLegacySignature(GO.body, legacy.toUpperCase(), secret), false);
    assert.equal(verifyLegacySignature(GO.body, legacy.slice(0, -1), secret), false);
    assert.equal(verifyLegacySignature(GO.body, "", secret), false);
    assert.equal(verifyLegacySignature(GO.body, undefined, secret), false);
  });
});

describe("verifyCheckoutSignature", () => {
  test("matches the Go api.CheckoutSignature values", () => {
    for (const v of GO.checkout) {
      assert.equal(verifyCheckoutSignature({ orderId: v.orderId, paymentId: v.paymentId, signature: v.signature }, v.secret), true);
    }
  });

  test("refuses another order, payment, secret or a missing signature", () => {
    const [v] = GO.checkout;
    const ok = { orderId: v.orderId, paymentId: v.paymentId, signature: v.signature };
    assert.equal(verifyCheckoutSignature({ ...ok, orderId: "order_Vec0000000000002" }, v.secret), false);
    assert.equal(verifyCheckoutSignature({ ...ok, paymentId: "pay_Vec0000000000002" }, v.secret), false);
    assert.equal(verifyCheckoutSignature({ orderId: v.paymentId, paymentId: v.orderId, signature: v.signature }, v.secret), false);
    assert.equal(verifyCheckoutSignature(ok, GO.checkout[1].secret), false);
    assert.equal(verifyCheckoutSignature({ ...ok, signature: null }, v.secret), false);
    assert.equal(verifyCheckoutSignature({ ...ok, signature: v.signature.toUpperCase() }, v.secret), false);
    assert.throws(() => verifyCheckoutSignature(ok, ""), TypeError);
  });
});

describe("portable HMAC-SHA256 (for runtimes without node:crypto)", () => {
  test("SHA-256 of the FIPS 180 examples", () => {
    const hex = (s) => Buffer.from(portable.sha256(new TextEncoder().encode(s))).toString("hex");
    assert.equal(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert.equal(hex("a".repeat(1_000_000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  test("agrees with node:crypto for every length around the block boundaries", () => {
    for (let n = 0; n <= 200; n++) {
      const data = randomBytes(n);
      assert.equal(Buffer.from(portable.sha256(data)).toString("hex"), createHash("sha256").update(data).digest("hex"), `sha256 of ${n} bytes`);
      const key = randomBytes(n % 140);
      assert.equal(Buffer.from(portable.hmacSha256(key, data)).toString("hex"), createHmac("sha256", key).update(data).digest("hex"), `hmac, ${key.length}-byte key`);
    }
  });

  test("compares in constant time by length", () => {
    assert.equal(portable.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
    assert.equal(portable.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
    assert.equal(portable.timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 2])), false);
  });
});
