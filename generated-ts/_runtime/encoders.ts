/** The encoders of the DataTypes (encoders.py): a value -> the JSON of the `Data` field holding
 * it, validated; errors are `ArgumentError`s naming `where`. Output is canonical proto3 JSON:
 * zero scalars omitted, int64 as strings, bytes as base64. */

import { ArgumentError } from "./errors.js";
import { type Json, get, hasOwn, isPlainObject, put, toBase64, typeName } from "./json.js";
import { Audio, Concept, Frame, Image, NDArray, Region, Text, Video } from "./types.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function fail(where: string, expected: string, value: unknown, hint = ""): ArgumentError {
  return new ArgumentError(`${where}: expected ${expected}, got ${typeName(value)}${hint}`);
}

export function isInteger(value: unknown): value is number | bigint {
  return typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
}

function int(value: unknown, where: string): bigint {
  if (!isInteger(value)) throw fail(where, "an integer", value);
  const out = BigInt(value);
  if (out < INT64_MIN || out > INT64_MAX) {
    throw new ArgumentError(`${where}: ${out} does not fit in a signed 64-bit integer`);
  }
  return out;
}

function float(value: unknown, where: string): number {
  if (typeof value !== "number") throw fail(where, "a number", value);
  return value;
}

/** Proto3 JSON spells non-finite doubles as strings. */
function jsonFloat(value: number): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

function str(value: unknown, where: string): string {
  if (typeof value !== "string") throw fail(where, "a string", value);
  return value;
}

function scalar(out: Json, key: string, value: unknown): Json {
  if (value) out[key] = value;
  return out;
}

function media(value: Image | Audio | Video, where: string): Json {
  const out: Json = {};
  if (value.url !== null) scalar(out, "url", str(value.url, `${where}.url`));
  if (value.bytes !== null) {
    if (!(value.bytes instanceof Uint8Array))
      throw fail(`${where}.bytes`, "a Uint8Array", value.bytes);
    scalar(out, "base64", toBase64(value.bytes));
  }
  return out;
}

export function string(value: unknown, where: string): string {
  return str(value, where);
}

export function int64(value: unknown, where: string): string {
  const n = int(value, where);
  return n ? n.toString() : "";
}

export function double(value: unknown, where: string): number | string {
  return jsonFloat(float(value, where));
}

export function boolean(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw fail(where, "a boolean", value);
  return value;
}

export function rawBytes(value: unknown, where: string): string {
  if (!(value instanceof Uint8Array)) throw fail(where, "a Uint8Array", value);
  return toBase64(value);
}

export function image(value: unknown, where: string): Json {
  if (value instanceof Image) return media(value, where);
  const hint =
    typeof value === "string" || value instanceof Uint8Array
      ? " (use Image.fromUrl(...) or Image.fromBytes(...))"
      : "";
  throw fail(where, "an Image", value, hint);
}

export function audio(value: unknown, where: string): Json {
  if (!(value instanceof Audio)) throw fail(where, "an Audio", value);
  return media(value, where);
}

export function video(value: unknown, where: string): Json {
  if (!(value instanceof Video)) throw fail(where, "a Video", value);
  return media(value, where);
}

export function text(value: unknown, where: string): Json {
  let t: unknown = value;
  if (typeof value === "string") t = new Text(value);
  else if (isPlainObject(value)) {
    const url = get(value, "url");
    t = new Text(
      (get(value, "text") as string | undefined) || "",
      (url as string | null | undefined) ?? null,
    );
  }
  if (!(t instanceof Text)) throw fail(where, "a Text or a string", value);
  const raw = str(t.text, `${where}.text`);
  const url = t.url === null ? "" : str(t.url, `${where}.url`);
  return scalar(scalar({}, "raw", raw), "url", url);
}

export function concept(value: unknown, where: string): Json {
  if (!(value instanceof Concept)) throw fail(where, "a Concept", value);
  const v = float(value.value, `${where}.value`);
  const out: Json = {};
  scalar(out, "id", str(value.id, `${where}.id`));
  scalar(out, "name", str(value.name, `${where}.name`));
  return scalar(out, "value", jsonFloat(v));
}

function floats(value: unknown, n: number, where: string): number[] {
  if (!Array.isArray(value)) throw fail(where, `an array of ${n} numbers`, value);
  const items = value.map((v: unknown) => float(v, where));
  if (items.length !== n)
    throw new ArgumentError(`${where}: expected ${n} values, got ${items.length}`);
  return items;
}

function fscalars(pairs: [string, number][]): Json {
  const out: Json = {};
  for (const [key, value] of pairs) scalar(out, key, jsonFloat(value));
  return out;
}

