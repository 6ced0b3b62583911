import type { JsonObject } from "@kv/core";
import type { StandardJSONSchemaV1, StandardSchemaV1 } from "./standard-schema.js";

/**
 * How a typed value becomes the JSON object a store holds, following py-key-value's
 * PydanticAdapter: a type that serializes to a JSON object is stored as it is, any
 * other (array, scalar, union, nullable) as `{"items": value}`.
 *
 * - `"never"`: the value is stored as it is (the schema's output is an object).
 * - `"always"`: every value is stored as `{"items": value}`.
 * - `"non-objects"`: decided per value, for schemas that cannot describe their
 *   output type: objects as they are, anything else wrapped.
 */
export type ItemsWrapping = "never" | "always" | "non-objects";

/** The property py-key-value wraps non-object values in. */
export const ITEMS = "items";

/**
 * PydanticAdapter's rule: wrap unless the top-level JSON Schema of the output type
 * says `"type": "object"`. Without a JSON Schema (the library offers none, or the
 * type has none, such as a transform) the decision is made per value.
 */
export function detectItemsWrapping(schema: StandardSchemaV1): ItemsWrapping {
  const converter = (schema["~standard"] as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
  if (typeof converter?.output !== "function") return "non-objects";
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = converter.output({ target: "draft-2020-12" });
  } catch {
    // The library says so for types JSON Schema cannot express; the value decides then.
    return "non-objects";
  }
  return jsonSchema.type === "object" ? "never" : "always";
}

export function isJsonObjectLike(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function wrapItems(value: unknown, wrapping: ItemsWrapping): JsonObject {
  const wrap = wrapping === "always" || (wrapping === "non-objects" && !isJsonObjectLike(value));
  // The store refuses anything that is not a JSON object, with a SerializationError.
  return (wrap ? { [ITEMS]: value } : value) as JsonObject;
}

export function hasItems(stored: JsonObject): boolean {
  return Object.prototype.hasOwnProperty.call(stored, ITEMS);
}
