import {
  DEFAULT_COLLECTION,
  assertValidName,
  hasCapability,
  type AsyncKeyValue,
  type Capability,
  type CollectionsOptions,
  type JsonObject,
  type KeysOptions,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { mapUntil } from "./key-scan.js";
import { NamePrefix } from "./prefix.js";
import { KeyValueWrapper } from "./wrapper.js";

export interface PrefixCollectionsWrapperOptions {
  /** Put in front of every collection name, with the separator: `users` is stored as `app__users`. */
  prefix: string;
  /** Between prefix and collection. Default `"__"`, as in py-key-value. */
  separator?: string;
  /** The collection (before prefixing) of operations that name none. Default `"default_collection"`. */
  defaultCollection?: string;
}

/**
 * Stores every collection as `prefix + separator + collection`. `collections` lists
 * only prefixed collections, prefix stripped; `destroy` destroys only those (so it
 * needs `collections` and `destroyCollection` on the wrapped store).
 */
export class PrefixCollectionsWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  private readonly prefix: NamePrefix;
  private readonly ownDefaultCollection: string;

  constructor(inner: S, options: PrefixCollectionsWrapperOptions) {
    super(inner, prefixCollectionsCapabilities(inner));
    this.prefix = new NamePrefix(options.prefix, options.separator);
    this.ownDefaultCollection = options.defaultCollection ?? DEFAULT_COLLECTION;
    assertValidName(this.ownDefaultCollection, "collection");
  }

  override get defaultCollection(): string {
    return this.ownDefaultCollection;
  }

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.inner.get(key, this.mapped(options));
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.inner.getMany(keys, this.mapped(options));
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.inner.ttl(key, this.mapped(options));
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.inner.ttlMany(keys, this.mapped(options));
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.put(key, value, this.mapped(options));
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.inner.putMany(entries, this.mapped(options));
  }

  override async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.inner.delete(key, this.mapped(options));
  }

  override async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.inner.deleteMany(keys, this.mapped(options));
  }

  override async *keys(options?: KeysOptions): AsyncIterable<string> {
    yield* this.innerWith("keys").keys(this.mapped(options));
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    return mapUntil(this.innerWith("collections").collections(), (collection) => this.prefix.strip(collection), options?.limit);
  }

  override async destroyCollection(collection: string): Promise<boolean> {
    return this.innerWith("destroyCollection").destroyCollection(this.prefix.add(collection, "collection"));
  }

  override async destroy(): Promise<boolean> {
    const owned: string[] = [];
    for await (const collection of this.innerWith("collections").collections()) if (this.prefix.has(collection)) owned.push(collection);
    const removed = await Promise.all(owned.map((collection) => this.innerWith("destroyCollection").destroyCollection(collection)));
    return removed.some(Boolean);
  }

  /** `options` with the collection (the default applied) validated and prefixed. */
  private mapped<O extends KeyValueOptions>(options: O | undefined): O {
    return { ...options, collection: this.prefix.add(this.collectionOf(options), "collection") } as O;
  }
}

/** `destroy` removes the prefixed collections one by one, so it needs `collections` and `destroyCollection`. */
function prefixCollectionsCapabilities(inner: AsyncKeyValue): Capability[] {
  const offered = (["keys", "collections", "destroyCollection", "cull"] as const).filter((capability) => hasCapability(inner, capability));
  return hasCapability(inner, "collections") && hasCapability(inner, "destroyCollection") ? [...offered, "destroy"] : offered;
}
