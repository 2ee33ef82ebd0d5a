/** The public API of `_runtime`: what generated TypeScript modules import. No npm dependency:
 * only Node's `fetch`, `AbortController`, `Buffer`, `TextDecoder`, `process.env`, `node:fs`. */

export {
  Client,
  DEFAULT_MAX_RESPONSE_BYTES,
  type CallOptions,
  type ClientOptions,
} from "./client.js";
export {
  ArgumentError,
  AuthError,
  BatchError,
  ClarifaiError,
  DeadlineError,
  MalformedResponse,
  ModelError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  ServerError,
  StreamingNotSupportedError,
  TransportError,
} from "./errors.js";
export type { ModelRef } from "./protocol.js";
export { RunnerSelector, type RunnerOptions } from "./runner.js";
export {
  loadSignatures,
  parseMethod,
  type Field,
  type MethodSignature,
  type Type,
} from "./signature.js";
export {
  Audio,
  Concept,
  Frame,
  Image,
  NDArray,
  Region,
  Text,
  Video,
  type DType,
  type JsonValue,
  type TypedArray,
} from "./types.js";
