import { DeserializationError, type JsonObject, type JsonValue } from "@kv/core";
import type { Item } from "@langchain/langgraph-checkpoint";
import { formatMicroseconds, parseMicroseconds } from "./clock.js";

/** The embedding vectors of an item, by the field path they were computed from. */
export type ItemVectors = Record<string, number[]>;

/**
 * What one item is in @kv: the value under `value`, times in microseconds
 * (creation orders items; `updated_at` changes on every write) and, with
 * semantic search configured, the item's vectors.
 */
export interface ItemRecord {
  value: JsonObject;
  createdAt: number;
  updatedAt: number;
  vectors: ItemVectors | undefined;
}

/** An item as read: its record and where it lives. */
export interface StoredItem {
  namespace: string[];
  key: string;
  record: ItemRecord;
}

export function serializeRecord(record: ItemRecord): JsonObject {
  const stored: JsonObject = {
    value: record.value,
    created_at: formatMicroseconds(record.createdAt),
    updated_at: formatMicroseconds(record.updatedAt),
  };
  if (record.vectors !== undefined) stored.vectors = record.vectors;
  return stored;
}

export function parseRecord(stored: JsonObject, where: { key: string; collection: string }): ItemRecord {
  const { value, created_at: createdAt, updated_at: updatedAt, vectors } = stored;
  const created = typeof createdAt === "string" ? parseMicroseconds(createdAt) : undefined;
  const updated = typeof updatedAt === "string" ? parseMicroseconds(updatedAt) : undefined;
  if (!isObject(value) || created === undefined || updated === undefined || !(vectors === undefined || isVectors(vectors))) {
    throw new DeserializationError(`the entry is not a LangGraph item (value, created_at, updated_at[, vectors])`, where);
  }
  return { value, createdAt: created, updatedAt: updated, vectors };
}

/** The item LangGraph sees, with the shape and property order of its in-memory store's items. */
export function toItem({ namespace, key, record }: StoredItem): Item {
  return {
    value: record.value,
    key,
    namespace: [...namespace],
    createdAt: new Date(Math.floor(record.createdAt / 1000)),
    updatedAt: new Date(Math.floor(record.updatedAt / 1000)),
  };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isVectors(value: JsonValue): value is ItemVectors {
  return isObject(value) && Object.values(value).every((vector) => Array.isArray(vector) && vector.every((number) => typeof number === "number"));
}
