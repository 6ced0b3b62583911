import { DEFAULT_COLLECTION, type AsyncKeyValue } from "@kv/core";

/**
 * The collection an operation addressed, to name it in an error: the one given,
 * else the store's `defaultCollection` where it has one (every `BaseStore` does),
 * else the protocol's default.
 */
export function collectionAddressed(store: AsyncKeyValue, collection: string | undefined): string {
  if (collection !== undefined) return collection;
  const storeDefault = (store as { defaultCollection?: unknown }).defaultCollection;
  return typeof storeDefault === "string" ? storeDefault : DEFAULT_COLLECTION;
}
