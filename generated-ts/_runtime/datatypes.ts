/** One row per DataType (datatypes.py): the `Data` field that holds it, and how a value is
 * validated and encoded into that field and decoded from it. LIST, TUPLE and NAMED_FIELDS are
 * not rows: they are nested `parts` (encode.ts, decode.ts). */

import * as dec from "./decoders.js";
import * as enc from "./encoders.js";
import { type Json, isPlainObject } from "./json.js";
import type { Type } from "./signature.js";
import { Audio, Concept, Frame, Image, Region, Text, Video } from "./types.js";

type Shape = "scalar" | "message" | "repeated";

/** How one DataType travels in a `Data` message. */
export class DataType {
  constructor(
    readonly field: string,
    readonly accepts: (value: unknown) => boolean,
    readonly encode: (value: unknown, where: string) => unknown,
    readonly decode: (raw: unknown, what: string) => unknown,
    readonly shape: Shape = "message",
  ) {}

  /** `Data` JSON holding `value`. */
  encodeData(value: unknown, where: string): Json {
    const item = this.encode(value, where);
    if (this.shape === "scalar") return item ? { [this.field]: item } : {};
    return { [this.field]: this.shape === "repeated" ? [item] : item };
  }

  /** The value a `Data` JSON object holds (a lone element of a repeated field unwrapped). */
  decodeData(data: Json, what: string): unknown {
    const raw = dec.getField(data, this.field);
    if (this.shape === "scalar") return this.decode(raw, what);
    if (this.shape === "repeated") {
      const items = dec.asList(raw, `${what}.${this.field}`);
      const values = items.map((v, i) => this.decode(v, `${what}[${i}]`));
      return values.length === 1 ? values[0] : values.length ? values : null;
    }
    return this.decode(raw, `${what}.${this.field}`);
  }
}

const isa =
  (cls: abstract new (...args: never[]) => unknown) =>
  (v: unknown): boolean =>
    v instanceof cls;

/** In the order an untyped reply is read (the first field present). */
export const ROWS: ReadonlyMap<string, DataType> = new Map([
  [
    "STR",
    new DataType("string_value", (v) => typeof v === "string", enc.string, dec.string, "scalar"),
  ],
  ["INT", new DataType("int_value", enc.isInteger, enc.int64, dec.int64, "scalar")],
  [
    "FLOAT",
    new DataType("float_value", (v) => typeof v === "number", enc.double, dec.double, "scalar"),
  ],
  [
    "BOOL",
    new DataType("bool_value", (v) => typeof v === "boolean", enc.boolean, dec.boolean, "scalar"),
  ],
  ["BYTES", new DataType("bytes_value", isa(Uint8Array), enc.rawBytes, dec.rawBytes, "scalar")],
  [
    "JSON_DATA",
    new DataType(
      "struct_value",
      (v) => Array.isArray(v) || isPlainObject(v),
      enc.jsonData,
      dec.jsonData,
    ),
  ],
  ["NDARRAY", new DataType("ndarray", enc.isNDArray, enc.ndarray, dec.ndarray)],
  ["TEXT", new DataType("text", isa(Text), enc.text, dec.text)],
  ["IMAGE", new DataType("image", isa(Image), enc.image, dec.image)],
  ["AUDIO", new DataType("audio", isa(Audio), enc.audio, dec.audio)],
  ["VIDEO", new DataType("video", isa(Video), enc.video, dec.video)],
  ["CONCEPT", new DataType("concepts", isa(Concept), enc.concept, dec.concept, "repeated")],
  ["REGION", new DataType("regions", isa(Region), enc.region, dec.region, "repeated")],
  ["FRAME", new DataType("frames", isa(Frame), enc.frame, dec.frame, "repeated")],
]);

/** The row of `t` when its values are elements of a repeated field (CONCEPT, ...). */
export function repeatedRow(t: Type): DataType | undefined {
  const row = ROWS.get(t.t);
  return row !== undefined && row.shape === "repeated" ? row : undefined;
}
