/** Method signatures embedded in generated modules (`loadSignatures`), validated like signature.py. */

export const TYPE_NAMES: ReadonlySet<string> = new Set(
  (
    "STR BYTES INT FLOAT BOOL NDARRAY JSON_DATA TEXT IMAGE CONCEPT REGION FRAME AUDIO VIDEO " +
    "LIST TUPLE NAMED_FIELDS ANY"
  ).split(" "),
);
export const KINDS: ReadonlySet<string> = new Set(["unary", "server_stream", "bidi_stream"]);

/** A wire data type: `t` is the DataType name; `args` for LIST/TUPLE, `fields` for NAMED_FIELDS. */
export interface Type {
  readonly t: string;
  readonly args: readonly Type[];
  readonly fields: readonly (readonly [string, Type])[];
}

/** One method argument (`name` is the wire name). */
export interface Field {
  readonly name: string;
  readonly type: Type;
  readonly required: boolean;
  readonly iterator: boolean;
  readonly choices: readonly unknown[] | null;
  readonly minimum: number | null;
  readonly maximum: number | null;
}

/** A model method: its name, call kind, arguments and return type. */
export interface MethodSignature {
  readonly name: string;
  readonly kind: string;
  readonly inputs: readonly Field[];
  readonly output: Type;
}

type Raw = Record<string, unknown>;

function fail(where: string, what: string): Error {
  return new Error(`invalid signature JSON (${where}): ${what}`);
}

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `raw[key]` when it is raw's own property (a key like "constructor" never reads the prototype). */
export function own(raw: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(raw, key)
    ? (raw as Record<string, unknown>)[key]
    : undefined;
}

/** Python's truthiness (signature.py reads these fields with `bool()` and `or ()`). */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** A list field: absent or empty is no items; anything else but an array is invalid. */
function list(value: unknown, where: string): readonly unknown[] {
  if (!truthy(value)) return [];
  if (!Array.isArray(value)) throw fail(where, "expected a list");
  return value;
}

export function makeType(
  t: string,
  args: readonly Type[] = [],
  fields: readonly (readonly [string, Type])[] = [],
): Type {
  return { t, args, fields };
}

function parseType(raw: unknown, where: string): Type {
  const t = isObject(raw) ? own(raw, "t") : undefined;
  if (!isObject(raw) || typeof t !== "string" || !TYPE_NAMES.has(t)) {
    throw fail(where, `bad type ${JSON.stringify(raw) ?? String(raw)}`);
  }
  const args = list(own(raw, "args"), where).map((a) => parseType(a, `${where}.args`));
  const fields: (readonly [string, Type])[] = [];
  for (const item of list(own(raw, "fields"), where)) {
    if (!(Array.isArray(item) && item.length === 2 && typeof item[0] === "string")) {
      throw fail(where, "bad named field");
    }
    fields.push([item[0], parseType(item[1], `${where}.${item[0]}`)]);
  }
  if (t === "LIST" && args.length !== 1) throw fail(where, "LIST needs exactly one type argument");
  if (t === "TUPLE" && args.length === 0) throw fail(where, "TUPLE needs type arguments");
  if (t === "NAMED_FIELDS" && fields.length === 0) throw fail(where, "NAMED_FIELDS needs fields");
  return makeType(t, args, fields);
}

function bound(raw: unknown, where: string): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "number") throw fail(where, "bad bound");
  return raw;
}

function parseField(raw: unknown, method: string): Field {
  const name = isObject(raw) ? own(raw, "name") : undefined;
  if (!isObject(raw) || typeof name !== "string") throw fail(method, "bad field");
  const where = `${method}.${name}`;
  const choices = own(raw, "choices");
  if (choices !== undefined && choices !== null && !Array.isArray(choices)) {
    throw fail(where, "choices must be a list");
  }
  return {
    name,
    type: parseType(own(raw, "type"), where),
    required: truthy(own(raw, "required")),
    iterator: truthy(own(raw, "iterator")),
    choices: Array.isArray(choices) && choices.length > 0 ? [...(choices as unknown[])] : null,
    minimum: bound(own(raw, "min"), where),
    maximum: bound(own(raw, "max"), where),
  };
}

/** Build a `MethodSignature` from its decoded JSON object (unknown keys are ignored). */
export function parseMethod(raw: unknown): MethodSignature {
  const name = isObject(raw) ? own(raw, "name") : undefined;
  if (!isObject(raw) || typeof name !== "string") throw fail("?", "method name missing");
  const given = own(raw, "kind");
  const kind = given === undefined ? "unary" : given; // an explicit null is a bad kind
  if (typeof kind !== "string" || !KINDS.has(kind)) throw fail(name, "bad kind");
  const inputs = list(own(raw, "inputs"), name).map((f) => parseField(f, name));
  return { name, kind, inputs, output: parseType(own(raw, "output"), `${name}.return`) };
}

/** Parse the per-method JSON strings a generated module embeds: `{name: json}`. The result has
 * exactly the keys given (no index signature), so `METHODS.predict` is checked by the compiler and
 * reads under `noUncheckedIndexedAccess` / `noPropertyAccessFromIndexSignature`. */
export function loadSignatures<K extends string>(
  src: Readonly<Record<K, string>>,
): Record<K, MethodSignature> {
  const out = Object.create(null) as Record<K, MethodSignature>;
  for (const key of Object.keys(src) as K[]) {
    out[key] = parseMethod(JSON.parse(src[key]));
  }
  return out;
}

/** The argument named `name`, if any. */
export function fieldOf(method: MethodSignature, name: string): Field | undefined {
  return method.inputs.find((f) => f.name === name);
}
