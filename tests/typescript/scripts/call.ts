/** Calls through the TypeScript runtime's `Client`, for the behaviour tests. The first line of
 * stdin is the payload: `{client, model, calls: [{mode, method, args, ...}]}`; one line of JSON
 * comes out, `{results: [{values, error, elapsed}]}`; then the process stays alive until stdin
 * closes (so a test can watch the server while the process that broke out of a stream lives). */

import { createInterface } from "node:readline";
import { inspect } from "node:util";

import {
  type CallOptions,
  Client,
  type ClientOptions,
  type ModelRef,
  type RunnerOptions,
  parseMethod,
} from "../../../codegen/runtime_ts/index.js";
import { tag, untag } from "./tags.js";

interface Call {
  mode: "unary" | "stream" | "batch" | "bidi";
  method: unknown;
  args?: Record<string, unknown>;
  take?: number; // stream: leave the loop after this many values
  items?: Record<string, unknown>[];
  names?: Record<string, string>;
  defaults?: Record<string, unknown>;
  runner?: RunnerOptions;
  abortAfterMs?: number;
}

interface Payload {
  client: ClientOptions;
  model: ModelRef;
  calls: Call[];
}

/** Everything an error shows: its class, message, own properties, and `util.inspect` (stack and
 * cause chain included): the tests look for the PAT in all of it. */
function dump(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error))
    return { name: typeof err, message: String(err), inspect: inspect(err) };
  const props: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(err)) {
    if (key === "stack") continue;
    const value = (err as unknown as Record<string, unknown>)[key];
    props[key] = key === "results" ? tag(value) : key === "cause" ? String(value) : value;
  }
  return {
    name: err.constructor.name,
    message: err.message,
    props: JSON.parse(
      JSON.stringify(props, (_k, v: unknown) => (v instanceof Error ? String(v) : v)),
    ),
    inspect: inspect(err, { depth: 8 }),
  };
}

async function run(client: Client, model: ModelRef, call: Call): Promise<Record<string, unknown>> {
  const method = parseMethod(call.method);
  const args = untag({ $dict: call.args ?? {} }) as Record<string, unknown>;
  const options: CallOptions = {};
  if (call.runner) options.runner = call.runner;
  if (call.abortAfterMs !== undefined) options.signal = AbortSignal.timeout(call.abortAfterMs);
  const values: unknown[] = [];
  const start = performance.now();
  let error: Record<string, unknown> | null = null;
  try {
    if (call.mode === "unary") values.push(await client.unary(model, method, args, options));
    else if (call.mode === "batch") {
      const items = (call.items ?? []).map(
        (item) => untag({ $dict: item }) as Record<string, unknown>,
      );
      values.push(
        ...(await client.unaryBatch(
          model,
          method,
          items,
          call.names ?? {},
          call.defaults ?? {},
          options,
        )),
      );
    } else {
      const stream =
        call.mode === "bidi"
          ? client.bidiStream(model, method, args, options)
          : client.serverStream(model, method, args, options);
      for await (const value of stream) {
        values.push(value);
        if (call.take !== undefined && values.length >= call.take) break;
      }
    }
  } catch (err) {
    error = dump(err);
  }
  return { values: values.map(tag), error, elapsed: (performance.now() - start) / 1000 };
}

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
const payload = JSON.parse(first.value as string) as Payload;
const results: Record<string, unknown>[] = [];
let client: Client | null = null;
try {
  client = new Client(payload.client);
} catch (err) {
  results.push({ values: [], error: dump(err), elapsed: 0 });
}
if (client !== null) {
  for (const call of payload.calls) results.push(await run(client, payload.model, call));
}
process.stdout.write(JSON.stringify({ results }) + "\n");
for (;;) {
  const next = await iterator.next(); // until stdin closes
  if (next.done) break;
}
process.exit(0);
