import { InvalidKeyError, isWellFormedString } from "@kv/core";
import { InvalidNamespaceError, validateNamespace } from "@langchain/langgraph-checkpoint";

/**
 * Joins the labels of a namespace. LangGraph forbids `.` (and `:`) inside a
 * label, so the join is injective and splits back into the same labels.
 */
const LABEL_SEPARATOR = ".";

/** Between the adapter's prefix and the labels in a collection name. */
const PREFIX_SEPARATOR = ":";

/**
 * Item keys map onto @kv keys unchanged, except the empty key (which @kv refuses)
 * and keys starting with this character, which both get it prepended. Keys
 * `~x` for any other `x` are therefore never item keys.
 */
const KEY_ESCAPE = "~";

/**
 * LangGraph's namespace rules as its in-memory store applies them inside `batch`
 * (non-empty, no empty labels, no `.`, `:` or NUL in a label; the reserved root
 * `langgraph` is refused by `put` itself, not by `batch`), plus one of @kv's:
 * labels must encode as UTF-8.
 */
export function assertNamespace(namespace: unknown): asserts namespace is string[] {
  if (!Array.isArray(namespace)) throw new InvalidNamespaceError(`A namespace must be an array of labels, got ${typeof namespace}.`);
  validateNamespace(namespace, { allowReservedRoot: true });
  for (const label of namespace as string[]) {
    if (!isWellFormedString(label)) throw new InvalidNamespaceError(`Invalid namespace label '${label}': it contains a lone UTF-16 surrogate.`);
  }
}

/** Item keys may be any string that encodes as UTF-8, the empty string included. */
export function assertItemKey(key: unknown): asserts key is string {
  if (typeof key !== "string") throw new InvalidKeyError(`an item key must be a string, got ${typeof key}`);
  if (!isWellFormedString(key)) throw new InvalidKeyError(`item key ${JSON.stringify(key)} contains a lone UTF-16 surrogate`);
}

/** The name of a namespace in the namespace index: its labels joined. */
export function namespaceName(namespace: readonly string[]): string {
  return namespace.join(LABEL_SEPARATOR);
}

export function namespaceFromName(name: string): string[] {
  return name.split(LABEL_SEPARATOR);
}

/** The @kv collection that holds a namespace's items: `{prefix}:{labels joined by "."}`. */
export function itemCollection(prefix: string, namespace: readonly string[]): string {
  return `${prefix}${PREFIX_SEPARATOR}${namespaceName(namespace)}`;
}

export function encodeItemKey(key: string): string {
  return key === "" || key.startsWith(KEY_ESCAPE) ? `${KEY_ESCAPE}${key}` : key;
}

/** The item key of a @kv key, or `undefined` for a key that no item maps to. */
export function decodeItemKey(stored: string): string | undefined {
  if (!stored.startsWith(KEY_ESCAPE)) return stored;
  const key = stored.slice(KEY_ESCAPE.length);
  return key === "" || key.startsWith(KEY_ESCAPE) ? key : undefined;
}
