/** REST transport over `fetch` (ahttp.py + httpbase.py): unary calls and server streaming, with
 * retries. `timeout` is the deadline of each attempt of a unary call (connect, send, receive
 * together, however slowly the server sends) and, in a stream, the longest silence between two
 * messages (the time the caller holds a value does not count). Bodies are read incrementally:
 * at most `maxResponseBytes` of a unary body or of one stream message, after decompression. A
 * failure after the request may have reached the model is retried only for an idempotent call. */

import { Attempt, CALLER, DEADLINE, aborted, sleep } from "./attempt.js";
import { Attempts, redact } from "./core.js";
import {
  ClarifaiError,
  DeadlineError,
  MalformedResponse,
  TransportError,
  errorFromBody,
} from "./errors.js";
import { FrameDecoder, concat, parseJson, tooLarge } from "./framing.js";
import type { Json } from "./json.js";
import { checkResponse, ownerIdOf, unwrapFrame } from "./messages.js";
import {
  type ModelRef,
  type RetryPolicy,
  USERS_ME,
  modelPath,
  parseRetryAfter,
} from "./protocol.js";

const SNIPPET = 200; // characters of a body that is not JSON shown in an error
// Failures before a byte of the request went out: a repeat cannot run the model twice.
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export interface TransportSettings {
  pat: string;
  baseUrl: string;
  timeout: number; // seconds
  policy: RetryPolicy;
  maxResponseBytes: number;
}

/** Sends request bodies to the REST API and returns successful response objects. */
export class HttpTransport {
  private readonly headers: Record<string, string>;

  constructor(private readonly s: TransportSettings) {
    this.headers = {
      Authorization: `Key ${s.pat}`,
      "Content-Type": "application/json",
      "Accept-Encoding": "gzip, deflate", // what the Python runtime reads (fetch inflates them)
    };
  }

  /** POST .../outputs; retries transient failures; returns the successful response. */
  unary(model: ModelRef, body: Json, idempotent: boolean, signal?: AbortSignal): Promise<Json> {
    return this.request(
      "POST",
      this.url(model, "/outputs"),
      JSON.stringify(body),
      idempotent,
      signal,
    );
  }

  /** The PAT owner's user id: `GET /v2/users/me`. */
  async ownerId(signal?: AbortSignal): Promise<string> {
    return ownerIdOf(await this.request("GET", `${this.s.baseUrl}${USERS_ME}`, null, true, signal));
  }

  private url(model: ModelRef, suffix: string): string {
    return `${this.s.baseUrl}${modelPath(model)}${suffix}`;
  }

