import { InvalidArgumentError, assertJsonObject, assertValidName, batched, hasCapability, type AsyncKeyValue, type JsonObject } from "@kv/core";
import { DEFAULT_COLLECTION } from "@llamaindex/core/global";
import type { StoredValue } from "@llamaindex/core/schema";
import { BaseKVStore } from "@llamaindex/core/storage/kv-store";
import { omitUndefinedProperties } from "./stored-value.js";

/** Pairs per `putMany` and keys per `getMany`: a few megabytes of LlamaIndex nodes, well within every backend's request limits. */
export const DEFAULT_BATCH_SIZE = 100;

export interface KeyValueKVStoreOptions {
  /** Pairs per `putMany` call of `putAll`, and keys per `getMany` call of `getAll` and `entries`. Default 100. */
  batchSize?: number;
}

export interface PutAllOptions {
  /** The collection to write to; LlamaIndex's default, `"data"`, when absent. */
  collection?: string;
  /** Pairs per `putMany` call; the store's `batchSize` when absent. */
  batchSize?: number;
}

function validateBatchSize(batchSize: unknown): number {
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a whole number ≥ 1, got ${String(batchSize)}`);
  }
  return batchSize;
}

/** A value as the store takes it; anything that is not a plain JSON object is then refused by the store's validation. */
function toJsonObject(value: StoredValue): JsonObject {
  return omitUndefinedProperties(value) as JsonObject;
}

/**
 * LlamaIndex.TS's `BaseKVStore` over any @kv store, so that `KVDocumentStore`,
 * `KVIndexStore` and the rest keep their data on any @kv backend. It behaves like
 * LlamaIndex's `SimpleKVStore`: `"data"` is the default collection, a missing key
 * reads as `null`, `delete` tells whether a key was removed, and every value read
 * is a fresh copy. The store passed in is used as it is and never closed here.
 */
export class KeyValueKVStore extends BaseKVStore {
  /** The @kv store that holds the data. */
  readonly store: AsyncKeyValue;
  private readonly batchSize: number;

  constructor(store: AsyncKeyValue, options: KeyValueKVStoreOptions = {}) {
    super();
    this.store = store;
    this.batchSize = validateBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  override async put(key: string, val: StoredValue, collection: string = DEFAULT_COLLECTION): Promise<void> {
    await this.store.put(key, toJsonObject(val), { collection });
  }

  override async get(key: string, collection: string = DEFAULT_COLLECTION): Promise<StoredValue> {
    return (await this.store.get(key, { collection })) ?? null;
  }

  override async getAll(collection: string = DEFAULT_COLLECTION): Promise<Record<string, StoredValue>> {
    const entries: [string, JsonObject][] = [];
    for await (const entry of this.entries(collection)) entries.push(entry);
    // fromEntries defines properties, so a key named "__proto__" is an entry like any other.
    return Object.fromEntries(entries);
  }

  override async delete(key: string, collection: string = DEFAULT_COLLECTION): Promise<boolean> {
    return this.store.delete(key, { collection });
  }

  /**
   * Writes `pairs` with `putMany`, `batchSize` pairs per call, as the `put_all` of
   * LlamaIndex's Python KV stores does. Every pair is validated before the first
   * call, so bad input writes nothing; a key given twice keeps its last value.
   */
  async putAll(pairs: readonly (readonly [string, StoredValue])[], options: PutAllOptions = {}): Promise<void> {
    const collection = options.collection ?? DEFAULT_COLLECTION;
    const batchSize = options.batchSize === undefined ? this.batchSize : validateBatchSize(options.batchSize);
    if (!Array.isArray(pairs)) throw new InvalidArgumentError("putAll takes an array of [key, value] pairs");
    const entries = pairs.map((pair: unknown): [string, JsonObject] => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidArgumentError("putAll takes an array of [key, value] pairs");
      const [key, val] = pair as [unknown, StoredValue];
      // The store checks keys too, but only batch by batch: a bad key in a later batch must stop the first one.
      assertValidName(key, "key");
      const value = toJsonObject(val);
      assertJsonObject(value, { key, collection });
      return [key, value];
    });
    for (let start = 0; start < entries.length; start += batchSize) {
      await this.store.putMany(entries.slice(start, start + batchSize), { collection });
    }
  }

  /**
   * Yields every `[key, value]` of `collection`, reading the store's `keys` page by
   * page with one `getMany` per `batchSize` keys, so a large collection never has to
   * fit in memory at once. Needs a store with the `keys` capability.
   */
  async *entries(collection: string = DEFAULT_COLLECTION): AsyncGenerator<[string, JsonObject]> {
    const store = this.store;
    if (!hasCapability(store, "keys")) {
      throw new InvalidArgumentError(
        `getAll and entries need a store that enumerates keys (the keys capability), which ${store.constructor.name} does not`,
      );
    }
    // A key is read once even when the enumeration yields it again (SCAN may; an LRU's reads reorder what it iterates).
    const seen = new Set<string>();
    for await (const listed of batched(store.keys({ collection }), this.batchSize)) {
      const page = [...new Set(listed)].filter((key) => !seen.has(key));
      page.forEach((key) => seen.add(key));
      yield* this.read(page, collection);
    }
  }

  /** The live entries among `keys`; one that expired or was deleted since it was listed is left out. */
  private async *read(keys: readonly string[], collection: string): AsyncGenerator<[string, JsonObject]> {
    if (keys.length === 0) return;
    const values = await this.store.getMany(keys, { collection });
    for (const [index, value] of values.entries()) if (value !== undefined) yield [keys[index]!, value];
  }
}
