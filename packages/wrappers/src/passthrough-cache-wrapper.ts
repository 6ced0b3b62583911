import {
  assertValidName,
  cloneJsonObject,
  hasCapability,
  type AsyncKeyValue,
  type Capability,
  type JsonObject,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { assertEntryArray, assertKeyArray } from "./batch-arguments.js";
import { assertTtlOption } from "./option-checks.js";
import { KeyValueWrapper, capabilitiesOf, closeStores, forEachStore, setupStores } from "./wrapper.js";

export interface PassthroughCacheWrapperOptions {
  /** Any store, typically a bounded `MemoryStore`: it holds copies of entries read from the wrapped store. */
  cache: AsyncKeyValue;
  /** Longest time an entry stays cached, in seconds. Default 1,800 (as py-key-value). */
  maxTtl?: number;
  /** How long an entry that never expires stays cached, in seconds. Default `maxTtl`. */
  missingTtl?: number;
}

/** What the cache holds per entry: the value and its expiry in the wrapped store, so `ttl` is answered exactly. */
interface CachedEntry extends JsonObject {
  value: JsonObject;
  expiresAt: number | null;
}

/**
 * Read-through cache: reads are answered from the cache store and, on a miss, from
 * the wrapped store, whose answer is then cached for no longer than the entry's
 * remaining TTL (and at most `maxTtl`). Writes and deletes go to the wrapped store,
 * then remove the keys from the cache. A read that raced with a write of the same
 * key does not cache what it read, so a stale value is never cached by this process
 * (other processes writing the wrapped store are seen once their entry leaves the cache).
 *
 * The cache store holds the wrapper's own records (`{ value, expiresAt }`): give it a
 * store (or collection prefix) of its own. Enumeration and `cull` go to the wrapped
 * store; `destroyCollection` and `destroy` are offered when both stores have them and
 * clear both. Closing closes both stores.
 */
export class PassthroughCacheWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  readonly cache: AsyncKeyValue;
  readonly maxTtl: number;
  readonly missingTtl: number;
  /** Keys with a write under way, by `entryId`, with how many. */
  private readonly writing = new Map<string, number>();
  /** When each key was last written (a sequence number), kept only while reads are under way. */
  private readonly touched = new Map<string, number>();
  private sequence = 0;
  private readsInFlight = 0;

  constructor(inner: S, options: PassthroughCacheWrapperOptions) {
    super(inner, passthroughCapabilities(inner, options.cache));
    this.cache = options.cache;
    this.maxTtl = options.maxTtl ?? 1_800;
    this.missingTtl = options.missingTtl ?? this.maxTtl;
    assertTtlOption("maxTtl", this.maxTtl);
    assertTtlOption("missingTtl", this.missingTtl);
  }

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return (await this.ttl(key, options))?.value;
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return (await this.ttlMany(keys, options)).map((result) => result?.value);
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    const collection = this.collectionOf(options);
    const cached = fromCache(await this.cache.get(key, { collection }));
    if (cached !== undefined) return cached;
    return (await this.readThrough(collection, [key])).get(key);
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    const collection = this.collectionOf(options);
    const cached = (await this.cache.getMany(keys, { collection })).map(fromCache);
    const missing = [...new Set(keys.filter((_, index) => cached[index] === undefined))];
    if (missing.length === 0) return cached;
    const read = await this.readThrough(collection, missing);
    // A key asked for twice is answered with two separate objects.
    const answered = new Set<string>();
    return keys.map((key, index) => {
      if (cached[index] !== undefined) return cached[index];
      const result = read.get(key);
      if (result === undefined || !answered.has(key)) {
        answered.add(key);
        return result;
      }
      return { value: cloneJsonObject(result.value), ttl: result.ttl };
    });
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.invalidating(options, [key], () => this.inner.put(key, value, options));
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    assertEntryArray(entries);
    return this.invalidating(
      options,
      entries.map(([key]) => key),
      () => this.inner.putMany(entries, options),
    );
  }

  override async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.invalidating(options, [key], () => this.inner.delete(key, options));
  }

  override async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    assertKeyArray(keys);
    return this.invalidating(options, keys, () => this.inner.deleteMany(keys, options));
  }

  override async destroyCollection(collection: string): Promise<boolean> {
    const removed = await this.innerWith("destroyCollection").destroyCollection(collection);
    if (hasCapability(this.cache, "destroyCollection")) await this.cache.destroyCollection(collection);
    return removed;
  }

  override async destroy(): Promise<boolean> {
    const removed = await this.innerWith("destroy").destroy();
    if (hasCapability(this.cache, "destroy")) await this.cache.destroy();
    return removed;
  }

  override cull(): Promise<void> {
    return forEachStore([this.inner, this.cache], (store) => (hasCapability(store, "cull") ? store.cull() : undefined));
  }

  override setup(): Promise<void> {
    return setupStores([this.inner, this.cache]);
  }

  override close(): Promise<void> {
    return closeStores([this.inner, this.cache]);
  }

  /** Reads `keys` (unique) from the wrapped store and caches what it finds, unless a write of the key raced with the read. */
  private async readThrough(collection: string, keys: readonly string[]): Promise<Map<string, TtlResult | undefined>> {
    const startedAt = this.sequence;
    this.readsInFlight++;
    try {
      const results = await this.inner.ttlMany(keys, { collection });
      const now = Date.now();
      await Promise.all(
        keys.map((key, index) => {
          const result = results[index];
          const id = entryId(collection, key);
          if (result === undefined || this.writing.has(id) || (this.touched.get(id) ?? -1) > startedAt) return undefined;
          const record: CachedEntry = { value: result.value, expiresAt: result.ttl === undefined ? null : now + result.ttl * 1000 };
          return this.cache.put(key, record, { collection, ttl: Math.min(result.ttl ?? this.missingTtl, this.maxTtl) });
        }),
      );
      return new Map(keys.map((key, index) => [key, results[index]]));
    } finally {
      if (--this.readsInFlight === 0) this.touched.clear();
    }
  }

  /** Runs a write of `keys`, then removes them from the cache, keeping reads meanwhile from caching them. */
  private async invalidating<T>(options: KeyValueOptions | undefined, keys: readonly string[], write: () => Promise<T>): Promise<T> {
    const collection = this.collectionOf(options);
    // Validated here so that removing the keys from the cache cannot fail on them.
    assertValidName(collection, "collection");
    for (const key of keys) assertValidName(key, "key");
    const ids = [...new Set(keys.map((key) => entryId(collection, key)))];
    this.markWrites(ids, 1);
    try {
      return await write();
    } finally {
      try {
        if (keys.length > 0) await this.cache.deleteMany(keys, { collection });
      } finally {
        this.markWrites(ids, -1);
      }
    }
  }

  private markWrites(ids: readonly string[], change: 1 | -1): void {
    const sequence = ++this.sequence;
    for (const id of ids) {
      const count = (this.writing.get(id) ?? 0) + change;
      if (count === 0) this.writing.delete(id);
      else this.writing.set(id, count);
      if (this.readsInFlight > 0) this.touched.set(id, sequence);
    }
  }
}

function entryId(collection: string, key: string): string {
  return JSON.stringify([collection, key]);
}

/** The cached answer, or `undefined` for a miss (or a record this wrapper did not write). */
function fromCache(record: JsonObject | undefined): TtlResult | undefined {
  if (record === undefined || typeof record.value !== "object" || record.value === null || Array.isArray(record.value)) return undefined;
  if (record.expiresAt === null) return { value: record.value, ttl: undefined };
  if (typeof record.expiresAt !== "number") return undefined;
  const remaining = (record.expiresAt - Date.now()) / 1000;
  return remaining > 0 ? { value: record.value, ttl: remaining } : undefined;
}

/** Reads and enumeration come from the wrapped store; removing a collection or everything must also clear the cache. */
function passthroughCapabilities(inner: AsyncKeyValue, cache: AsyncKeyValue): Capability[] {
  return capabilitiesOf(inner).filter((capability) => (capability === "destroyCollection" || capability === "destroy" ? hasCapability(cache, capability) : true));
}
