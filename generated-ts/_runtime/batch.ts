/** Typed batches (batch.py): every item validated and encoded before anything is sent, inputs
 * grouped into requests of at most `BATCH_LIMIT`, at most `concurrency` requests in flight; a
 * failed request does not stop the others, and a `BatchError` keeps the results of the rest. */

import { encodeArgs } from "./encode.js";
import {
  ArgumentError,
  BatchError,
  ClarifaiError,
  MalformedResponse,
  errorFromStatus,
} from "./errors.js";
import { type Json, get, hasOwn, isPlainObject } from "./json.js";
import { outputValue, requestBody } from "./messages.js";
import { type ModelRef, SUCCESS, statusCode } from "./protocol.js";
import type { MethodSignature } from "./signature.js";

export const BATCH_LIMIT = 128; // inputs per request: the platform's limit
export const DEFAULT_CONCURRENCY = 4;

/** One request of a batch: the item indices it carries and its body. */
export interface Chunk {
  readonly indices: number[];
  readonly body: Json;
}

export function checkConcurrency(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError(`batchConcurrency must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

const quoted = (s: string): string => JSON.stringify(s);

function encodeItem(
  method: MethodSignature,
  index: number,
  item: unknown,
  names: Record<string, string>,
  defaults: Record<string, unknown>,
): Json[] {
  const where = `${method.name}() batch item ${index}`;
  if (!isPlainObject(item)) throw new ArgumentError(`${where}: expected an object of arguments`);
  const keys = Object.keys(names);
  const unknown = Object.keys(item).filter((k) => !hasOwn(names, k));
  if (unknown.length) {
    const expected = keys.map(quoted).join(", ") || "none";
    throw new ArgumentError(
      `${where}: unexpected key(s) ${unknown.map(quoted).join(", ")} (expected: ${expected})`,
    );
  }
  const args: Json = {};
  const missing: string[] = [];
  for (const key of keys) {
    const wire = names[key] as string;
    const value = get(item, key);
    if (value !== undefined) args[wire] = value;
    else if (hasOwn(defaults, wire)) args[wire] = defaults[wire];
    else missing.push(key);
  }
  if (missing.length)
    throw new ArgumentError(`${where}: missing required key(s) ${missing.map(quoted).join(", ")}`);
  try {
    return encodeArgs(method, args);
  } catch (err) {
    if (err instanceof ArgumentError) throw new ArgumentError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Validate and encode every item, then group the inputs into requests of at most `limit`.
 * `names` maps an item's keys to wire names; `defaults` holds the default of each optional wire
 * name (a key without one is required). */
export function prepare(
  model: ModelRef,
  method: MethodSignature,
  items: readonly unknown[],
  names: Record<string, string>,
  defaults: Record<string, unknown>,
  limit = BATCH_LIMIT,
): Chunk[] {
  if (!Array.isArray(items))
    throw new ArgumentError(`${method.name}() batch: expected an array of argument objects`);
  const inputs = items.map(
    (item, i) =>
      (
        requestBody(model, method.name, encodeItem(method, i, item, names, defaults))[
          "inputs"
        ] as Json[]
      )[0],
  );
  const chunks: Chunk[] = [];
  for (let start = 0; start < inputs.length; start += limit) {
    const group = inputs.slice(start, start + limit);
    const body = requestBody(model, method.name, []);
    body["inputs"] = group;
    chunks.push({ indices: group.map((_, i) => start + i), body });
  }
  return chunks;
}

/** The chunks with `runner` as their `runner_selector`. */
export function route(chunks: Chunk[], runner: Json | null): Chunk[] {
  if (runner === null) return chunks;
  return chunks.map((c) => ({ indices: c.indices, body: { ...c.body, runner_selector: runner } }));
}

/** `0-127, 200` for sorted indices. */
function spans(indices: readonly number[]): string {
  const out: [number, number][] = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  }
  return out.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
}

/** Collects what each request of a batch returned (or threw); `finish` reassembles. */
export class BatchResults {
  readonly values: unknown[];
  private readonly failures: [number[], ClarifaiError][] = [];

  constructor(
    private readonly method: MethodSignature,
    private readonly chunks: readonly Chunk[],
  ) {
    const size = chunks.reduce((n, c) => n + c.indices.length, 0);
    this.values = new Array<unknown>(size).fill(undefined);
  }

  /** A successful response: `outputs[i]` belongs to `chunk.indices[i]`; a failed output fails
   * only its item. */
  addResponse(chunk: Chunk, body: Json): void {
    const outputs = get(body, "outputs");
    if (!Array.isArray(outputs) || outputs.length !== chunk.indices.length) {
      const got = Array.isArray(outputs) ? outputs.length : "no";
      this.addError(
        chunk,
        new MalformedResponse(
          `malformed response: expected ${chunk.indices.length} outputs, got ${got}`,
        ),
      );
      return;
    }
    chunk.indices.forEach((index, i) => {
      try {
        this.values[index] = this.decode(outputs[i]);
      } catch (err) {
        if (!(err instanceof ClarifaiError)) throw err;
        this.failures.push([[index], err]);
      }
    });
  }

  /** A request that failed as a whole: all its items failed. */
  addError(chunk: Chunk, err: ClarifaiError): void {
    this.failures.push([[...chunk.indices], err]);
  }

  /** The values in item order, or a `BatchError` if anything failed. */
  finish(): unknown[] {
    if (!this.failures.length) return this.values;
    const failures = [...this.failures].sort((a, b) => (a[0][0] as number) - (b[0][0] as number));
    const failed = failures.flatMap(([indices]) => indices).sort((a, b) => a - b);
    const [firstIndices, first] = failures[0] as [number[], ClarifaiError];
    let cause = `${first.name}: ${first.message}`;
    if (failures.length > 1)
      cause = `${failures.length} failures, the first (items ${spans(firstIndices)}): ${cause}`;
    const message =
      `${this.method.name}() batch: ${failed.length} of ${this.values.length} items failed ` +
      `(items ${spans(failed)}; ${this.chunks.length} request(s)): ${cause}`;
    throw new BatchError(message, this.values, failures);
  }

  private decode(output: unknown): unknown {
    if (!isPlainObject(output))
      throw new MalformedResponse("malformed response: an output is not an object");
    const status = get(output, "status");
    if (isPlainObject(status)) {
      const code = statusCode(get(status, "code"));
      if (code !== null && code !== SUCCESS) throw errorFromStatus(status);
    }
    return outputValue(this.method.output, { outputs: [output] });
  }
}

/** Send every chunk with `send`, at most `concurrency` at a time. */
export async function sendAll(
  chunks: readonly Chunk[],
  send: (body: Json) => Promise<Json>,
  concurrency: number,
  results: BatchResults,
): Promise<void> {
  const outcomes = new Array<Json | ClarifaiError>(chunks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const i = next++;
      try {
        outcomes[i] = await send((chunks[i] as Chunk).body);
      } catch (err) {
        if (!(err instanceof ClarifaiError)) throw err;
        outcomes[i] = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  chunks.forEach((chunk, i) => {
    const outcome = outcomes[i] as Json | ClarifaiError;
    if (outcome instanceof ClarifaiError) results.addError(chunk, outcome);
    else results.addResponse(chunk, outcome);
  });
}
