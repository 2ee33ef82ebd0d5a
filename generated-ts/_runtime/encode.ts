/** Values -> REST JSON `Data` (encode.py): the arguments of a call, their constraints, and the
 * nested `parts` of LIST, TUPLE and NAMED_FIELDS. Each other DataType is a row of `ROWS`. */

import { ROWS, repeatedRow } from "./datatypes.js";
import { fail } from "./encoders.js";
import { ArgumentError } from "./errors.js";
import { type Json, get, hasOwn, isPlainObject } from "./json.js";
import type { Field, MethodSignature, Type } from "./signature.js";
import { Text } from "./types.js";

const quoted = (s: string): string => JSON.stringify(s);

/** Validate `args` (wire name -> value; null or undefined = not passed) and encode them as
 * `parts`. `skip` names an argument to leave out. */
export function encodeArgs(
  method: MethodSignature,
  args: Record<string, unknown>,
  skip?: string,
): Json[] {
  const names = new Set(method.inputs.map((f) => f.name));
  const unknown = Object.keys(args).filter((k) => !names.has(k));
  if (unknown.length) {
    throw new ArgumentError(
      `${method.name}() got unexpected argument(s) ${unknown.map(quoted).join(", ")}`,
    );
  }
  const parts: Json[] = [];
  for (const f of method.inputs) {
    if (f.name === skip) continue;
    const value = get(args, f.name);
    if (value === undefined || value === null) {
      if (f.required)
        throw new ArgumentError(`${method.name}() missing required argument ${quoted(f.name)}`);
      continue;
    }
    const where = `${method.name}() argument ${quoted(f.name)}`;
    const part = encodePart(f.type, value, where, f.name);
    checkConstraints(f, value, where);
    parts.push(part);
  }
  return parts;
}

/** A `Part` holding `value`. Like the SDK, an empty list (sent as nested parts) leaves `data`
 * unset rather than empty. */
export function encodePart(t: Type, value: unknown, where: string, partId?: string): Json {
  const data = encodeValue(t, value, where);
  const part: Json = partId === undefined ? {} : { id: partId };
  const inner = t.args[0];
  if (
    Object.keys(data).length ||
    !(t.t === "LIST" && inner !== undefined && repeatedRow(inner) === undefined)
  ) {
    part["data"] = data;
  }
  return part;
}

function same(value: unknown, choice: unknown): boolean {
  if (typeof value === "bigint")
    return typeof choice === "number" && Number.isInteger(choice) && BigInt(choice) === value;
  return value === choice;
}

/** `choices` and the inclusive [min, max] range of a field. */
export function checkConstraints(f: Field, value: unknown, where: string): void {
  const plain = value instanceof Text ? value.text : value;
  const scalar =
    typeof plain === "string" || typeof plain === "number" || typeof plain === "bigint";
  if (f.choices !== null && scalar && !f.choices.some((c) => same(plain, c))) {
    const allowed = f.choices.map((c) => JSON.stringify(c)).join(", ");
    throw new ArgumentError(`${where}: ${show(plain)} is not one of ${allowed}`);
  }
  if (typeof plain !== "number" && typeof plain !== "bigint") return;
  const n = Number(plain);
  if (f.minimum !== null && !(n >= f.minimum)) {
    throw new ArgumentError(`${where}: ${show(plain)} is below the minimum ${f.minimum}`);
  }
  if (f.maximum !== null && !(n <= f.maximum)) {
    throw new ArgumentError(`${where}: ${show(plain)} is above the maximum ${f.maximum}`);
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function items(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  const iterable =
    typeof value === "object" &&
    value !== null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function";
  if (!iterable || ArrayBuffer.isView(value) || isPlainObject(value))
    throw fail(where, "an array", value);
  return [...(value as Iterable<unknown>)];
}

function list(t: Type, value: unknown, where: string): Json {
  const values = items(value, where);
  const inner = t.args[0] as Type;
  const row = repeatedRow(inner);
  if (row !== undefined) {
    const encoded = values.map((v, i) => row.encode(v, `${where}[${i}]`));
    return encoded.length ? { [row.field]: encoded } : {};
  }
  const parts = values.map((v, i) => encodePart(inner, v, `${where}[${i}]`));
  return parts.length ? { parts } : {};
}

function tuple(t: Type, value: unknown, where: string): Json {
  if (!Array.isArray(value)) throw fail(where, "a tuple (array)", value);
  if (value.length !== t.args.length) {
    throw new ArgumentError(
      `${where}: expected a tuple of length ${t.args.length}, got ${value.length}`,
    );
  }
  return { parts: t.args.map((sub, i) => encodePart(sub, value[i], `${where}[${i}]`, String(i))) };
}

function named(t: Type, value: unknown, where: string): Json {
  if (!isPlainObject(value)) throw fail(where, "an object", value);
  const names = new Set(t.fields.map(([name]) => name));
  const extra = Object.keys(value).filter((k) => !names.has(k));
  if (extra.length)
    throw new ArgumentError(`${where}: unexpected key(s) ${extra.map(quoted).join(", ")}`);
  const missing = t.fields.map(([name]) => name).filter((k) => !hasOwn(value, k));
  if (missing.length)
    throw new ArgumentError(`${where}: missing key(s) ${missing.map(quoted).join(", ")}`);
  return {
    parts: t.fields.map(([name, sub]) =>
      encodePart(sub, value[name], `${where}[${quoted(name)}]`, name),
    ),
  };
}

/** Best effort for fields without a declared type: the row is chosen by the value's type. */
function any(value: unknown, where: string): Json {
  if (value === null || value === undefined) return {};
  for (const row of ROWS.values()) {
    // a list of concepts, regions or frames (before JSON lists)
    if (
      row.shape === "repeated" &&
      Array.isArray(value) &&
      value.length &&
      value.every((v) => row.accepts(v))
    ) {
      return { [row.field]: value.map((v, i) => row.encode(v, `${where}[${i}]`)) };
    }
  }
  for (const row of ROWS.values()) {
    if (row.accepts(value)) return row.encodeData(value, where);
  }
  throw fail(where, "a string, number, boolean, bytes, JSON, NDArray or media value", value);
}

const CONTAINERS: ReadonlyMap<string, (t: Type, value: unknown, where: string) => Json> = new Map([
  ["LIST", list],
  ["TUPLE", tuple],
  ["NAMED_FIELDS", named],
]);

/** Encode one value of type `t` as a `Data` JSON object. */
export function encodeValue(t: Type, value: unknown, where = "value"): Json {
  const container = CONTAINERS.get(t.t);
  if (container !== undefined) return container(t, value, where);
  const row = ROWS.get(t.t);
  return row === undefined ? any(value, where) : row.encodeData(value, where);
}
