/** Values crossing between Python and Node as JSON (the format of tests/typescript/tags.py), and
 * errors as JSON. */

import { inspect } from "node:util";

import {
  Audio,
  Concept,
  Frame,
  Image,
  NDArray,
  Region,
  Text,
  Video,
} from "../../../codegen/runtime_ts/index.js";

type Tagged = unknown;

const b64 = (data: Uint8Array | null): string | null =>
  data === null ? null : Buffer.from(data).toString("base64");
const bytes = (text: string | null): Uint8Array | null =>
  text === null ? null : new Uint8Array(Buffer.from(text, "base64"));

/** Tagged JSON -> a runtime value. */
export function untag(v: Tagged): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(untag);
  const o = v as Record<string, unknown>;
  const [key] = Object.keys(o);
  const body = o[key as string] as never;
  switch (key) {
    case "$bigint":
      return BigInt(body as string);
    case "$float":
      return Number(body as string);
    case "$bytes":
      return bytes(body);
    case "$nd": {
      const nd = body as { dtype: string; shape: number[]; data: string };
      return new NDArray(nd.dtype, nd.shape, bytes(nd.data) as Uint8Array);
    }
    case "$text": {
      const [text, url] = body as [string, string | null];
      return new Text(text, url);
    }
    case "$image":
    case "$audio":
    case "$video": {
      const [url, data] = body as [string | null, string | null];
      const cls = key === "$image" ? Image : key === "$audio" ? Audio : Video;
      return new cls({ url, bytes: bytes(data) });
    }
    case "$concept": {
      const [name, value, id] = body as [string, Tagged, string];
      return new Concept(name, untag(value) as number, id);
    }
    case "$region": {
      const r = body as Record<string, Tagged>;
      return new Region({
        box: untag(r["box"]) as Region["box"],
        concepts: untag(r["concepts"]) as Concept[],
        id: r["id"] as string,
        text: r["text"] as string,
        trackId: r["track_id"] as string,
        mask: untag(r["mask"]) as Image | null,
        point: untag(r["point"]) as Region["point"],
      });
    }
    case "$frame": {
      const f = body as Record<string, Tagged>;
      return new Frame({
        image: untag(f["image"]) as Image | null,
        regions: untag(f["regions"]) as Region[],
        time: untag(f["time"]) as number,
        index: f["index"] as number,
      });
    }
    case "$dict": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(body as Record<string, Tagged>)) {
        Object.defineProperty(out, k, { value: untag(x), enumerable: true, writable: true });
      }
      return out;
    }
    default:
      throw new Error(`unknown tag ${String(key)}`);
  }
}

function num(v: number): Tagged {
  if (Number.isFinite(v)) return v;
  return { $float: Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity" };
}

/** A runtime value -> tagged JSON. */
export function tag(v: unknown): Tagged {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return num(v);
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: b64(v) };
  if (Array.isArray(v)) return v.map(tag);
  if (v instanceof NDArray) {
    return { $nd: { dtype: v.dtype, shape: v.shape, data: b64(v.buffer) } };
  }
  if (v instanceof Text) return { $text: [v.text, v.url] };
  if (v instanceof Image) return { $image: [v.url, b64(v.bytes)] };
  if (v instanceof Audio) return { $audio: [v.url, b64(v.bytes)] };
  if (v instanceof Video) return { $video: [v.url, b64(v.bytes)] };
  if (v instanceof Concept) return { $concept: [v.name, num(v.value), v.id] };
  if (v instanceof Region) {
    const region = {
      box: v.box === null ? null : v.box.map(num),
      concepts: v.concepts.map(tag),
      id: v.id,
      text: v.text,
      track_id: v.trackId,
      mask: tag(v.mask),
      point: v.point === null ? null : v.point.map(num),
    };
    return { $region: region };
  }
  if (v instanceof Frame) {
    const frame = {
      image: tag(v.image),
      regions: v.regions.map(tag),
      time: num(v.time),
      index: v.index,
    };
    return { $frame: frame };
  }
  if (typeof v === "object") {
    const out: Record<string, Tagged> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, { value: tag(x), enumerable: true, writable: true });
    }
    return { $dict: out };
  }
  throw new Error(`cannot tag a ${typeof v}`);
}

/** Everything an error shows: its class, message, own properties, and `util.inspect` (stack and
 * cause chain included): the tests look for the PAT in all of it. */
export function dump(err: unknown): Record<string, unknown> {
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

/** All of stdin as JSON. */
export async function readInput(): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf-8")) as unknown;
}
