import {
  BaseStore,
  InvalidArgumentError,
  ManagedEntry,
  assertJsonObject,
  type BaseStoreOptions,
  type CollectionsOptions,
  type EnumerateCollections,
  type EnumerateKeys,
  type Cull,
  type DestroyCollection,
  type DestroyStore,
  type JsonObject,
  type KeysOptions,
} from "@kv/core";

export interface MemoryStoreOptions extends Omit<BaseStoreOptions, "keySanitizationStrategy" | "collectionSanitizationStrategy"> {
  /** Most entries one collection holds; past it, expired entries go first, then the least recently used. Default: unbounded. */
  maxEntriesPerCollection?: number;
  /** Entries to start with, never expiring: `{ collection: { key: value } }`. */
  seed?: Record<string, Record<string, JsonObject>>;
}

/** One stored entry. The value is kept as JSON text, so no caller can mutate what the store holds. */
interface Slot {
  readonly json: string;
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
}

/** A binary min-heap of expiry times; entries whose slot was replaced or removed are skipped lazily. */
class ExpiryHeap {
  private readonly items: { expiresAt: number; key: string; slot: Slot }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(key: string, slot: Slot & { expiresAt: number }): void {
    const items = this.items;
    items.push({ expiresAt: slot.expiresAt, key, slot });
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.expiresAt <= items[index]!.expiresAt) break;
      [items[parent], items[index]] = [items[index]!, items[parent]!];
      index = parent;
    }
  }

  peek(): { expiresAt: number; key: string; slot: Slot } | undefined {
    return this.items[0];
  }

  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && items[left]!.expiresAt < items[smallest]!.expiresAt) smallest = left;
      if (right < items.length && items[right]!.expiresAt < items[smallest]!.expiresAt) smallest = right;
      if (smallest === index) return;
      [items[smallest], items[index]] = [items[index]!, items[smallest]!];
      index = smallest;
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}

/**
 * A time-aware LRU cache per collection: `Map` insertion order is the recency
 * order, and an expiry heap (kept only when bounded) finds expired entries to evict first.
 */
class CollectionCache {
  readonly slots = new Map<string, Slot>();
  private readonly expiries = new ExpiryHeap();

  constructor(private readonly maxEntries: number | undefined) {}

  /** The live slot under `key`; an expired one is dropped on the way. */
  read(key: string, now: number): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (!isLive(slot, now)) {
      this.slots.delete(key);
      return undefined;
    }
    if (this.maxEntries !== undefined) {
      this.slots.delete(key);
      this.slots.set(key, slot);
    }
    return slot;
  }

  write(key: string, slot: Slot, now: number): void {
    if (this.maxEntries === undefined) {
      this.slots.set(key, slot);
      return;
    }
    if (this.slots.delete(key) === false && this.slots.size >= this.maxEntries) this.evictOne(now);
    this.slots.set(key, slot);
    if (slot.expiresAt !== undefined) this.expiries.push(key, slot as Slot & { expiresAt: number });
    if (this.expiries.size > 2 * this.slots.size + 64) this.rebuildExpiries();
  }

  private evictOne(now: number): void {
    for (let top = this.expiries.peek(); top !== undefined; top = this.expiries.peek()) {
      if (this.slots.get(top.key) !== top.slot) {
        this.expiries.pop();
        continue;
      }
      if (top.expiresAt <= now) {
        this.expiries.pop();
        this.slots.delete(top.key);
        return;
      }
      break;
    }
    const leastRecent = this.slots.keys().next();
    if (!leastRecent.done) this.slots.delete(leastRecent.value);
  }

  private rebuildExpiries(): void {
    this.expiries.clear();
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt !== undefined) this.expiries.push(key, slot as Slot & { expiresAt: number });
    }
  }
}

function isLive(slot: Slot, now: number): boolean {
  return slot.expiresAt === undefined || slot.expiresAt > now;
}

function toEntry(slot: Slot): ManagedEntry {
  return new ManagedEntry(
    JSON.parse(slot.json) as JsonObject,
    new Date(slot.createdAt),
    slot.expiresAt === undefined ? undefined : new Date(slot.expiresAt),
  );
}

/** An in-process store: fast, bounded if asked, gone when the process ends. */
export class MemoryStore
  extends BaseStore
  implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull
{
  private readonly maxEntriesPerCollection: number | undefined;
  private readonly caches = new Map<string, CollectionCache>();

  constructor(options: MemoryStoreOptions = {}) {
    super(options);
    const max = options.maxEntriesPerCollection;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new InvalidArgumentError(`maxEntriesPerCollection must be a whole number ≥ 1, got ${String(max)}`);
    }
    this.maxEntriesPerCollection = max;
    const now = this.now();
    for (const [collection, entries] of Object.entries(options.seed ?? {})) {
      for (const [key, value] of Object.entries(entries)) {
        assertJsonObject(value, { key, collection });
        this.cache(collection).write(key, { json: JSON.stringify(value), createdAt: now, expiresAt: undefined }, now);
      }
    }
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.liveKeys(collection));
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.liveCollections());
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => this.caches.delete(name));
  }

  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      this.caches.clear();
      return true;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      const now = this.now();
      for (const [collection, cache] of this.caches) {
        for (const [key, slot] of cache.slots) if (!isLive(slot, now)) cache.slots.delete(key);
        if (cache.slots.size === 0) this.caches.delete(collection);
      }
    });
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const slot = this.caches.get(collection)?.read(key, this.now());
    return slot === undefined ? undefined : toEntry(slot);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const cache = this.caches.get(collection);
    const now = this.now();
    return keys.map((key) => {
      const slot = cache?.read(key, now);
      return slot === undefined ? undefined : toEntry(slot);
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    this.cache(collection).write(key, this.toSlot(entry), this.now());
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const cache = this.cache(collection);
    const now = this.now();
    for (const [key, entry] of entries) cache.write(key, this.toSlot(entry), now);
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    const cache = this.caches.get(collection);
    const slot = cache?.slots.get(key);
    if (cache === undefined || slot === undefined) return false;
    cache.slots.delete(key);
    return isLive(slot, this.now());
  }

  private toSlot(entry: ManagedEntry): Slot {
    return {
      json: JSON.stringify(entry.value),
      createdAt: entry.createdAt?.getTime() ?? this.now(),
      expiresAt: entry.expiresAt?.getTime(),
    };
  }

  private cache(collection: string): CollectionCache {
    let cache = this.caches.get(collection);
    if (cache === undefined) {
      cache = new CollectionCache(this.maxEntriesPerCollection);
      this.caches.set(collection, cache);
    }
    return cache;
  }

  private async *liveKeys(collection: string): AsyncGenerator<string> {
    const cache = this.caches.get(collection);
    if (cache === undefined) return;
    for (const [key, slot] of cache.slots) if (isLive(slot, this.now())) yield key;
  }

  private async *liveCollections(): AsyncGenerator<string> {
    for (const [collection, cache] of this.caches) {
      const now = this.now();
      for (const slot of cache.slots.values()) {
        if (isLive(slot, now)) {
          yield collection;
          break;
        }
      }
    }
  }
}
