/** REST JSON `Data` -> values (decode.py): the nested `parts` of LIST, TUPLE and NAMED_FIELDS,
 * and values of undeclared type. TUPLE values are arrays; NAMED_FIELDS values are objects. */

import { ROWS, repeatedRow } from "./datatypes.js";
import { asList, bad, getField, obj } from "./decoders.js";
import { type Json, get, put } from "./json.js";
import type { Type } from "./signature.js";

function parts(data: Json, what: string): Json[] {
  return asList(get(data, "parts"), what).map((p, i) => obj(p, `${what}.parts[${i}]`));
}

function partData(p: Json, what: string): Json {
  return obj(get(p, "data"), what);
}

/** Untyped values: whichever field is present (in the rows' order), else nested parts (all
 * named: an object; otherwise an array). */
function any(data: Json, what: string): unknown {
  for (const row of ROWS.values()) {
    if (getField(data, row.field) !== undefined) return row.decodeData(data, what);
  }
  const ps = parts(data, what);
  if (ps.length && ps.every((p) => get(p, "id"))) {
    const out: Json = {};
    for (const p of ps) {
      const id = String(get(p, "id"));
      put(out, id, any(partData(p, what), `${what}.${id}`));
    }
    return out;
  }
  if (ps.length) return ps.map((p, i) => any(partData(p, what), `${what}[${i}]`));
  return null;
}

function list(t: Type, data: Json, what: string): unknown {
  const inner = t.args[0] as Type;
  const row = repeatedRow(inner);
  if (row !== undefined) {
    return asList(get(data, row.field), `${what}.${row.field}`).map((v, i) =>
      row.decode(v, `${what}[${i}]`),
    );
  }
  return parts(data, what).map((p, i) => decodeValue(inner, partData(p, what), `${what}[${i}]`));
}

function tuple(t: Type, data: Json, what: string): unknown {
  const ps = parts(data, what);
  if (!ps.length) return null;
  if (ps.length !== t.args.length)
    throw bad(`${what}: expected a tuple of ${t.args.length} parts, got ${ps.length}`);
  return t.args.map((sub, i) => decodeValue(sub, partData(ps[i] as Json, what), `${what}[${i}]`));
}

function named(t: Type, data: Json, what: string): unknown {
  const ps = parts(data, what);
  if (!ps.length) return null;
  const byId = new Map<unknown, Json>();
  for (const p of ps) byId.set(get(p, "id"), partData(p, what));
  const missing = t.fields.map(([name]) => name).filter((name) => !byId.has(name));
  if (missing.length)
    throw bad(`${what}: missing field(s) ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
  const out: Json = {};
  for (const [name, sub] of t.fields)
    put(out, name, decodeValue(sub, byId.get(name) as Json, `${what}.${name}`));
  return out;
}

const CONTAINERS: ReadonlyMap<string, (t: Type, data: Json, what: string) => unknown> = new Map([
  ["LIST", list],
  ["TUPLE", tuple],
  ["NAMED_FIELDS", named],
]);

/** Decode a `Data` JSON object holding a value of type `t`. */
export function decodeValue(t: Type, data: Json, what = "data"): unknown {
  const container = CONTAINERS.get(t.t);
  if (container !== undefined) return container(t, data, what);
  const row = ROWS.get(t.t);
  return row === undefined ? any(data, what) : row.decodeData(data, what);
}
