/** Facts about Clarifai's API (mirrors `codegen/runtime/protocol.py`): status codes, what each
 * means for the caller, which failures are retried, the backoff, `Retry-After`, the routes. */

export const SUCCESS = 10000;
export const MIXED_STATUS = 10010;

export const CODE_NAMES: Readonly<Record<number, string>> = {
  10000: "SUCCESS",
  10010: "MIXED_STATUS",
  10020: "FAILURE",
  10030: "TRY_AGAIN",
  10040: "NOT_IMPLEMENTED",
  11000: "CONN_ACCOUNT_ISSUES",
  11001: "CONN_TOKEN_INVALID",
  11002: "CONN_CREDENTIALS_INVALID",
  11003: "CONN_EXCEED_HOURLY_LIMIT",
  11004: "CONN_EXCEED_MONTHLY_LIMIT",
  11005: "CONN_THROTTLED",
  11006: "CONN_EXCEEDS_LIMITS",
  11007: "CONN_INSUFFICIENT_SCOPES",
  11008: "CONN_KEY_INVALID",
  11009: "CONN_KEY_NOT_FOUND",
  11100: "CONN_BAD_REQUEST_FORMAT",
  11101: "CONN_DOES_NOT_EXIST",
  11102: "CONN_INVALID_REQUEST",
  11103: "CONN_METHOD_NOT_ALLOWED",
  21200: "MODEL_DOES_NOT_EXIST",
  21201: "MODEL_PERMISSION_DENIED",
  21202: "MODEL_INVALID_ARGUMENT",
  21203: "MODEL_INVALID_REQUEST",
  21313: "MODEL_PREDICTION_FAILED",
  21351: "MODEL_DEPLOYING",
  21353: "MODEL_NOT_DEPLOYED",
  21354: "MODEL_BUSY_PLEASE_RETRY",
  21355: "MODEL_LOADING",
  25600: "RUNNER_DOES_NOT_EXIST",
  25604: "RUNNER_NEEDS_RETRY",
  25608: "RUNNER_PROCESSING_FAILED",
  90400: "BAD_REQUEST",
  90500: "SERVER_ERROR",
  98004: "INTERNAL_SERVER_ISSUE",
  99009: "INTERNAL_UNCATEGORIZED",
};
const CODES_BY_NAME = new Map(
  Object.entries(CODE_NAMES).map(([code, name]) => [name, Number(code)]),
);

export type Category = "auth" | "permission" | "not_found" | "rate_limit" | "server" | "model";

const AUTH_CODES = new Set([11001, 11002, 11008, 11009]);
const PERMISSION_CODES = new Set([11007, 21201]);
const NOT_FOUND_CODES = new Set([11101, 21200, 25600]);
const RATE_LIMIT_CODES = new Set([11003, 11004, 11005, 11006]);
const SERVER_CODES = new Set([10030, 21351, 21354, 21355, 25604]);
const MODEL_CODES = new Set([10020, 21313, 25608]);

const BY_CODE: readonly (readonly [Category, ReadonlySet<number>])[] = [
  ["auth", AUTH_CODES],
  ["permission", PERMISSION_CODES],
  ["not_found", NOT_FOUND_CODES],
  ["rate_limit", RATE_LIMIT_CODES],
  ["server", SERVER_CODES],
  ["model", MODEL_CODES],
];
const BY_HTTP: ReadonlyMap<number, Category> = new Map<number, Category>([
  [401, "auth"],
  [403, "permission"],
  [404, "not_found"],
  [429, "rate_limit"],
]);
const BY_GRPC: ReadonlyMap<number, Category> = new Map<number, Category>([
  [5, "not_found"],
  [7, "permission"],
  [8, "rate_limit"],
  [13, "server"],
  [14, "server"],
  [16, "auth"],
]);

// Throttled, unavailable: the server did not run the request, so any call may be repeated. A
// 500, 502 or 504 may come after the model ran: only an idempotent call retries them.
const TRANSIENT_HTTP = new Set([429, 503]);
const TRANSIENT_HTTP_IDEMPOTENT = new Set([429, 503, 500, 502, 504]);

/** A `status.code` (number, numeric string or enum name) as a number; null when unreadable. */
export function statusCode(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : null;
  if (typeof raw === "string") {
    const text = raw.trim();
    if (/^[0-9]{1,10}$/.test(text)) return Number(text);
    return CODES_BY_NAME.get(text.toUpperCase()) ?? null;
  }
  return null;
}

