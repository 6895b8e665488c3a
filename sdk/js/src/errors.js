// Errors the client throws. Every answer of the API outside 2xx is a PaymentGatewayError (or
// one of its subclasses, chosen by status); a request that got no answer is a
// PaymentGatewayConnectionError.

/** Error codes the API answers with, in PaymentGatewayError#code. */
export const ErrorCodes = Object.freeze({
  BAD_REQUEST: "BAD_REQUEST_ERROR",
  INVALID_VPA: "INVALID_VPA",
  INVALID_CARD: "INVALID_CARD",
  EXPIRED_CARD: "EXPIRED_CARD",
  AUTHENTICATION: "AUTHENTICATION_ERROR",
  NOT_FOUND: "NOT_FOUND_ERROR",
  IDEMPOTENCY: "IDEMPOTENCY_ERROR",
  RATE_LIMIT: "RATE_LIMIT_ERROR",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  SERVER: "SERVER_ERROR",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_ATTEMPTS: "TOO_MANY_ATTEMPTS",
  REPLAY_IN_PROGRESS: "REPLAY_IN_PROGRESS",
});

/** An error answer of the API: { error: { code, description } } with an HTTP status. */
export class PaymentGatewayError extends Error {
  /**
   * @param {{ status: number, code: string | null, description: string, requestId?: string | null }} fields
   */
  constructor({ status, code, description, requestId = null }) {
    super(`${status} ${code ?? "HTTP_ERROR"}: ${description}`);
    this.name = new.target.name;
    /** HTTP status, e.g. 400 or 404. */
    this.status = status;
    /** API error code (see ErrorCodes), or null when the body was not the API's error shape. */
    this.code = code;
    /** Human-readable explanation. */
    this.description = description;
    /** The X-Request-Id of the request, for support. */
    this.requestId = requestId;
  }

  /**
   * Whether repeating the same request later may succeed: a rate limit, an idempotency key
   * still in use, or a server-side failure. Repeat create requests with the same idempotency key.
   */
  get retryable() {
    return this.status === 429 || (this.status === 409 && this.code === ErrorCodes.IDEMPOTENCY) || this.status >= 500;
  }
}

/**
 * 400: the request is invalid (a field, a VPA or card, or an operation the object's state
 * refuses); 405 METHOD_NOT_ALLOWED: the path does not take the method; 413 PAYLOAD_TOO_LARGE: the
 * body is over 1 MiB.
 */
export class InvalidRequestError extends PaymentGatewayError {}
/** 401 or 403: the API key or secret is wrong. */
export class AuthenticationError extends PaymentGatewayError {}
/** 404: the object does not exist for this merchant. */
export class NotFoundError extends PaymentGatewayError {}
/** 409 or 422 with IDEMPOTENCY_ERROR: the key is in use, or was used with another request. */
export class IdempotencyError extends PaymentGatewayError {}
/** 429: too many requests. */
export class RateLimitError extends PaymentGatewayError {}
/** 5xx: the gateway failed or is unavailable. */
export class ServerError extends PaymentGatewayError {}

/**
 * The request got no answer: the gateway could not be reached, the connection broke, or the
 * timeout passed. The request may or may not have taken effect; repeat a create request with the
 * same idempotency key. The underlying error is in `cause`.
 */
export class PaymentGatewayConnectionError extends Error {
  /** @param {string} message @param {{ cause?: unknown }} [options] */
  constructor(message, options) {
    super(message, options);
    this.name = "PaymentGatewayConnectionError";
  }
}

/** The PaymentGatewayError subclass for an answer. */
export function errorFor(fields) {
  const { status, code } = fields;
  if (code === ErrorCodes.IDEMPOTENCY) return new IdempotencyError(fields);
  if (status === 400 || status === 405 || status === 413) return new InvalidRequestError(fields);
  if (status === 401 || status === 403) return new AuthenticationError(fields);
  if (status === 404) return new NotFoundError(fields);
  if (status === 429) return new RateLimitError(fields);
  if (status >= 500) return new ServerError(fields);
  return new PaymentGatewayError(fields);
}
