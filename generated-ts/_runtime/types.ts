/** The data types of the Clarifai model protocol (mirrors `codegen/runtime/types.py`). */

/** A JSON_DATA value. On the wire it is a protobuf Struct (every number is a double). */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Raw bytes: a `Uint8Array` (a Node `Buffer` is one). */
export type Bytes = Uint8Array;

function checkUrl(cls: string, url: unknown): string {
  if (typeof url !== "string") throw new TypeError(`${cls}.fromUrl() expects a string`);
  return url;
}

function checkBytes(cls: string, data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError(`${cls}.fromBytes() expects a Uint8Array`);
  return new Uint8Array(data); // a copy: the caller may change theirs
}

async function readFile(path: string): Promise<Uint8Array> {
  const fs = await import("node:fs/promises");
  return new Uint8Array(await fs.readFile(path));
}

/** A media value, by `url` or inline `bytes` (sent base64-encoded). */
abstract class Media {
  readonly url: string | null;
  readonly bytes: Uint8Array | null;

  constructor(init: { url?: string | null; bytes?: Uint8Array | null } = {}) {
    this.url = init.url ?? null;
    this.bytes = init.bytes ?? null;
  }

  toString(): string {
    const attrs: string[] = [];
    if (this.url !== null) attrs.push(`url=${JSON.stringify(this.url)}`);
    if (this.bytes !== null) attrs.push(`bytes=<${this.bytes.length} bytes>`);
    return `${this.constructor.name}(${attrs.join(", ")})`;
  }
}

/** An image, by `url` or inline `bytes` (encoded, e.g. PNG or JPEG). */
export class Image extends Media {
  /** A reference by URL (the platform downloads it). */
  static fromUrl(url: string): Image {
    return new Image({ url: checkUrl("Image", url) });
  }
  /** Inline content. */
  static fromBytes(data: Uint8Array): Image {
    return new Image({ bytes: checkBytes("Image", data) });
  }
  /** Inline content read from a local file. */
  static async fromFile(path: string): Promise<Image> {
    return new Image({ bytes: await readFile(path) });
  }
}

/** An audio clip, by `url` or inline `bytes`. */
export class Audio extends Media {
  static fromUrl(url: string): Audio {
    return new Audio({ url: checkUrl("Audio", url) });
  }
  static fromBytes(data: Uint8Array): Audio {
    return new Audio({ bytes: checkBytes("Audio", data) });
  }
  static async fromFile(path: string): Promise<Audio> {
    return new Audio({ bytes: await readFile(path) });
  }
}

/** A video, by `url` or inline `bytes`. */
export class Video extends Media {
  static fromUrl(url: string): Video {
    return new Video({ url: checkUrl("Video", url) });
  }
  static fromBytes(data: Uint8Array): Video {
    return new Video({ bytes: checkBytes("Video", data) });
  }
  static async fromFile(path: string): Promise<Video> {
    return new Video({ bytes: await readFile(path) });
  }
}

/** A text, optionally with a URL. Arguments of type TEXT also accept a plain string. */
export class Text {
  readonly text: string;
  readonly url: string | null;

  constructor(text = "", url: string | null = null) {
    this.text = text;
    this.url = url;
  }

  toString(): string {
    return this.text;
  }
}

/** The SDK's default concept id: non-alphanumerics dropped, spaces turned into '-'. */
export function conceptId(name: string): string {
  return name.replace(/[^a-zA-Z0-9\s]/g, "").replace(/ /g, "-");
}

/** A named label with a score. `id` defaults to a slug of `name` (as in the SDK). */
export class Concept {
  readonly name: string;
  readonly value: number;
  readonly id: string;

  constructor(name: string, value = 1.0, id?: string | null) {
    this.name = name;
    this.value = value;
    this.id = id || conceptId(name);
  }
}

/** A region of an image or video frame. `box` is [xmin, ymin, xmax, ymax] in relative
 * coordinates; `point` is [x, y, z]; `text` the region's text; `mask` an image mask. */
export class Region {
  box: [number, number, number, number] | null;
  concepts: Concept[];
  id: string;
  text: string;
  trackId: string;
  mask: Image | null;
  point: [number, number, number] | null;

  constructor(init: Partial<Region> = {}) {
    this.box = init.box ?? null;
    this.concepts = init.concepts ?? [];
    this.id = init.id ?? "";
    this.text = init.text ?? "";
    this.trackId = init.trackId ?? "";
    this.mask = init.mask ?? null;
    this.point = init.point ?? null;
  }
}

/** A video frame: `time` in seconds (milliseconds on the wire), `index`, image, regions. */
export class Frame {
  image: Image | null;
  regions: Region[];
  time: number;
  index: number;

  constructor(init: Partial<Frame> = {}) {
    this.image = init.image ?? null;
    this.regions = init.regions ?? [];
    this.time = init.time ?? 0;
    this.index = init.index ?? 0;
  }
}

/** The numpy dtypes an NDArray can hold, with their typed-array views. */
export const DTYPES = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;
export type DType = keyof typeof DTYPES;
export type TypedArray = InstanceType<(typeof DTYPES)[DType]>;

function dtypeOf(array: TypedArray): DType {
  for (const [name, cls] of Object.entries(DTYPES)) {
    if (array.constructor === cls) return name as DType;
  }
  throw new TypeError("NDArray.from() expects a typed array");
}

/** An NDARRAY value: a numpy dtype name, a shape and the raw little-endian buffer, as numpy
 * sends it. Build one with `NDArray.from(new Float32Array([...]), [2, 2])`; read it with
 * `toTypedArray()`. A dtype this runtime has no view for (float16, ...) still travels as bytes. */
export class NDArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly buffer: Uint8Array;

  constructor(dtype: string, shape: readonly number[], buffer: Uint8Array) {
    this.dtype = dtype;
    this.shape = [...shape];
    this.buffer = buffer;
  }

  /** An array of `data`'s elements, shaped `shape` (default: one dimension). */
  static from(data: TypedArray, shape?: readonly number[]): NDArray {
    const dims = shape ?? [data.length];
    if (dims.reduce((a, b) => a * b, 1) !== data.length) {
      throw new RangeError(
        `NDArray.from(): shape [${dims.join(", ")}] does not hold ${data.length} elements`,
      );
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return new NDArray(dtypeOf(data), dims, new Uint8Array(bytes));
  }

  /** The elements as a typed array (flat, row-major), for the dtypes in `DTYPES`. */
  toTypedArray(): TypedArray {
    const cls = Object.prototype.hasOwnProperty.call(DTYPES, this.dtype)
      ? DTYPES[this.dtype as DType]
      : undefined;
    if (cls === undefined) throw new TypeError(`NDArray: no typed array for dtype ${this.dtype}`);
    const copy = new Uint8Array(this.buffer); // aligned
    return new cls(copy.buffer, 0, copy.byteLength / cls.BYTES_PER_ELEMENT);
  }
}
