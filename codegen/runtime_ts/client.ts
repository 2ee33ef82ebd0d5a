/** The client generated model classes call (aclient.py): `unary`, `unaryBatch`, `serverStream`,
 * `bidiStream`, over the REST transport (http.ts). */

import {
  BatchResults,
  DEFAULT_CONCURRENCY,
  checkConcurrency,
  prepare,
  route,
  sendAll,
} from "./batch.js";
import { redact } from "./core.js";
import { encodeArgs } from "./encode.js";
import {
  ArgumentError,
  AuthError,
  ClarifaiError,
  StreamingNotSupportedError,
  TransportError,
} from "./errors.js";
import { HttpTransport } from "./http.js";
import type { Json } from "./json.js";
import { outputValue, requestBody } from "./messages.js";
import { DEFAULT_API_BASE, type ModelRef } from "./protocol.js";
import { type RunnerOptions, type RunnerSelector, resolveRunner } from "./runner.js";
import type { MethodSignature } from "./signature.js";

// 64 MiB of JSON holds a 48 MB image or millions of floats, and bounds what a hostile server costs.
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A client's settings. `pat` defaults to `process.env.CLARIFAI_PAT`, `apiBase` to
 * `CLARIFAI_API_BASE` or https://api.clarifai.com. `timeout` (seconds) is the deadline of each
 * attempt of a unary call; a stream fails when no message arrives for `timeout` seconds.
 * Transient failures (throttling, model loading, HTTP 429/503, connection errors) are retried up
 * to `maxRetries` times with exponential backoff from `backoff` seconds (or the server's
 * Retry-After), sleeping at most `maxBackoff` seconds in total; a failure after the request may
 * have reached the model is retried only for a method declared `idempotent` (true: every method,
 * or a list of method names). `maxResponseBytes` bounds a body and one stream message.
 * `batchConcurrency` bounds the requests of one batch in flight. The runner options (also from
 * CLARIFAI_DEPLOYMENT_ID, CLARIFAI_DEPLOYMENT_USER_ID, CLARIFAI_COMPUTE_CLUSTER_ID,
 * CLARIFAI_NODEPOOL_ID) route every call to a deployment or nodepool. */
export interface ClientOptions extends RunnerOptions {
  pat?: string;
  apiBase?: string;
  timeout?: number;
  maxRetries?: number;
  backoff?: number;
  maxBackoff?: number;
  maxResponseBytes?: number;
  batchConcurrency?: number;
  idempotent?: boolean | readonly string[];
}

/** Per call: a runner selection over the client's, and an AbortSignal that cancels the call.
 * `undefined` is "not given" (a generated class passes its own on, which may be unset, and a
 * project with `exactOptionalPropertyTypes` must be able to say so). */
export interface CallOptions {
  runner?: RunnerOptions | undefined;
  signal?: AbortSignal | undefined;
}

function nonNegative(
  name: string,
  value: number | undefined,
  fallback: number,
  strict = false,
): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || Number.isNaN(v) || (strict ? v <= 0 : v < 0)) {
    throw new ArgumentError(`${name} must be a number ${strict ? ">" : ">="} 0`);
  }
  return v;
}

function resolvePat(pat: string | undefined): string {
  const value = (pat ?? process.env["CLARIFAI_PAT"] ?? "").trim();
  if (!value) {
    throw new AuthError(
      "no Clarifai PAT: set the CLARIFAI_PAT environment variable or pass new Client({ pat })",
    );
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new AuthError("the PAT contains whitespace, control or non-ASCII characters");
  }
  return value;
}

function resolveBase(apiBase: string | undefined): string {
  const base = (apiBase || process.env["CLARIFAI_API_BASE"] || DEFAULT_API_BASE)
    .trim()
    .replace(/\/+$/, "");
  if (!/^https?:\/\//.test(base)) {
    throw new TransportError(
      `apiBase must start with http:// or https://, got ${JSON.stringify(base)}`,
    );
  }
  return base;
}

function checkIdempotent(value: unknown): boolean | ReadonlySet<string> {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string"))
    return new Set(value as string[]);
  throw new ArgumentError("idempotent must be a boolean or an array of method names");
}

/** A connection to the Clarifai API, shared by generated model classes. */
export class Client {
  readonly apiBase: string;
  readonly runner: RunnerSelector;
  readonly batchConcurrency: number;
  readonly #pat: string;
  readonly #transport: HttpTransport;
  readonly #idempotent: boolean | ReadonlySet<string>;
  #owner: Promise<string> | null = null;

