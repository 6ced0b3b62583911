import type { SearchItem } from "@langchain/langgraph-checkpoint";
import type { ItemVectors } from "./item-record.js";

/**
 * Splits a field path into tokens: `a.b`, `a[0]`, `a[*].b`, `a[-1]`, `{a,b.c}`,
 * `*`, and `$` for the whole value — the path syntax of LangGraph's `IndexConfig`.
 */
export function tokenizeFieldPath(path: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let index = 0;
  while (index < path.length) {
    const char = path[index]!;
    const close = char === "[" ? "]" : char === "{" ? "}" : undefined;
    if (close !== undefined) {
      if (current !== "") tokens.push(current);
      current = "";
      let depth = 0;
      let group = "";
      do {
        const next = path[index]!;
        if (next === char) depth += 1;
        else if (next === close) depth -= 1;
        group += next;
        index += 1;
      } while (index < path.length && depth > 0);
      tokens.push(group);
      continue;
    }
    if (char === ".") {
      if (current !== "") tokens.push(current);
      current = "";
    } else {
      current += char;
    }
    index += 1;
  }
  if (current !== "") tokens.push(current);
  return tokens;
}

/** The texts to embed at a tokenized path of `value`, as LangGraph's in-memory store extracts them. */
export function textsAtPath(value: unknown, tokens: readonly string[]): string[] {
  return extract(value, tokens, 0);
}

function leafText(value: unknown): string[] {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (typeof value === "object" && value !== null) return [JSON.stringify(value, null, 2)];
  return [];
}

function extract(value: unknown, tokens: readonly string[], position: number): string[] {
  if (position >= tokens.length) return leafText(value);
  const token = tokens[position]!;
  const texts: string[] = [];
  if (position === 0 && token === "$") texts.push(JSON.stringify(value, null, 2));
  if (token.startsWith("[") && token.endsWith("]")) {
    if (!Array.isArray(value)) return [];
    const index = token.slice(1, -1);
    if (index === "*") {
      for (const element of value) texts.push(...extract(element, tokens, position + 1));
    } else {
      let at = parseInt(index, 10);
      if (at < 0) at += value.length;
      if (at >= 0 && at < value.length) texts.push(...extract(value[at], tokens, position + 1));
    }
  } else if (token.startsWith("{") && token.endsWith("}")) {
    if (typeof value !== "object" || value === null) return [];
    for (const field of token.slice(1, -1).split(",").map((part) => part.trim())) {
      const parts = tokenizeFieldPath(field);
      if (parts.length === 0) continue;
      let current: unknown = value;
      for (const part of parts) {
        current = typeof current === "object" && current !== null && part in current ? (current as Record<string, unknown>)[part] : undefined;
        if (current === undefined) break;
      }
      if (current !== undefined) texts.push(typeof current === "object" ? JSON.stringify(current, null, 2) : String(current));
    }
  } else if (token === "*") {
    if (typeof value === "object" && value !== null) {
      for (const element of Object.values(value)) texts.push(...extract(element, tokens, position + 1));
    }
  } else if (typeof value === "object" && value !== null && token in value) {
    texts.push(...extract((value as Record<string, unknown>)[token], tokens, position + 1));
  }
  return texts;
}

/** The texts of one value to embed, keyed by the field name its vector is stored under. */
export function fieldTexts(value: Record<string, unknown>, paths: readonly (readonly [string, string[]])[]): [string, string][] {
  const fields: [string, string][] = [];
  for (const [path, tokens] of paths) {
    const texts = textsAtPath(value, tokens);
    if (texts.length === 1) fields.push([path, texts[0]!]);
    else texts.forEach((text, index) => fields.push([`${path}.${index}`, text]));
  }
  return fields;
}

/** Cosine similarity, summed in the same order as LangGraph's in-memory store so that scores agree to the last bit. */
export function cosineSimilarity(query: readonly number[], vector: readonly number[]): number {
  let dot = 0;
  let queryNorm = 0;
  let vectorNorm = 0;
  vector.forEach((value, index) => {
    dot += value * (query[index] ?? Number.NaN);
    vectorNorm += value * value;
  });
  for (const value of query) queryNorm += value * value;
  const queryMagnitude = Math.sqrt(queryNorm);
  const vectorMagnitude = Math.sqrt(vectorNorm);
  return queryMagnitude && vectorMagnitude ? dot / (queryMagnitude * vectorMagnitude) : 0;
}

/**
 * Ranks candidates as LangGraph's in-memory store does: each item by its best
 * vector (ties keep candidate order), paged by `offset` and `limit`; then, while
 * the page has room, items without vectors in candidate order (from the first,
 * whatever the offset), with no score.
 */
export function rankByVectors(
  candidates: readonly { item: Omit<SearchItem, "score">; vectors: ItemVectors | undefined }[],
  query: readonly number[],
  offset: number,
  limit: number,
): SearchItem[] {
  const scored: [number, number][] = [];
  const scoreless: number[] = [];
  candidates.forEach(({ vectors }, index) => {
    const all = Object.values(vectors ?? {});
    if (all.length === 0) scoreless.push(index);
    for (const vector of all) scored.push([cosineSimilarity(query, vector), index]);
  });
  scored.sort((a, b) => b[0] - a[0]);
  const seen = new Set<number>();
  const kept: SearchItem[] = [];
  for (const [score, index] of scored) {
    if (seen.has(index)) continue;
    if (seen.size >= offset + limit) break;
    if (seen.size >= offset) kept.push({ ...candidates[index]!.item, score });
    seen.add(index);
  }
  for (const index of scoreless.slice(0, Math.max(0, limit - kept.length))) kept.push({ ...candidates[index]!.item, score: undefined });
  return kept;
}
