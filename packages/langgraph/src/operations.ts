import { assertJsonObject, InvalidArgumentError, type JsonObject } from "@kv/core";
import { InvalidNamespaceError, type Operation } from "@langchain/langgraph-checkpoint";
import { assertItemKey, assertNamespace } from "./names.js";
import type { NamespaceQuery } from "./namespace-listing.js";

export interface GetStep {
  kind: "get";
  namespace: string[];
  key: string;
}

export interface PutStep {
  kind: "put";
  namespace: string[];
  key: string;
  /** `null` deletes the item. */
  value: JsonObject | null;
  /** Field paths to embed; `false`: none; `undefined`: the index configuration's. */
  index: false | string[] | undefined;
}

export interface SearchStep {
  kind: "search";
  namespacePrefix: string[];
  filter: Record<string, unknown> | undefined;
  limit: number;
  offset: number;
  query: string | undefined;
}

export interface ListStep extends NamespaceQuery {
  kind: "list";
}

export type Step = GetStep | PutStep | SearchStep | ListStep;

/** Defaults of LangGraph's in-memory store for a search operation that names none. */
const SEARCH_LIMIT = 10;

/**
 * Reads one operation of a batch, telling its kind as LangGraph's in-memory
 * store does, and refuses bad input with a typed error before anything is
 * read or written: `InvalidNamespaceError` (LangGraph's) for namespaces,
 * @kv's `InvalidKeyError`, `SerializationError` and `InvalidArgumentError` for the rest.
 */
export function readOperation(operation: Operation): Step {
  if (typeof operation !== "object" || operation === null) throw new InvalidArgumentError("a batch operation must be an object");
  if ("namespace" in operation && "key" in operation && !("value" in operation)) {
    assertNamespace(operation.namespace);
    assertItemKey(operation.key);
    return { kind: "get", namespace: operation.namespace, key: operation.key };
  }
  if ("namespacePrefix" in operation) {
    const { namespacePrefix, filter, limit, offset, query } = operation;
    if (!Array.isArray(namespacePrefix)) throw new InvalidNamespaceError("A namespace prefix must be an array of labels.");
    if (namespacePrefix.length > 0) assertNamespace(namespacePrefix);
    if (filter !== undefined && (typeof filter !== "object" || filter === null || Array.isArray(filter))) {
      throw new InvalidArgumentError("a search filter must be an object of field conditions");
    }
    if (query !== undefined && typeof query !== "string") throw new InvalidArgumentError("a search query must be a string");
    return {
      kind: "search",
      namespacePrefix,
      filter,
      limit: count(limit, "limit") ?? SEARCH_LIMIT,
      offset: count(offset, "offset") ?? 0,
      query,
    };
  }
  if ("value" in operation) {
    const { namespace, key, value, index } = operation;
    assertNamespace(namespace);
    assertItemKey(key);
    if (value !== null) assertJsonObject(value, { key });
    if (!(index === undefined || index === false || (Array.isArray(index) && index.every((path) => typeof path === "string")))) {
      throw new InvalidArgumentError("a put's index must be false or an array of field paths");
    }
    return { kind: "put", namespace, key, value, index };
  }
  if ("matchConditions" in operation || "maxDepth" in operation || "limit" in operation || "offset" in operation) {
    const { matchConditions, maxDepth, limit, offset } = operation;
    if (matchConditions !== undefined) {
      const valid =
        Array.isArray(matchConditions) &&
        matchConditions.every(
          (condition) =>
            (condition?.matchType === "prefix" || condition?.matchType === "suffix") &&
            Array.isArray(condition.path) &&
            condition.path.every((label) => typeof label === "string"),
        );
      if (!valid) throw new InvalidArgumentError('match conditions must be { matchType: "prefix" | "suffix", path: string[] }');
    }
    if (maxDepth !== undefined && (count(maxDepth, "maxDepth") ?? 0) < 1) throw new InvalidArgumentError(`maxDepth must be a whole number ≥ 1, got ${maxDepth}`);
    return { kind: "list", matchConditions, maxDepth, limit: count(limit, "limit"), offset: count(offset, "offset") };
  }
  throw new InvalidArgumentError("a batch operation must be a get, put, search or listNamespaces operation");
}

function count(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0, got ${String(value)}`);
  return value;
}