  constructor(options: ClientOptions = {}) {
    this.runner = resolveRunner(options);
    this.#pat = resolvePat(options.pat);
    this.apiBase = resolveBase(options.apiBase);
    const timeout = nonNegative("timeout", options.timeout, 60, true);
    const policy = {
      maxRetries: nonNegative("maxRetries", options.maxRetries, 4),
      backoff: nonNegative("backoff", options.backoff, 0.5),
      maxBackoff: nonNegative("maxBackoff", options.maxBackoff, 60),
    };
    const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isInteger(limit) || limit < 1)
      throw new ArgumentError("maxResponseBytes must be an integer >= 1");
    this.batchConcurrency = checkConcurrency(options.batchConcurrency ?? DEFAULT_CONCURRENCY);
    this.#idempotent = checkIdempotent(options.idempotent);
    this.#transport = new HttpTransport({
      pat: this.#pat,
      baseUrl: this.apiBase,
      timeout,
      policy,
      maxResponseBytes: limit,
    });
  }

  toString(): string {
    return `Client(apiBase=${JSON.stringify(this.apiBase)}, pat='***')`;
  }

  /** Never shows the PAT (`console.log`, `util.inspect`). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  private isIdempotent(name: string): boolean {
    const v = this.#idempotent;
    return typeof v === "boolean" ? v : v.has(name);
  }

  /** The `runner_selector` of a call routed by `runner` over the client's selection; looks up
   * the PAT's owner (once per client; a failed lookup is not kept) when no user id is known. */
  async runnerJson(runner?: RunnerOptions, signal?: AbortSignal): Promise<Json | null> {
    const selector = runner === undefined ? this.runner : this.runner.bind(runner);
    if (!selector.needsUser) return selector.toJson();
    if (this.#owner === null) {
      const lookup = this.#transport.ownerId(signal);
      this.#owner = lookup;
      lookup.catch(() => {
        if (this.#owner === lookup) this.#owner = null;
      });
    }
    return selector.toJson(await this.#owner);
  }

  private guard(err: unknown): never {
    if (err instanceof ClarifaiError) throw redact(err, this.#pat);
    throw err;
  }

  /** Call a unary method; resolves to its decoded return value. */
  async unary(
    model: ModelRef,
    method: MethodSignature,
    args: Record<string, unknown>,
    call: CallOptions = {},
  ): Promise<unknown> {
    try {
      const parts = encodeArgs(method, args);
      const body = requestBody(
        model,
        method.name,
        parts,
        await this.runnerJson(call.runner, call.signal),
      );
      const response = await this.#transport.unary(
        model,
        body,
        this.isIdempotent(method.name),
        call.signal,
      );
      return outputValue(method.output, response);
    } catch (err) {
      return this.guard(err);
    }
  }

  /** Call a unary method once per item (see batch.ts); resolves to the values in item order. */
  async unaryBatch(
    model: ModelRef,
    method: MethodSignature,
    items: readonly Record<string, unknown>[],
    names: Record<string, string>,
    defaults: Record<string, unknown>,
    call: CallOptions = {},
  ): Promise<unknown[]> {
    try {
      let chunks = prepare(model, method, items, names, defaults);
      chunks = route(chunks, await this.runnerJson(call.runner, call.signal));
      const results = new BatchResults(method, chunks);
      const idempotent = this.isIdempotent(method.name);
      const send = (body: Json): Promise<Json> =>
        this.#transport.unary(model, body, idempotent, call.signal);
      await sendAll(chunks, send, this.batchConcurrency, results);
      return results.finish();
    } catch (err) {
      return this.guard(err);
    }
  }

  /** Call a server-streaming method: the arguments are validated now (`ArgumentError` is thrown
   * by this call); the request is sent when iteration starts. Leaving the loop early (`break`,
   * `return`, an exception) aborts the request. */
  serverStream(
    model: ModelRef,
    method: MethodSignature,
    args: Record<string, unknown>,
    call: CallOptions = {},
  ): AsyncIterable<unknown> {
    let parts: Json[];
    try {
      parts = encodeArgs(method, args);
    } catch (err) {
      return this.guard(err);
    }
    return this.values(model, method, parts, call);
  }

  private async *values(
    model: ModelRef,
    method: MethodSignature,
    parts: Json[],
    call: CallOptions,
  ): AsyncGenerator<unknown> {
    try {
      const body = requestBody(
        model,
        method.name,
        parts,
        await this.runnerJson(call.runner, call.signal),
      );
      const idempotent = this.isIdempotent(method.name);
      for await (const response of this.#transport.serverStream(
        model,
        body,
        idempotent,
        call.signal,
      )) {
        yield outputValue(method.output, response);
      }
    } catch (err) {
      this.guard(err);
    }
  }

  /** Bidirectional streaming needs gRPC, which this runtime does not have: throws
   * `StreamingNotSupportedError` (after validating the other arguments). */
  bidiStream(
    model: ModelRef,
    method: MethodSignature,
    args: Record<string, unknown>,
    call: CallOptions = {},
  ): AsyncIterable<unknown> {
    void model;
    void call;
    const stream = method.inputs.find((f) => f.iterator);
    try {
      encodeArgs(method, args, stream?.name);
    } catch (err) {
      return this.guard(err);
    }
    throw bidiOverHttpError(method.name);
  }
}

/** What `bidiStream` throws. */
export function bidiOverHttpError(methodName: string): StreamingNotSupportedError {
  return new StreamingNotSupportedError(
    `${methodName}() streams its input, which HTTP cannot carry; the TypeScript runtime has no ` +
      'gRPC transport (call it from the Python client with transport="grpc")',
  );
}
