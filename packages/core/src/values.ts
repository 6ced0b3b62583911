import { SerializationError } from "./errors.js";
import type { JsonObject } from "./types.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when `text` encodes as UTF-8, i.e. holds no lone surrogate. */
export const isWellFormedString: (text: string) => boolean = nativeIsWellFormed
  ? (text) => nativeIsWellFormed.call(text)
  : (text) => !LONE_SURROGATE.test(text);

/**
 * An object literal, of this realm or another: a vm context's, or what Node's
 * `structuredClone` returns inside Jest, whose `Object.prototype` is not the test's.
 */
export function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return true;
  return (
    Object.getPrototypeOf(prototype) === null &&
    Object.prototype.hasOwnProperty.call(prototype, "isPrototypeOf") &&
    Object.prototype.toString.call(value) === "[object Object]"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name ? `an instance of ${name}` : "an object";
  }
  return typeof value === "number" ? String(value) : `a ${typeof value}`;
}

/**
 * Refuses, with `SerializationError`, anything that would not come back from a JSON
 * round trip unchanged: a non-object top level, `undefined`, functions, symbols,
 * bigints, non-finite numbers, non-plain objects (Date, Map, Buffer, class
 * instances), sparse arrays, symbol-keyed properties, lone surrogates and cycles.
 * `-0` is accepted (JSON stores it as `0`).
 */
export function assertJsonObject(value: unknown, context: { key?: string; collection?: string } = {}): asserts value is JsonObject {
  // Path segments are kept as a stack and joined only when something fails: this runs on every write.
  const path: (string | number)[] = [];
  const fail = (reason: string): never => {
    const where = path.map((segment) => `[${typeof segment === "number" ? segment : JSON.stringify(segment)}]`).join("");
    throw new SerializationError(`value${where} ${reason}`, context);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value) || !isPlainObject(value)) {
    fail(`must be a plain JSON object, got ${describe(value)}`);
  }
  const ancestors = new Set<object>();

  const visit = (node: unknown): void => {
    switch (typeof node) {
      case "string":
        if (!isWellFormedString(node)) fail("contains a lone UTF-16 surrogate");
        return;
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(node)) fail(`is ${node}, which JSON cannot hold`);
        return;
      case "object":
        break;
      default:
        fail(`is ${describe(node)}, which JSON cannot hold`);
    }
    if (node === null) return;
    const object = node as object;
    if (ancestors.has(object)) fail("contains a cyclic reference");
    ancestors.add(object);
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        path.push(index);
        if (!(index in object)) fail("is a hole in a sparse array");
        visit(object[index]);
        path.pop();
      }
    } else {
      if (!isPlainObject(object)) fail(`is ${describe(object)}, not a plain object`);
      if (Object.getOwnPropertySymbols(object).length > 0) fail("has symbol-keyed properties");
      for (const name in object) {
        if (!Object.prototype.hasOwnProperty.call(object, name)) continue;
        path.push(name);
        if (!isWellFormedString(name)) fail("has a property name with a lone UTF-16 surrogate");
        visit((object as Record<string, unknown>)[name]);
        path.pop();
      }
    }
    ancestors.delete(object);
  };
  visit(value);
}

/** Parses JSON text whose top level must be an object; `undefined` when it is not. */
export function parseJsonObject(text: string): JsonObject | undefined {
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
}

/** A deep copy of a JSON object, through the same JSON round trip a backend applies. */
export function cloneJsonObject(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
