/** The I/O-free core of a call (core.py): PAT redaction and retry decisions. */

import { ClarifaiError } from "./errors.js";
import { type Json, get } from "./json.js";
import { hasOutputs } from "./messages.js";
import { Backoff, type RetryPolicy } from "./protocol.js";

export const MAX_TEXT = 4000; // characters of a (server's) text an error keeps

/** Make sure the PAT appears nowhere in the error: not in its message, its stack, nor any string
 * property (each cut to `MAX_TEXT` characters after the PAT is replaced, so a cut never leaves
 * part of it), nor in its cause chain: a foreign cause (fetch's carries the request) is dropped;
 * a `ClarifaiError` cause (a `BatchError`'s first failure) is redacted in turn. */
export function redact<E extends ClarifaiError>(err: E, pat: string, seen = new Set<unknown>()): E {
  seen.add(err);
  const clean = (text: string): string => {
    let out = pat && text.includes(pat) ? text.split(pat).join("***") : text;
    if (out.length > MAX_TEXT)
      out = `${out.slice(0, MAX_TEXT)}... (${out.length - MAX_TEXT} more characters)`;
    return out;
  };
  for (const key of Object.getOwnPropertyNames(err)) {
    const value: unknown = get(err, key);
    if (typeof value === "string" && key !== "stack") {
      (err as unknown as Json)[key] = clean(value);
    }
  }
  if (typeof err.stack === "string" && pat && err.stack.includes(pat))
    err.stack = err.stack.split(pat).join("***");
  const failures: unknown = get(err, "failures");
  if (Array.isArray(failures)) {
    for (const pair of failures) {
      const failure: unknown = Array.isArray(pair) ? pair[1] : undefined;
      if (failure instanceof ClarifaiError && !seen.has(failure)) redact(failure, pat, seen);
    }
  }
  const cause = err.cause;
  if (cause instanceof ClarifaiError) {
    if (!seen.has(cause)) redact(cause, pat, seen);
  } else if (cause !== undefined) {
    delete err.cause;
  }
  return err;
}

/** The retry state of one call: whether a value reached the caller (then a failure is final)
 * and whether, and how long, to wait before the next attempt. */
export class Attempts {
  private readonly backoff: Backoff;
  delivered = false;

  constructor(
    policy: RetryPolicy,
    private readonly pat: string,
    idempotent = false,
  ) {
    this.backoff = new Backoff(policy, idempotent);
  }

  /** Is `response` a value for the caller (it has outputs)? Marks the call delivered. */
  deliver(response: Json): boolean {
    if (!hasOutputs(response)) return false;
    this.delivered = true;
    return true;
  }

  /** Seconds to wait before retrying after `err` (redacted); throws `err` when the call must
   * not be retried (not transient, out of retries, delivered, or it may have reached the model
   * and the call is not idempotent). */
  delay(err: ClarifaiError): number {
    redact(err, this.pat);
    const delay = this.delivered ? null : this.backoff.nextDelay(err);
    if (delay === null) throw err;
    return delay;
  }
}
