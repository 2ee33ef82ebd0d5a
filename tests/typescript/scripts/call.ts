/** Calls through the TypeScript runtime's `Client`, for the behaviour tests. Each line of stdin
 * is a payload, `{client, model, calls: [{mode, method, args, ...}]}`, answered by one line of
 * JSON, `{results: [{values, error, elapsed}]}`, until stdin closes (one process serves a whole
 * test module; it outlives every call it makes, so a closed connection is the runtime's doing). */

import { createInterface } from "node:readline";

import {
  type CallOptions,
  Client,
  type ClientOptions,
  type ModelRef,
  type RunnerOptions,
  parseMethod,
} from "../../../codegen/runtime_ts/index.js";
import { dump, tag, untag } from "./tags.js";

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

async function answer(payload: Payload): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  let client: Client;
  try {
    client = new Client(payload.client);
  } catch (err) {
    return [{ values: [], error: dump(err), elapsed: 0 }];
  }
  for (const call of payload.calls) results.push(await run(client, payload.model, call));
  return results;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const results = await answer(JSON.parse(line) as Payload);
  process.stdout.write(JSON.stringify({ results }) + "\n");
}
process.exit(0); // fetch's idle keep-alive sockets would keep the process up a few seconds more
