/** Small helpers over untrusted JSON-like values: own-property reads and writes (a key such as
 * "__proto__" or "constructor" is data, never the prototype), type names, base64. */

export type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `obj[key]` if it is an own property, else undefined. */
export function get(obj: object, key: string): unknown {
  return hasOwn(obj, key) ? (obj as Json)[key] : undefined;
}

/** `obj[key] = value` as an own, enumerable property (also for "__proto__"). */
export function put(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value's type for an error message: its class name, or `typeof`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "Array";
  if (typeof value === "object") {
    const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
    return typeof ctor === "function" && ctor.name ? ctor.name : "object";
  }
  return typeof value;
}

export function toBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard or URL-safe base64, padding optional; null when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  let t =
    text.includes("-") || text.includes("_") ? text.replace(/-/g, "+").replace(/_/g, "/") : text;
  t += "=".repeat((4 - (t.length % 4)) % 4);
  if (!BASE64.test(t)) return null;
  return Uint8Array.from(Buffer.from(t, "base64"));
}
