import { batched, type AsyncKeyValue, type EnumerateKeys, type JsonObject } from "@kv/core";

/** One entry on its way from a store or a file to another store. */
export interface EntryRecord {
  collection: string;
  key: string;
  value: JsonObject;
  /** Epoch milliseconds, or undefined for an entry that never expires. */
  expiresAt: number | undefined;
}

export interface ReadBatch {
  records: EntryRecord[];
  /** Keys listed but gone or expired by the time they were read. */
  vanished: number;
}

/**
 * Reads one collection in batches of `batchSize` keys, with `ttlMany` so each
 * entry keeps its expiry. The next batch is read while the caller handles the
 * current one, and no more than two batches are held at once.
 */
export async function* readCollection(store: AsyncKeyValue & EnumerateKeys, collection: string, batchSize: number): AsyncGenerator<ReadBatch> {
  let pending: Promise<ReadBatch> | undefined;
  for await (const keys of batched(store.keys({ collection }), batchSize)) {
    const next = readBatch(store, collection, keys);
    // Awaited below; until then a failure must not count as unhandled.
    next.catch(() => undefined);
    if (pending !== undefined) yield await pending;
    pending = next;
  }
  if (pending !== undefined) yield await pending;
}

async function readBatch(store: AsyncKeyValue, collection: string, keys: string[]): Promise<ReadBatch> {
  // Taken before the read: the store measured the remaining TTL a little later, so the expiry computed here is never later than the real one.
  const readAt = Date.now();
  const found = await store.ttlMany(keys, { collection });
  const records: EntryRecord[] = [];
  found.forEach((result, index) => {
    if (result === undefined) return;
    records.push({ collection, key: keys[index]!, value: result.value, expiresAt: result.ttl === undefined ? undefined : readAt + result.ttl * 1000 });
  });
  return { records, vanished: keys.length - records.length };
}

/** Counts the keys of the collections, for a progress bar's total and ETA. */
export async function countKeys(store: EnumerateKeys, collections: readonly string[]): Promise<number> {
  let count = 0;
  for (const collection of collections) for await (const _ of store.keys({ collection })) count++;
  return count;
}