  private async request(
    method: string,
    url: string,
    content: string | null,
    idempotent: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Json> {
    const attempts = new Attempts(this.s.policy, this.s.pat, idempotent);
    for (;;) {
      let delay: number;
      try {
        return await this.attempt(method, url, content, signal);
      } catch (err) {
        if (!(err instanceof ClarifaiError)) throw err;
        delay = attempts.delay(err);
      }
      await sleep(delay, signal);
    }
  }

  /** One attempt, within its deadline; the whole body is read before it is parsed. */
  private async attempt(
    method: string,
    url: string,
    content: string | null,
    signal?: AbortSignal,
  ): Promise<Json> {
    const attempt = new Attempt(this.s.timeout * 1000, signal);
    try {
      const response = await this.send(method, url, content, attempt, false);
      const data = await this.read(response, attempt, false);
      return this.parse(response.status, data, response.headers);
    } finally {
      attempt.end();
    }
  }

  private async send(
    method: string,
    url: string,
    content: string | null,
    attempt: Attempt,
    stream: boolean,
  ): Promise<Response> {
    try {
      // redirect: "manual": a 3xx is an error, as under httpx; the PAT never goes elsewhere.
      const init: RequestInit = {
        method,
        headers: this.headers,
        redirect: "manual",
        signal: attempt.controller.signal,
      };
      if (content !== null) init.body = content;
      return await fetch(url, init);
    } catch (err) {
      throw this.connectionError(err, attempt, stream, false);
    }
  }

  /** A whole body, within the size limit and the attempt's clock. */
  private async read(response: Response, attempt: Attempt, stream: boolean): Promise<Uint8Array> {
    const limit = this.s.maxResponseBytes;
    const length = (response.headers.get("content-length") ?? "").trim();
    const reader = response.body?.getReader();
    if (/^[0-9]+$/.test(length) && (length.length > 18 || Number(length) > limit)) {
      await reader?.cancel().catch(() => undefined);
      throw redact(tooLarge(limit), this.s.pat);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const chunk = await this.next(reader, attempt, stream);
      if (chunk === null) break;
      size += chunk.length;
      if (size > limit) {
        await reader?.cancel().catch(() => undefined);
        throw redact(tooLarge(limit), this.s.pat);
      }
      chunks.push(chunk);
    }
    return concat(chunks, size);
  }

  private async next(
    reader: ReadableStreamDefaultReader<Uint8Array> | undefined,
    attempt: Attempt,
    stream: boolean,
  ): Promise<Uint8Array | null> {
    if (reader === undefined) return null;
    try {
      const { done, value } = await reader.read();
      return done ? null : value;
    } catch (err) {
      throw this.connectionError(err, attempt, stream, true);
    }
  }

  private connectionError(
    err: unknown,
    attempt: Attempt,
    stream: boolean,
    responding: boolean,
  ): ClarifaiError {
    const base = this.s.baseUrl;
    const reason = attempt.reason;
    let failure: ClarifaiError;
    if (reason === CALLER) {
      failure = aborted();
    } else if (reason === DEADLINE) {
      const secs = this.s.timeout;
      failure = new DeadlineError(
        stream
          ? `stream from ${base}: no message for ${secs} s, call cancelled (set new Client({ timeout }))`
          : `request to ${base} timed out after ${secs} s (set new Client({ timeout }))`,
      );
      failure.transient = true;
      failure.reached = true;
    } else {
      const cause: unknown = err instanceof Error ? err.cause : undefined;
      const code = cause instanceof Error && "code" in cause ? String(cause.code) : "";
      if (code.startsWith("Z_")) {
        // fetch inflating a corrupt gzip / deflate body: bad data, not a connection failure
        return redact(
          new MalformedResponse("malformed response: corrupt compressed body"),
          this.s.pat,
        );
      }
      const name = err instanceof Error ? err.name : typeof err;
      failure = new TransportError(`request to ${base} failed: ${code || name}`);
      failure.transient = true;
      failure.reached = responding || !NOT_SENT.has(code);
    }
    return redact(failure, this.s.pat);
  }

  /** A body as text, the PAT replaced before any cut. */
  private text(content: Uint8Array): string {
    const text = new TextDecoder().decode(content);
    return this.s.pat ? text.split(this.s.pat).join("***") : text;
  }

  private httpError(status: number, content: Uint8Array, headers: Headers): ClarifaiError {
    let body: unknown = null;
    try {
      body = parseJson(content);
    } catch {
      body = null;
    }
    const err = errorFromBody(body, status, this.text(content));
    err.retryAfter = parseRetryAfter(headers.get("retry-after"));
    return redact(err, this.s.pat);
  }

  /** A unary response: the successful body, or the matching ClarifaiError thrown. */
  private parse(status: number, content: Uint8Array, headers: Headers): Json {
    if (status < 200 || status >= 300) throw this.httpError(status, content, headers);
    let body: unknown;
    try {
      body = parseJson(content);
    } catch (err) {
      const snippet = this.text(content.subarray(0, 4 * SNIPPET))
        .split(/\s+/)
        .filter(Boolean)
        .join(" ");
      const message = err instanceof Error ? err.message : "malformed response";
      throw redact(
        new MalformedResponse(`${message}: ${snippet.slice(0, SNIPPET)}`, { httpStatus: status }),
        this.s.pat,
      );
    }
    try {
      return checkResponse(body, status);
    } catch (err) {
      if (err instanceof ClarifaiError) {
        err.retryAfter = parseRetryAfter(headers.get("retry-after"));
        throw redact(err, this.s.pat);
      }
      throw err;
    }
  }

  /** POST .../outputs/generate; lazily yields each successful response of the stream. Retried
   * only while nothing has been yielded. Leaving the loop early aborts the request. */
  async *serverStream(
    model: ModelRef,
    body: Json,
    idempotent: boolean,
    signal?: AbortSignal,
  ): AsyncGenerator<Json> {
    const url = this.url(model, "/outputs/generate");
    const content = JSON.stringify(body);
    const attempts = new Attempts(this.s.policy, this.s.pat, idempotent);
    for (;;) {
      let delay: number;
      try {
        yield* this.streamAttempt(url, content, attempts, signal);
        return;
      } catch (err) {
        if (!(err instanceof ClarifaiError)) throw err;
        delay = attempts.delay(err);
      }
      await sleep(delay, signal);
    }
  }

  /** One attempt: the messages of one response, each within `timeout` of the last one; the
   * clock stops while the caller holds a value. */
  private async *streamAttempt(
    url: string,
    content: string,
    attempts: Attempts,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Json> {
    const attempt = new Attempt(this.s.timeout * 1000, signal);
    try {
      const response = await this.send("POST", url, content, attempt, true);
      const status = response.status;
      if (status < 200 || status >= 300) {
        throw this.httpError(status, await this.read(response, attempt, true), response.headers);
      }
      const decoder = new FrameDecoder(this.s.maxResponseBytes);
      const reader = response.body?.getReader();
      for (;;) {
        const chunk = await this.next(reader, attempt, true);
        if (chunk === null) break;
        for (const frame of decoder.feed(chunk)) {
          attempt.arm();
          const message = this.frame(frame, status);
          if (attempts.deliver(message)) {
            attempt.disarm(); // the time the caller holds the value is not silence
            yield message;
            attempt.arm();
          }
        }
      }
      decoder.finish();
    } catch (err) {
      if (err instanceof ClarifaiError) throw redact(err, this.s.pat);
      throw err;
    } finally {
      attempt.end();
    }
  }

  private frame(frame: unknown, status: number): Json {
    return unwrapFrame(frame, status);
  }
}
