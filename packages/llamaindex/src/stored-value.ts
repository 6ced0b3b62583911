import { isPlainObject } from "@kv/core";

/**
 * A copy of `value` without the object properties that are set to `undefined`,
 * which LlamaIndex leaves in what it stores (an index struct's unset `summary`)
 * and which its own JSON persistence drops (LlamaIndex copies values with
 * `structuredClone`, so in a vm context they are another realm's plain objects,
 * which the copy makes this realm's). Nothing else changes: a Date, a Map, `NaN`, an `undefined` array
 * element or a cycle stays in the copy for the store's validation to refuse with
 * `SerializationError`.
 */
export function omitUndefinedProperties(value: unknown): unknown {
  const ancestors = new Set<object>();
  const copy = (node: unknown): unknown => {
    if (typeof node !== "object" || node === null || ancestors.has(node)) return node;
    if (Array.isArray(node)) {
      ancestors.add(node);
      const copied = node.map(copy);
      ancestors.delete(node);
      return copied;
    }
    // Symbol-keyed properties would be lost by the copy, so such an object goes on as it is to be refused.
    if (!isPlainObject(node) || Object.getOwnPropertySymbols(node).length > 0) return node;
    ancestors.add(node);
    // fromEntries defines properties, so an own "__proto__" key stays a key.
    const copied = Object.fromEntries(
      Object.entries(node)
        .filter(([, property]) => property !== undefined)
        .map(([name, property]) => [name, copy(property)]),
    );
    ancestors.delete(node);
    return copied;
  };
  return copy(value);
}
