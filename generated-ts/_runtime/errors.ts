/** Errors thrown by the runtime, and the mapping from API statuses to them (errors.py). */

import { category, grpcCategory, statusCode, SUCCESS, type Category } from "./protocol.js";

const SHOWN = 60; // the longest string an error message repeats (see `shown`)

export interface ErrorInit {
  code?: number | null;
  description?: string;
  httpStatus?: number | null;
  details?: string;
  reqId?: string;
}

/** Base class of every runtime error. The PAT never appears in a message or a property. */
export class ClarifaiError extends Error {
  code: number | null;
  description: string;
  httpStatus: number | null;
  details: string;
  reqId: string;
  /** Seconds, from a Retry-After header. */
  retryAfter: number | null = null;
  /** A connection-level failure that may be retried ... */
  transient = false;
  /** ... after the request may have reached the model. */
  reached = false;

  constructor(message: string, init: ErrorInit = {}) {
    super(message);
    this.name = new.target.name;
    this.code = init.code ?? null;
    this.description = init.description ?? "";
    this.httpStatus = init.httpStatus ?? null;
    this.details = init.details ?? "";
    this.reqId = init.reqId ?? "";
  }
}

/** Invalid arguments, detected before anything is sent. */
export class ArgumentError extends ClarifaiError {}
/** Connection failures, timeouts, malformed responses. */
export class TransportError extends ClarifaiError {}
/** The call's deadline (`timeout`) passed, or a stream was silent for `timeout` seconds. */
export class DeadlineError extends TransportError {}
/** The response JSON does not have the shape the signature promises. */
export class MalformedResponse extends TransportError {}
/** A response body or stream message passed `maxResponseBytes`. */
export class ResponseTooLargeError extends TransportError {}
/** HTTP cannot carry this kind of call (bidirectional streaming). */
export class StreamingNotSupportedError extends TransportError {}
/** Missing, invalid or unknown PAT (codes 11001/11002/11008/11009, HTTP 401). */
export class AuthError extends ClarifaiError {}
/** The PAT lacks scopes or access to the model (codes 11007/21201, HTTP 403). */
export class PermissionDeniedError extends ClarifaiError {}
/** The user, app, model, version or runner does not exist (HTTP 404). */
export class NotFoundError extends ClarifaiError {}
/** The model (or the platform on its behalf) reported a failure; message = details. */
export class ModelError extends ClarifaiError {}
/** Throttled or over a usage limit (codes 11003-11006, HTTP 429). Retried. */
export class RateLimitError extends ClarifaiError {}
/** Transient platform failure: model deploying/loading/busy, HTTP 5xx. Retried. */
export class ServerError extends ClarifaiError {}

/** Part of a batch failed; the results of the rest are kept. `results` has one entry per item
 * (undefined where it failed); `failed` lists the failed indices; `failures` pairs each failed
 * request's item indices with its error; `error` is the first (also the `cause`). */
export class BatchError extends ClarifaiError {
  readonly results: unknown[];
  readonly failures: [number[], ClarifaiError][];
  readonly failed: number[];
  readonly error: ClarifaiError;

  constructor(message: string, results: unknown[], failures: [number[], ClarifaiError][]) {
    const first = (failures[0] as [number[], ClarifaiError])[1];
    super(message, { code: first.code, httpStatus: first.httpStatus });
    this.results = results;
    this.failures = failures;
    this.failed = failures.flatMap(([indices]) => indices).sort((a, b) => a - b);
    this.error = first;
    this.cause = first;
  }
}

type ErrorClass = new (message: string, init?: ErrorInit) => ClarifaiError;

const CLASSES: Record<Category, ErrorClass> = {
  auth: AuthError,
  permission: PermissionDeniedError,
  not_found: NotFoundError,
  rate_limit: RateLimitError,
  server: ServerError,
  model: ModelError,
};

/** `value` for an error message: JSON when short, else its type and size (never a cut of it). */
export function shown(value: unknown): string {
  if (
    value === null ||
    value === undefined ||
    typeof value === "boolean" ||
    typeof value === "number"
  ) {
    return String(value);
  }
  if (typeof value === "string") {
    return value.length <= SHOWN ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return `a value of type ${typeof value}`;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  return value === null || value === undefined || value === "" ? "" : shown(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function get(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function classFor(cat: Category | null): ErrorClass | null {
  return cat === null ? null : CLASSES[cat];
}

const PAT_HINT = "; check the PAT (CLARIFAI_PAT or new Client({ pat }))";

/** The error for a failed Clarifai `status` object. */
export function errorFromStatus(status: unknown, httpStatus: number | null = null): ClarifaiError {
  const st = isRecord(status) ? status : {};
  const code = statusCode(get(st, "code"));
  const description = text(get(st, "description"));
  const details = text(get(st, "details"));
  const reqId = text(get(st, "req_id") || get(st, "reqId"));
  const cls = classFor(category(code, httpStatus)) ?? ModelError;
  let message: string;
  if (cls === ModelError) {
    message = details || description || `model call failed with status code ${code}`;
  } else {
    message = description || details || "request failed";
    if (details && description && details !== description) message = `${description}: ${details}`;
    if (code !== null) message += ` (status code ${code})`;
    if (cls === AuthError) message += PAT_HINT;
    if (reqId) message += ` [req_id ${reqId}]`;
  }
  return new cls(message, { code, description, httpStatus, details, reqId });
}

/** The error for an unsuccessful HTTP response or stream frame (`body`: parsed JSON or null;
 * `raw`: the body's text, for the message). Decided on the Clarifai status code first. */
export function errorFromBody(body: unknown, httpStatus: number | null, raw = ""): ClarifaiError {
  if (isRecord(body)) {
    const status = get(body, "status");
    if (isRecord(status)) {
      const code = statusCode(get(status, "code"));
      if (code !== null && code !== SUCCESS) return errorFromStatus(status, httpStatus);
    }
    const nested = get(body, "error");
    const err = isRecord(nested) ? nested : body;
    if (
      Object.prototype.hasOwnProperty.call(err, "message") ||
      Object.prototype.hasOwnProperty.call(err, "code")
    ) {
      return errorFromRpcStatus(err, httpStatus);
    }
  }
  const cls = classFor(category(null, httpStatus));
  const snippet = raw.split(/\s+/).filter(Boolean).join(" ").slice(0, 200);
  if (cls === null) {
    const what = httpStatus ? `unexpected HTTP ${httpStatus} response` : "malformed response";
    return new TransportError(snippet ? `${what}: ${snippet}` : what, { httpStatus });
  }
  let message = `HTTP ${httpStatus}` + (snippet ? `: ${snippet}` : "");
  if (cls === AuthError) message += PAT_HINT;
  return new cls(message, { httpStatus, description: snippet });
}

function errorFromRpcStatus(
  err: Record<string, unknown>,
  httpStatus: number | null,
): ClarifaiError {
  const code = statusCode(get(err, "code"));
  const message = text(get(err, "message") || get(err, "error")) || "request failed";
  const hint = get(err, "http_code") ?? get(err, "http_status");
  if (typeof hint === "number" && Number.isInteger(hint)) {
    httpStatus = httpStatus && httpStatus >= 400 ? httpStatus : hint;
  }
  if (code !== null && code >= 10000)
    return errorFromStatus({ code, description: message }, httpStatus);
  const cls = classFor(grpcCategory(code)) ?? classFor(category(null, httpStatus)) ?? ModelError;
  const suffix = code ? ` (gRPC code ${code})` : "";
  return new cls(message + suffix, { description: message, httpStatus });
}
