/** The runtime's I/O-free pieces on inputs from stdin (`[{op, ...}]`), for parity with Python:
 * stream framing, status -> error, retry decisions, Retry-After, signatures, runner selection,
 * model paths. Each answer is `{ok: ...}` or `{error: <class name>}`. */

import { errorFromBody } from "../../../codegen/runtime_ts/errors.js";
import { FrameDecoder } from "../../../codegen/runtime_ts/framing.js";
import {
  type ModelRef,
  isTransient,
  modelPath,
  parseRetryAfter,
} from "../../../codegen/runtime_ts/protocol.js";
import { type RunnerOptions, resolveRunner } from "../../../codegen/runtime_ts/runner.js";
import { parseMethod } from "../../../codegen/runtime_ts/signature.js";
import { readInput } from "./tags.js";

type Op = Record<string, unknown> & { op: string };

function frames(op: Op): unknown {
  const decoder = new FrameDecoder(op["limit"] as number);
  const out: unknown[] = [];
  for (const chunk of op["chunks"] as string[])
    out.push(...decoder.feed(Buffer.from(chunk, "base64")));
  decoder.finish();
  return out;
}

function error(op: Op): unknown {
  const err = errorFromBody(op["body"], op["http"] as number | null, (op["text"] as string) ?? "");
  return { class: err.name, code: err.code, httpStatus: err.httpStatus, reqId: err.reqId };
}

const OPS: Record<string, (op: Op) => unknown> = {
  frames,
  error,
  transient: (op) =>
    isTransient(
      op["code"] as number | null,
      op["http"] as number | null,
      op["idempotent"] as boolean,
    ),
  retryAfter: (op) => parseRetryAfter(op["value"] as string | null, op["now"] as number),
  signature: (op) => parseMethod(op["raw"]),
  runner: (op) => {
    const env = op["env"] as Record<string, string>;
    return resolveRunner(op["options"] as RunnerOptions, env).toJson("owner");
  },
  modelPath: (op) => modelPath(op["model"] as ModelRef),
};

const ops = (await readInput()) as Op[];
const answers = ops.map((op) => {
  try {
    return { ok: (OPS[op.op] as (op: Op) => unknown)(op) ?? null };
  } catch (err) {
    return { error: (err as Error).name };
  }
});
// Non-finite numbers by name (JSON has none).
const named = (_key: string, v: unknown): unknown =>
  typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
process.stdout.write(JSON.stringify(answers, named));
