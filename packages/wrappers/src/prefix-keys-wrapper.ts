import { hasCapability, type AsyncKeyValue, type Capability, type CollectionsOptions, type JsonObject, type KeysOptions, type KeyValueOptions, type PutOptions, type TtlResult } from "@kv/core";
import { assertEntryArray, assertKeyArray } from "./batch-arguments.js";
import { deleteMatchingKeys, hasMatchingKey, mapUntil } from "./key-scan.js";
import { NamePrefix } from "./prefix.js";
import { KeyValueWrapper } from "./wrapper.js";

export interface PrefixKeysWrapperOptions {
  /** Put in front of every key, with the separator: key `alice` is stored as `app__alice`. */
  prefix: string;
  /** Between prefix and key. Default `"__"`, as in py-key-value. */
  separator?: string;
}

/**
 * Stores every key as `prefix + separator + key`, so several applications can share
 * collections. Enumeration strips the prefix back off and skips keys without it;
 * `destroyCollection` and `destroy` remove only prefixed keys (so they need `keys`,
 * and `destroy` also `collections`, on the wrapped store).
 */
export class PrefixKeysWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  private readonly prefix: NamePrefix;

  constructor(inner: S, options: PrefixKeysWrapperOptions) {
    super(inner, prefixKeysCapabilities(inner));
    this.prefix = new NamePrefix(options.prefix, options.separator);
  }

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.inner.get(this.prefix.add(key, "key"), options);
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.inner.getMany(this.prefixAll(keys), options);
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.inner.ttl(this.prefix.add(key, "key"), options);
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.inner.ttlMany(this.prefixAll(keys), options);
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.put(this.prefix.add(key, "key"), value, options);
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    assertEntryArray(entries);
    return this.inner.putMany(
      entries.map(([key, value]) => [this.prefix.add(key, "key"), value] as const),
      options,
    );
  }

  override async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.inner.delete(this.prefix.add(key, "key"), options);
  }

  override async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.inner.deleteMany(this.prefixAll(keys), options);
  }

  override keys(options?: KeysOptions): AsyncIterable<string> {
    return mapUntil(this.innerWith("keys").keys({ collection: options?.collection }), (key) => this.prefix.strip(key), options?.limit);
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    const inner = this.innerWith("keys");
    const holdsPrefixedKey = async (collection: string) => ((await hasMatchingKey(inner, collection, (key) => this.prefix.has(key))) ? collection : undefined);
    return mapUntil(this.innerWith("collections").collections(), holdsPrefixedKey, options?.limit);
  }

  override async destroyCollection(collection: string): Promise<boolean> {
    const removed = await deleteMatchingKeys(this.innerWith("keys"), collection, (key) => this.prefix.has(key));
    return removed > 0;
  }

  override async destroy(): Promise<boolean> {
    const collections: string[] = [];
    for await (const collection of this.innerWith("collections").collections()) collections.push(collection);
    const removed = await Promise.all(collections.map((collection) => this.destroyCollection(collection)));
    return removed.some(Boolean);
  }

  private prefixAll(keys: readonly string[]): string[] {
    assertKeyArray(keys);
    return keys.map((key) => this.prefix.add(key, "key"));
  }
}

/** Enumeration and removal go through a key scan, so they need the wrapped store's `keys` (and `collections` for the whole store). */
function prefixKeysCapabilities(inner: AsyncKeyValue): Capability[] {
  const scan = hasCapability(inner, "keys");
  const list = hasCapability(inner, "collections");
  const offered: Capability[] = [];
  if (scan) offered.push("keys", "destroyCollection");
  if (scan && list) offered.push("collections", "destroy");
  if (hasCapability(inner, "cull")) offered.push("cull");
  return offered;
}
