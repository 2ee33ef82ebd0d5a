/** Calls through the *generated* model classes (test_generated_calls.py). Compiled in a workspace
 * where `pkg/` is the golden package with the every-type model added, and the shared tags module
 * reads the package's own `_runtime` (one copy of each class, so `instanceof` holds). Each line of
 * stdin is a payload, `{client, calls: [{cls, member, args, options, model?, runner?, take?}]}`
 * (`model`, `runner`: the class's constructor options), answered
 * by one line, `{results: [{values, error, elapsed}]}`; `{describe: true}` is answered
 * with each class's members. One process serves a whole test module. */

import { createInterface } from "node:readline";

import { AllTypes } from "../pkg/all_types.js";
import { EveryType } from "../pkg/every_type.js";
import {
  Client,
  type ClientOptions,
  type ModelRef,
  type RunnerOptions,
} from "../pkg/_runtime/index.js";
import { dump, tag, untag } from "../tests/typescript/scripts/tags.js";

const CLASSES = { AllTypes, EveryType };
type Member = (...args: unknown[]) => Promise<unknown> | AsyncIterable<unknown>;

interface Call {
  cls: keyof typeof CLASSES;
  member: string;
  args: unknown[]; // tagged positional arguments
  options: Record<string, unknown>; // tagged options object
  model?: ModelRef;
  runner?: RunnerOptions;
  take?: number; // a stream: leave the loop after this many values
}

interface Payload {
  client: ClientOptions;
  calls: Call[];
  describe?: boolean;
}

function members(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((name) => name !== "constructor");
}

async function run(client: Client, call: Call): Promise<Record<string, unknown>> {
  const options: { model?: ModelRef; runner?: RunnerOptions } = {};
  if (call.model) options.model = call.model;
  if (call.runner) options.runner = call.runner;
  const model = new CLASSES[call.cls](client, options);
  const member = (model as unknown as Record<string, Member>)[call.member];
  if (typeof member !== "function") throw new Error(`${call.cls} has no member ${call.member}`);
  const args = (call.args.map(untag) as unknown[]).concat([untag({ $dict: call.options })]);
  const values: unknown[] = [];
  let error: Record<string, unknown> | null = null;
  const start = performance.now();
  try {
    const out = member.apply(model, args);
    if (out instanceof Promise) values.push(await out);
    else {
      for await (const value of out) {
        values.push(value);
        if (call.take !== undefined && values.length >= call.take) break;
      }
    }
  } catch (err) {
    error = dump(err);
  }
  return { values: values.map(tag), error, elapsed: (performance.now() - start) / 1000 };
}

async function answer(payload: Payload): Promise<Record<string, unknown>> {
  if (payload.describe) {
    return { members: { AllTypes: members(AllTypes), EveryType: members(EveryType) } };
  }
  const client = new Client(payload.client);
  const results: Record<string, unknown>[] = [];
  for (const call of payload.calls) results.push(await run(client, call));
  return { results };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  process.stdout.write(JSON.stringify(await answer(JSON.parse(line) as Payload)) + "\n");
}
process.exit(0); // fetch's idle keep-alive sockets would keep the process up a few seconds more