export function region(value: unknown, where: string): Json {
  if (!(value instanceof Region)) throw fail(where, "a Region", value);
  const info: Json = {};
  if (value.box !== null) {
    const [x0, y0, x1, y1] = floats(value.box, 4, `${where}.box`) as [
      number,
      number,
      number,
      number,
    ];
    info["bounding_box"] = fscalars([
      ["top_row", y0],
      ["left_col", x0],
      ["bottom_row", y1],
      ["right_col", x1],
    ]);
  }
  if (value.mask !== null) info["mask"] = { image: image(value.mask, `${where}.mask`) };
  if (value.point !== null) {
    const [x, y, z] = floats(value.point, 3, `${where}.point`) as [number, number, number];
    info["point"] = fscalars([
      ["row", y],
      ["col", x],
      ["z", z],
    ]);
  }
  const data: Json = {};
  if (!Array.isArray(value.concepts))
    throw fail(`${where}.concepts`, "an array of Concepts", value.concepts);
  if (value.concepts.length) {
    data["concepts"] = value.concepts.map((c, i) => concept(c, `${where}.concepts[${i}]`));
  }
  if (str(value.text, `${where}.text`)) data["text"] = { raw: value.text };
  const out = scalar({}, "id", str(value.id, `${where}.id`));
  if (Object.keys(info).length) out["region_info"] = info;
  if (Object.keys(data).length) out["data"] = data;
  return scalar(out, "track_id", str(value.trackId, `${where}.trackId`));
}

/** Python's round(): halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function frame(value: unknown, where: string): Json {
  if (!(value instanceof Frame)) throw fail(where, "a Frame", value);
  const index = int(value.index, `${where}.index`);
  const seconds = float(value.time, `${where}.time`);
  if (index < 0n || index >= 2n ** 32n)
    throw new ArgumentError(`${where}.index: ${index} is out of range`);
  if (!(seconds >= 0 && seconds < 2 ** 63 / 1000))
    throw new ArgumentError(`${where}.time: ${seconds} is out of range`);
  const out: Json = {};
  if (index || seconds) {
    const ms = roundHalfEven(seconds * 1000);
    const info = scalar({}, "index", Number(index));
    out["frame_info"] = scalar(info, "time", ms ? BigInt(ms).toString() : "");
  }
  const data: Json = {};
  if (value.image !== null) data["image"] = image(value.image, `${where}.image`);
  if (!Array.isArray(value.regions))
    throw fail(`${where}.regions`, "an array of Regions", value.regions);
  if (value.regions.length)
    data["regions"] = value.regions.map((r, i) => region(r, `${where}.regions[${i}]`));
  if (Object.keys(data).length) out["data"] = data;
  return out;
}

/** The dtypes numpy counts as numbers (np.number), with their item sizes. */
export const ITEM_SIZES: Readonly<Record<string, number>> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
  float16: 2, float32: 4, float64: 8, complex64: 8, complex128: 16,
}; // prettier-ignore

export function isNDArray(value: unknown): value is NDArray {
  return value instanceof NDArray;
}

export function ndarray(value: unknown, where: string): Json {
  const arr =
    ArrayBuffer.isView(value) && !(value instanceof DataView) ? toNDArray(value, where) : value;
  if (!(arr instanceof NDArray)) throw fail(where, "an NDArray", value);
  if (!hasOwn(ITEM_SIZES, arr.dtype)) {
    throw new ArgumentError(
      `${where}: expected a numeric array, got dtype ${JSON.stringify(arr.dtype)}`,
    );
  }
  const shape = arr.shape.map((n) => int(n, `${where}.shape`));
  const size = shape.reduce((a, b) => a * b, 1n) * BigInt(ITEM_SIZES[arr.dtype] as number);
  if (shape.some((n) => n < 0n) || size !== BigInt(arr.buffer.byteLength)) {
    throw new ArgumentError(
      `${where}: the buffer does not hold shape [${arr.shape.join(", ")}] of ${arr.dtype}`,
    );
  }
  const out = scalar({}, "buffer", toBase64(arr.buffer));
  out["dtype"] = arr.dtype;
  if (shape.length) out["shape"] = shape.map(Number);
  return out;
}

function toNDArray(value: ArrayBufferView, where: string): NDArray {
  try {
    return NDArray.from(value as Parameters<typeof NDArray.from>[0]);
  } catch {
    throw fail(where, "an NDArray", value);
  }
}

/** A JSON-compatible copy of `value`, or ArgumentError. */
function plainJson(value: unknown, where: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new ArgumentError(`${where}: ${value} cannot be sent as JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v: unknown, i) => plainJson(v, `${where}[${i}]`));
  if (isPlainObject(value)) {
    const out: Json = {};
    for (const key of Object.keys(value))
      put(out, key, plainJson(value[key], `${where}[${JSON.stringify(key)}]`));
    return out;
  }
  throw fail(where, "a JSON value", value);
}

export function jsonData(value: unknown, where: string): Json {
  if (Array.isArray(value)) return { _list: plainJson(value, where) };
  if (isPlainObject(value)) return plainJson(value, where) as Json;
  throw fail(where, "an object or an array (JSON)", value);
}
