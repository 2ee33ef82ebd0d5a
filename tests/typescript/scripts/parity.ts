/** Wire parity: for each case on stdin, the request JSON the runtime builds and the values it
 * decodes from the given responses (tagged), or the error each raises. */

import { encodeArgs } from "../../../codegen/runtime_ts/encode.js";
import { outputValue, requestBody } from "../../../codegen/runtime_ts/messages.js";
import type { ModelRef } from "../../../codegen/runtime_ts/protocol.js";
import { parseMethod } from "../../../codegen/runtime_ts/signature.js";
import { readInput, tag, untag } from "./tags.js";

interface Case {
  method: unknown;
  args?: Record<string, unknown>;
  model?: ModelRef;
  decode?: { method: unknown; responses: Record<string, unknown>[] };
}

function attempt<T>(f: () => T): { ok: T } | { error: string; message: string } {
  try {
    return { ok: f() };
  } catch (err) {
    const e = err as Error;
    return { error: e.name, message: e.message };
  }
}

const cases = (await readInput()) as Case[];
const results = cases.map((c) => {
  const method = parseMethod(c.method);
  const out: Record<string, unknown> = {};
  if (c.args !== undefined) {
    const args = untag({ $dict: c.args }) as Record<string, unknown>;
    out["encoded"] = attempt(() => {
      const parts = encodeArgs(method, args);
      return c.model ? requestBody(c.model, method.name, parts) : { parts };
    });
  }
  if (c.decode !== undefined) {
    const output = parseMethod(c.decode.method).output;
    out["decoded"] = c.decode.responses.map((r) => attempt(() => tag(outputValue(output, r))));
  }
  return out;
});
process.stdout.write(JSON.stringify(results));
