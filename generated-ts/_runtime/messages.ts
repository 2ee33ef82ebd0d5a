/** The request envelope, response status checks and stream frames (messages.py). */

import { decodeValue } from "./decode.js";
import { obj } from "./decoders.js";
import {
  ClarifaiError,
  MalformedResponse,
  errorFromBody,
  errorFromStatus,
  shown,
} from "./errors.js";
import { type Json, get } from "./json.js";
import { MIXED_STATUS, type ModelRef, SUCCESS, statusCode } from "./protocol.js";
import type { Type } from "./signature.js";

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A `PostModelOutputsRequest` with one input calling `methodName`, routed to `runner` (the
 * `runner_selector` JSON) when given. */
export function requestBody(
  model: ModelRef,
  methodName: string,
  parts: Json[],
  runner: Json | null = null,
): Json {
  const data: Json = { metadata: { _method_name: methodName } };
  if (parts.length) data["parts"] = parts;
  const body: Json = {
    user_app_id: { user_id: model.userId, app_id: model.appId },
    model_id: model.modelId,
  };
  if (model.versionId) body["version_id"] = model.versionId;
  body["inputs"] = [{ data }];
  if (runner !== null) body["runner_selector"] = runner;
  return body;
}

/** A successful `MultiOutputResponse`, or the matching ClarifaiError thrown. */
export function checkResponse(body: unknown, httpStatus: number | null): Json {
  if (!isRecord(body)) {
    throw new MalformedResponse("malformed response: expected a JSON object", { httpStatus });
  }
  const status = get(body, "status");
  const code = isRecord(status) ? statusCode(get(status, "code")) : null;
  const outputs = get(body, "outputs");
  // A batch's MIXED_STATUS: each output has its own status, checked by the batch.
  const mixed = code === MIXED_STATUS && Array.isArray(outputs) && outputs.length > 1;
  if (status !== undefined && code !== SUCCESS && !mixed) throw errorFromStatus(status, httpStatus);
  if (!mixed && Array.isArray(outputs) && outputs.length && isRecord(outputs[0])) {
    const outStatus = get(outputs[0], "status");
    if (isRecord(outStatus)) {
      const outCode = statusCode(get(outStatus, "code"));
      if (outCode !== null && outCode !== SUCCESS) throw errorFromStatus(outStatus, httpStatus);
    }
  }
  return body;
}

/** `user.id` of a successful `SingleUserResponse`. */
export function ownerIdOf(body: Json): string {
  const user = get(body, "user");
  const id = isRecord(user) ? get(user, "id") : undefined;
  if (typeof id !== "string" || !id.trim()) {
    throw new MalformedResponse("malformed response: the user lookup carries no user.id");
  }
  return id.trim();
}

/** Does a (successful) response carry a value? Streams may send empty messages. */
export function hasOutputs(body: Json): boolean {
  const outputs = get(body, "outputs");
  return Array.isArray(outputs) && outputs.length > 0;
}

/** Decode `outputs[0].data.parts[id == "return"].data` (or the value inlined on `data`); any
 * failure is a typed error. */
export function outputValue(t: Type, body: Json): unknown {
  try {
    const outputs = get(body, "outputs");
    if (!Array.isArray(outputs) || !outputs.length || !isRecord(outputs[0])) {
      throw new MalformedResponse("malformed response: no outputs");
    }
    const data = obj(get(outputs[0], "data"), "outputs[0].data");
    const parts = get(data, "parts");
    for (const part of Array.isArray(parts) ? parts : []) {
      if (isRecord(part) && get(part, "id") === "return") {
        return decodeValue(t, obj(get(part, "data"), "return"), "return");
      }
    }
    return decodeValue(t, data, "return");
  } catch (err) {
    if (err instanceof ClarifaiError) throw err;
    if (err instanceof RangeError) {
      throw new MalformedResponse("malformed response: the value is nested too deeply");
    }
    const what = err instanceof Error ? `${err.name}: ${shown(err.message)}` : "an error";
    throw new MalformedResponse(`malformed response: cannot decode the value (${what})`);
  }
}

/** One streamed object: `{"result": resp}`, a bare response, or `{"error": ...}` (thrown). */
export function unwrapFrame(frame: unknown, httpStatus: number | null): Json {
  if (isRecord(frame)) {
    const result = get(frame, "result");
    if (isRecord(result)) return checkResponse(result, httpStatus);
    const keys = (k: string): boolean => Object.prototype.hasOwnProperty.call(frame, k);
    if (keys("error") && !keys("status") && !keys("outputs"))
      throw errorFromBody(frame, httpStatus);
  }
  return checkResponse(frame, httpStatus);
}