/** The category by the code, else by the HTTP status. */
export function category(code: number | null, httpStatus: number | null = null): Category | null {
  for (const [name, codes] of BY_CODE) {
    if (code !== null && codes.has(code)) return name;
  }
  if (httpStatus !== null && BY_HTTP.has(httpStatus)) return BY_HTTP.get(httpStatus) ?? null;
  return httpStatus !== null && httpStatus >= 500 ? "server" : null;
}

export function grpcCategory(grpcCode: number | null): Category | null {
  return grpcCode === null ? null : (BY_GRPC.get(grpcCode) ?? null);
}

/** Is a failed reply worth retrying? A code we know decides; otherwise the HTTP status. */
export function isTransient(
  code: number | null,
  httpStatus: number | null,
  idempotent: boolean,
): boolean {
  if (code !== null && (RATE_LIMIT_CODES.has(code) || SERVER_CODES.has(code))) return true;
  if (
    code !== null &&
    (AUTH_CODES.has(code) || PERMISSION_CODES.has(code) || NOT_FOUND_CODES.has(code))
  ) {
    return false;
  }
  return (
    httpStatus !== null && (idempotent ? TRANSIENT_HTTP_IDEMPOTENT : TRANSIENT_HTTP).has(httpStatus)
  );
}

/** `Retry-After` (delta seconds, fractional accepted, or an HTTP date) -> seconds from now (>= 0). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || !value.trim()) return null;
  const text = value.trim();
  let seconds: number;
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text); // what Python's float() also reads
  if (special !== null) {
    seconds =
      (special[2] as string).toLowerCase() === "nan"
        ? NaN
        : special[1] === "-"
          ? -Infinity
          : Infinity;
  } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) {
    seconds = Number(text);
  } else {
    const when = Date.parse(text);
    if (Number.isNaN(when)) return null;
    seconds = (when - now) / 1000;
  }
  if (Number.isNaN(seconds)) return null;
  return Math.max(0, seconds);
}

/** What the backoff needs to know about a failed attempt (a `ClarifaiError` is one). */
export interface Failure {
  code: number | null;
  httpStatus: number | null;
  retryAfter: number | null;
  transient: boolean;
  reached: boolean;
}

/** Is `err` worth retrying (when nothing has been delivered to the caller yet)? */
export function failureIsTransient(err: Failure, idempotent: boolean): boolean {
  if (err.transient) return idempotent || !err.reached;
  return isTransient(err.code, err.httpStatus, idempotent);
}

/** At most `maxRetries` retries, sleeping at most `maxBackoff` seconds in total. The n-th delay
 * is `backoff * 2**n` scaled by a random factor in [0.5, 1], or the server's `Retry-After`. */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly backoff: number;
  readonly maxBackoff: number;
}

/** Retry state of one call. */
export class Backoff {
  attempt = 0;
  slept = 0;

  constructor(
    readonly policy: RetryPolicy,
    readonly idempotent: boolean = false,
    private readonly random: () => number = Math.random,
  ) {}

  get exhausted(): boolean {
    return this.attempt >= this.policy.maxRetries;
  }

  proposed(retryAfter: number | null): number {
    if (retryAfter !== null) return retryAfter;
    return this.policy.backoff * 2 ** this.attempt * (0.5 + this.random() / 2);
  }

  take(delay: number): boolean {
    if (this.slept + delay > this.policy.maxBackoff) return false;
    this.attempt += 1;
    this.slept += delay;
    return true;
  }

  /** Seconds to wait before retrying after `err`, or null to give up. */
  nextDelay(err: Failure): number | null {
    if (!failureIsTransient(err, this.idempotent) || this.exhausted) return null;
    const delay = this.proposed(err.retryAfter);
    return this.take(delay) ? delay : null;
  }
}

/** Where a model lives: `https://clarifai.com/{userId}/{appId}/models/{modelId}`. */
export interface ModelRef {
  userId: string;
  appId: string;
  modelId: string;
  versionId?: string | null;
}

export const DEFAULT_API_BASE = "https://api.clarifai.com";
export const USERS_ME = "/v2/users/me";

/** `/v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]`, each id URL-quoted. */
export function modelPath(model: ModelRef): string {
  const ids: [string, string][] = [
    ["users", model.userId],
    ["apps", model.appId],
    ["models", model.modelId],
  ];
  if (model.versionId) ids.push(["versions", model.versionId]);
  return "/v2" + ids.map(([kind, value]) => `/${kind}/${quote(value)}`).join("");
}

/** Python's `urllib.parse.quote(value, safe="")`: everything but A-Z a-z 0-9 `_.-~` escaped. */
function quote(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}
