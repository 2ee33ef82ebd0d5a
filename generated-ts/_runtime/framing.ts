/** JSON out of response bytes, within limits (framing.py): a whole body (`parseJson`) and the
 * messages of a streamed body (`FrameDecoder`: NDJSON, concatenated JSON or a JSON array of
 * objects, in linear time). Failures are `MalformedResponse` or `ResponseTooLargeError`. */

import { MalformedResponse, ResponseTooLargeError } from "./errors.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d; // prettier-ignore
const SEPARATORS = new Set([0x20, 0x09, 0x0d, 0x0a, 0x2c, OPEN_BRACKET, CLOSE_BRACKET]);

export function tooLarge(limit: number, what = "the response"): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `${what} is larger than ${limit} bytes; raise new Client({ maxResponseBytes }) to accept it`,
  );
}

/** `JSON.parse` of UTF-8 bytes; every failure a `MalformedResponse`. */
export function parseJson(data: Uint8Array, what = "response"): unknown {
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch {
    throw new MalformedResponse(`malformed ${what} (not JSON: not UTF-8)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof RangeError ? "nested too deeply" : "invalid JSON";
    throw new MalformedResponse(`malformed ${what} (not JSON: ${reason})`);
  }
}

/** Splits a streamed body into JSON values; each byte is looked at once, a message's chunks are
 * kept in a list and parsed once it is complete. A message over `limit` bytes throws as soon as
 * it passes the limit. */
export class FrameDecoder {
  private parts: Uint8Array[] = [];
  private size = 0;
  private depth = 0; // 0: between messages
  private inString = false;
  private escape = false; // the last chunk ended with a backslash in a string

  constructor(private readonly limit: number) {}

  /** Add bytes; return the values they complete. */
  feed(data: Uint8Array): unknown[] {
    const values: unknown[] = [];
    const n = data.length;
    let pos = 0;
    while (pos < n) {
      let start = pos;
      if (this.depth === 0) {
        while (pos < n && SEPARATORS.has(data[pos] as number)) pos++;
        if (pos === n) break;
        if (data[pos] !== OPEN_BRACE) {
          const got = String.fromCharCode(data[pos] as number);
          throw new MalformedResponse(
            `malformed stream: expected a JSON object, got ${JSON.stringify(got)}`,
          );
        }
        start = pos;
        this.depth = 1;
        pos++;
      }
      const end = this.scan(data, pos);
      this.keep(data.subarray(start, end < 0 ? n : end));
      if (end < 0) break;
      values.push(this.take());
      pos = end;
    }
    return values;
  }

  /** At the end of the body: a message in progress is truncated. */
  finish(): void {
    if (this.depth)
      throw new MalformedResponse(`malformed stream: truncated message (${this.size} bytes)`);
  }

  /** The index after the message's closing brace, or -1 if it goes on past `data`. */
  private scan(data: Uint8Array, from: number): number {
    const n = data.length;
    let pos = from;
    if (this.escape) {
      if (pos >= n) return -1;
      pos++;
      this.escape = false;
    }
    while (pos < n) {
      const c = data[pos++] as number;
      if (this.inString) {
        if (c === QUOTE) this.inString = false;
        else if (c === BACKSLASH) {
          if (pos < n) pos++;
          else this.escape = true;
        }
      } else if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) return pos;
      }
    }
    return -1;
  }

  private keep(part: Uint8Array): void {
    this.size += part.length;
    if (this.size > this.limit) throw tooLarge(this.limit, "a stream message");
    this.parts.push(part.slice()); // a copy: the stream may reuse its buffer
  }

  private take(): unknown {
    const whole =
      this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return parseJson(whole, "stream message");
  }
}

export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
