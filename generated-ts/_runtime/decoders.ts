/** The decoders of the DataTypes (decoders.py): the JSON of the `Data` field holding a value
 * (undefined when absent) -> the value. Errors are `MalformedResponse`s naming `what`. Both proto3
 * JSON spellings are read (snake_case and camelCase keys; int64 as strings or numbers); missing
 * scalars decode as their zero value. INT decodes to a number, or a bigint beyond 2**53. */

import { MalformedResponse, shown } from "./errors.js";
import { ITEM_SIZES } from "./encoders.js";
import { type Json, fromBase64, get, hasOwn } from "./json.js";
import { Audio, Concept, Frame, Image, NDArray, Region, Text, Video } from "./types.js";

export function bad(what: string): MalformedResponse {
  return new MalformedResponse(`malformed response: ${what}`);
}

/** `d[key]`, also under its camelCase spelling; null counts as absent. */
export function getField(d: Json, key: string): unknown {
  const value = hasOwn(d, key)
    ? d[key]
    : get(
        d,
        key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      );
  return value === null ? undefined : value;
}

export function obj(value: unknown, what: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw bad(`${what} is not an object`);
  return value as Json;
}

export function asList(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${what} is not a list`);
  return value;
}

/** An own property of `d` (null counts as absent). */
function at(d: Json, key: string): unknown {
  const value = get(d, key);
  return value === null ? undefined : value;
}

export function string(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw bad(`${what} is not a string`);
  return value;
}

export function int64(value: unknown, what: string): number | bigint {
  if (value === undefined || value === null) return 0;
  let big: bigint | null = null;
  if (typeof value === "number" && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === "string" && /^\s*[+-]?[0-9]+\s*$/.test(value))
    big = BigInt(value.trim());
  if (big === null) throw bad(`${what} is not an integer: ${shown(value)}`);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

const SPECIAL: Readonly<Record<string, number>> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
};

export function double(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (hasOwn(SPECIAL, value)) return SPECIAL[value] as number;
    const n = value.trim() ? Number(value) : NaN;
    if (!Number.isNaN(n)) return n;
  }
  throw bad(`${what} is not a number: ${shown(value)}`);
}

export function boolean(value: unknown, what: string): boolean {
  const raw = value ?? false;
  if (typeof raw !== "boolean") throw bad(`${what} is not a bool`);
  return raw;
}

/** Base64 text (standard or URL-safe, padding optional). */
export function rawBytes(value: unknown, what: string): Uint8Array {
  const out = fromBase64(string(value, what));
  if (out === null) throw bad(`${what} is not base64`);
  return out;
}

type MediaClass = typeof Image | typeof Audio | typeof Video;

function media<C extends MediaClass>(cls: C, value: unknown, what: string): InstanceType<C> {
  const d = obj(value, what);
  const url = string(at(d, "url"), `${what}.url`);
  const data = rawBytes(at(d, "base64"), `${what}.base64`);
  return new cls({ url: url || null, bytes: data.length ? data : null }) as InstanceType<C>;
}

export function image(value: unknown, what: string): Image | null {
  return value === undefined ? null : media(Image, value, what);
}

export function audio(value: unknown, what: string): Audio | null {
  return value === undefined ? null : media(Audio, value, what);
}

export function video(value: unknown, what: string): Video | null {
  return value === undefined ? null : media(Video, value, what);
}

export function text(value: unknown, what: string): Text | null {
  if (value === undefined) return null;
  const d = obj(value, what);
  const url = string(at(d, "url"), `${what}.url`);
  return new Text(string(at(d, "raw"), `${what}.raw`), url || null);
}

export function concept(value: unknown, what: string): Concept {
  const d = obj(value, what);
  const name = string(at(d, "name"), `${what}.name`);
  return new Concept(
    name,
    double(at(d, "value"), `${what}.value`),
    string(at(d, "id"), `${what}.id`),
  );
}

function concepts(value: unknown, what: string): Concept[] {
  return asList(value, what).map((c, i) => concept(c, `${what}[${i}]`));
}

export function region(value: unknown, what: string): Region {
  const d = obj(value, what);
  const info = obj(getField(d, "region_info"), `${what}.region_info`);
  const data = obj(at(d, "data"), `${what}.data`);
  const out = new Region();
  const bb = getField(info, "bounding_box");
  if (bb !== undefined) {
    const b = obj(bb, `${what}.bounding_box`);
    const keys = ["left_col", "top_row", "right_col", "bottom_row"];
    out.box = keys.map((k) => double(getField(b, k), `${what}.bounding_box.${k}`)) as Region["box"];
  }
  const point = at(info, "point");
  if (point !== undefined) {
    const p = obj(point, `${what}.point`);
    out.point = [
      double(at(p, "col"), `${what}.point.col`),
      double(at(p, "row"), `${what}.point.row`),
      double(at(p, "z"), `${what}.point.z`),
    ];
  }
  const mask = at(info, "mask");
  if (mask !== undefined) {
    const m = obj(mask, `${what}.mask`);
    const img = at(m, "image");
    if (img !== undefined) out.mask = media(Image, img, `${what}.mask.image`);
  }
  const txt = obj(at(data, "text"), `${what}.data.text`);
  out.concepts = concepts(at(data, "concepts"), `${what}.data.concepts`);
  out.id = string(at(d, "id"), `${what}.id`);
  out.text = string(at(txt, "raw"), `${what}.data.text.raw`);
  out.trackId = string(getField(d, "track_id"), `${what}.track_id`);
  return out;
}

export function frame(value: unknown, what: string): Frame {
  const d = obj(value, what);
  const info = obj(getField(d, "frame_info"), `${what}.frame_info`);
  const data = obj(at(d, "data"), `${what}.data`);
  const img = at(data, "image");
  const regions = asList(at(data, "regions"), `${what}.data.regions`);
  return new Frame({
    image: img === undefined ? null : media(Image, img, `${what}.data.image`),
    regions: regions.map((r, i) => region(r, `${what}.data.regions[${i}]`)),
    time: Number(int64(at(info, "time"), `${what}.frame_info.time`)) / 1000,
    index: Number(int64(at(info, "index"), `${what}.frame_info.index`)),
  });
}

export function jsonData(value: unknown, what: string): unknown {
  if (value === undefined) return null;
  const out = obj(value, what);
  const keys = Object.keys(out);
  if (keys.length === 1 && keys[0] === "_list" && Array.isArray(out["_list"])) return out["_list"];
  return out;
}

export function ndarray(value: unknown, what: string): NDArray | null {
  if (value === undefined) return null;
  const d = obj(value, what);
  const buffer = rawBytes(at(d, "buffer"), `${what}.buffer`);
  const dtype = string(at(d, "dtype"), `${what}.dtype`);
  if (!buffer.length && !dtype) return null;
  const shape = asList(at(d, "shape"), `${what}.shape`).map((n) =>
    Number(int64(n, `${what}.shape`)),
  );
  const item = hasOwn(ITEM_SIZES, dtype) ? ITEM_SIZES[dtype] : undefined;
  if (item === undefined) throw bad(`${what}: unsupported dtype ${shown(dtype)}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((n) => n < 0) || count * item !== buffer.length) {
    throw bad(
      `${what}: a buffer of ${buffer.length} bytes cannot hold shape [${shape.join(", ")}] of ${dtype}`,
    );
  }
  return new NDArray(dtype, shape, buffer);
}
