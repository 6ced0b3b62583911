import {
  DEFAULT_COLLECTION,
  InvalidArgumentError,
  assertValidName,
  hasCapability,
  type AsyncKeyValue,
  type Capability,
  type CapabilityInterfaces,
  type CollectionsOptions,
  type JsonObject,
  type KeysOptions,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { mapUntil } from "./key-scan.js";
import { KeyValueWrapper, capabilitiesOfAll, closeStores, forEachStore, setupStores } from "./wrapper.js";

export interface RoutingWrapperOptions {
  /** Picks the store for a collection; `undefined` picks `defaultStore`. */
  route: (collection: string) => AsyncKeyValue | undefined;
  /** Every store `route` may pick. The wrapper offers what all of them (and `defaultStore`) offer, and closes them all. */
  stores: readonly AsyncKeyValue[];
  /** Holds the collections `route` picks no store for. */
  defaultStore: AsyncKeyValue;
  /** The collection of operations that name none (routed like any other). Default `"default_collection"`. */
  defaultCollection?: string;
}

/**
 * Sends each operation to the store its collection routes to, e.g. sessions to
 * Redis and everything else to a DiskStore. Collections are passed to the stores by
 * name, so each store's own default collection never applies. `collections` lists,
 * from every store, the collections that route to it; `destroy` and `cull` run on
 * every store. A capability is offered when every store has it.
 */
export class RoutingWrapper extends KeyValueWrapper<AsyncKeyValue> {
  /** Every store, the default first. */
  readonly stores: readonly AsyncKeyValue[];
  private readonly route: (collection: string) => AsyncKeyValue | undefined;
  private readonly ownDefaultCollection: string;

  constructor(options: RoutingWrapperOptions) {
    const stores = [...new Set([options.defaultStore, ...options.stores])];
    super(options.defaultStore, capabilitiesOfAll(stores));
    if (typeof options.route !== "function") throw new InvalidArgumentError("route must be a function of the collection name");
    this.stores = stores;
    this.route = options.route;
    this.ownDefaultCollection = options.defaultCollection ?? DEFAULT_COLLECTION;
    assertValidName(this.ownDefaultCollection, "collection");
  }

  override get defaultCollection(): string {
    return this.ownDefaultCollection;
  }

  /** The store that holds `collection`. */
  storeFor(collection: string): AsyncKeyValue {
    assertValidName(collection, "collection");
    const store = this.route(collection) ?? this.inner;
    if (!this.stores.includes(store)) throw new InvalidArgumentError(`route picked, for collection ${JSON.stringify(collection)}, a store that is not among \`stores\``);
    return store;
  }

  override get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.routed(options, (store, resolved) => store.get(key, resolved));
  }

  override getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.routed(options, (store, resolved) => store.getMany(keys, resolved));
  }

  override ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.routed(options, (store, resolved) => store.ttl(key, resolved));
  }

  override ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.routed(options, (store, resolved) => store.ttlMany(keys, resolved));
  }

  override put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.routed(options, (store, resolved) => store.put(key, value, resolved));
  }

  override putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.routed(options, (store, resolved) => store.putMany(entries, resolved));
  }

  override delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.routed(options, (store, resolved) => store.delete(key, resolved));
  }

  override deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.routed(options, (store, resolved) => store.deleteMany(keys, resolved));
  }

  override async *keys(options?: KeysOptions): AsyncIterable<string> {
    const collection = this.collectionOf(options);
    yield* offering(this.storeFor(collection), "keys").keys({ ...options, collection });
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    const seen = new Set<string>();
    const firstSighting = (collection: string) => {
      if (seen.has(collection)) return undefined;
      seen.add(collection);
      return collection;
    };
    return mapUntil(this.routedCollections(), firstSighting, options?.limit);
  }

  override async destroyCollection(collection: string): Promise<boolean> {
    return offering(this.storeFor(collection), "destroyCollection").destroyCollection(collection);
  }

  override async destroy(): Promise<boolean> {
    const removed = await Promise.all(this.stores.map((store) => offering(store, "destroy").destroy()));
    return removed.some(Boolean);
  }

  override cull(): Promise<void> {
    return forEachStore(this.stores, (store) => offering(store, "cull").cull());
  }

  override setup(): Promise<void> {
    return setupStores(this.stores);
  }

  override close(): Promise<void> {
    return closeStores(this.stores);
  }

  /** From each store, the collections that route to it (a store may hold others, e.g. from before the routes changed). */
  private async *routedCollections(): AsyncGenerator<string> {
    for (const store of this.stores) {
      for await (const collection of offering(store, "collections").collections()) if (this.storeFor(collection) === store) yield collection;
    }
  }

  private async routed<O extends KeyValueOptions, T>(options: O | undefined, call: (store: AsyncKeyValue, options: O) => Promise<T>): Promise<T> {
    const collection = this.collectionOf(options);
    return call(this.storeFor(collection), { ...options, collection } as O);
  }
}

/** `store`, typed as offering `capability`: the wrapper offers a capability only when every store has it. */
function offering<C extends Capability>(store: AsyncKeyValue, capability: C): AsyncKeyValue & CapabilityInterfaces[C] {
  if (!hasCapability(store, capability)) throw new InvalidArgumentError(`a routed store lacks ${capability}`);
  return store;
}

export interface CollectionRoutingWrapperOptions {
  /** The store of each collection named here. */
  byCollection: Readonly<Record<string, AsyncKeyValue>>;
  /** Holds every other collection. */
  defaultStore: AsyncKeyValue;
  /** The collection of operations that name none. Default `"default_collection"`. */
  defaultCollection?: string;
}

/** Routes by collection name: `new CollectionRoutingWrapper({ byCollection: { sessions: redis }, defaultStore: disk })`. */
export class CollectionRoutingWrapper extends RoutingWrapper {
  constructor(options: CollectionRoutingWrapperOptions) {
    const byCollection = new Map(Object.entries(options.byCollection));
    super({ route: (collection) => byCollection.get(collection), stores: [...byCollection.values()], defaultStore: options.defaultStore, defaultCollection: options.defaultCollection });
  }
}
