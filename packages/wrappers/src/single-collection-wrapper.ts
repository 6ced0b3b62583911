import {
  DEFAULT_COLLECTION,
  InvalidArgumentError,
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
import { assertEntryArray, assertKeyArray } from "./batch-arguments.js";
import { deleteMatchingKeys, mapUntil } from "./key-scan.js";
import { DEFAULT_PREFIX_SEPARATOR } from "./prefix.js";
import { KeyValueWrapper } from "./wrapper.js";

/** Starts a collection name written as hex, so that no name can contain the separator. */
const ENCODED_MARK = "~";
const HEX_ALPHABET = /^[0-9a-f~]*$/;

export interface SingleCollectionWrapperOptions {
  /** The one collection of the wrapped store that holds everything. */
  collection: string;
  /** Between collection and key in the stored key. Default `"__"`, as in py-key-value. */
  separator?: string;
  /** The collection of operations that name none. Default `"default_collection"`. */
  defaultCollection?: string;
}

/**
 * Keeps many collections in one collection of the wrapped store, for backends where
 * collections are expensive (a table or index each): key `k` of collection `c` is
 * stored as `c__k`, as py-key-value does. A collection name that contains the
 * separator (or starts with `~`) is written as `~` and its UTF-8 in hex instead, so
 * no two pairs collide. Enumeration and `destroyCollection` scan the backing
 * collection, so they need `keys` on the wrapped store.
 */
export class SingleCollectionWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  /** The collection of the wrapped store that holds everything. */
  readonly backingCollection: string;
  private readonly separator: string;
  private readonly ownDefaultCollection: string;

  constructor(inner: S, options: SingleCollectionWrapperOptions) {
    super(inner, singleCollectionCapabilities(inner));
    assertValidName(options.collection, "collection");
    this.backingCollection = options.collection;
    this.separator = options.separator ?? DEFAULT_PREFIX_SEPARATOR;
    if (typeof this.separator !== "string" || HEX_ALPHABET.test(this.separator)) {
      throw new InvalidArgumentError("separator must be a string holding a character other than 0-9, a-f and ~");
    }
    this.ownDefaultCollection = options.defaultCollection ?? DEFAULT_COLLECTION;
    assertValidName(this.ownDefaultCollection, "collection");
  }

  override get defaultCollection(): string {
    return this.ownDefaultCollection;
  }

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.inner.get(this.storedKey(this.head(options), key), this.backing);
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.inner.getMany(this.storedKeys(options, keys), this.backing);
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.inner.ttl(this.storedKey(this.head(options), key), this.backing);
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.inner.ttlMany(this.storedKeys(options, keys), this.backing);
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.put(this.storedKey(this.head(options), key), value, { ttl: options?.ttl, ...this.backing });
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    const head = this.head(options);
    assertEntryArray(entries);
    const stored = entries.map(([key, value]) => [this.storedKey(head, key), value] as const);
    return this.inner.putMany(stored, { ttl: options?.ttl, ...this.backing });
  }

  override async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.inner.delete(this.storedKey(this.head(options), key), this.backing);
  }

  override async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.inner.deleteMany(this.storedKeys(options, keys), this.backing);
  }

  override async *keys(options?: KeysOptions): AsyncIterable<string> {
    const head = this.head(options);
    const strip = (stored: string) => (stored.startsWith(head) ? stored.slice(head.length) : undefined);
    yield* mapUntil(this.scan(), strip, options?.limit);
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    const seen = new Set<string>();
    const firstSighting = (stored: string) => {
      const collection = this.collectionOfStoredKey(stored);
      if (collection === undefined || seen.has(collection)) return undefined;
      seen.add(collection);
      return collection;
    };
    return mapUntil(this.scan(), firstSighting, options?.limit);
  }

  override async destroyCollection(collection: string): Promise<boolean> {
    const head = this.head({ collection });
    return (await deleteMatchingKeys(this.innerWith("keys"), this.backingCollection, (stored) => stored.startsWith(head))) > 0;
  }

  override async destroy(): Promise<boolean> {
    if (hasCapability(this.inner, "destroyCollection")) return this.inner.destroyCollection(this.backingCollection);
    return (await deleteMatchingKeys(this.innerWith("keys"), this.backingCollection, (stored) => this.collectionOfStoredKey(stored) !== undefined)) > 0;
  }

  private get backing(): KeyValueOptions {
    return { collection: this.backingCollection };
  }

  /** What every stored key of the collection `options` addresses starts with. */
  private head(options: KeyValueOptions | undefined): string {
    const collection = this.collectionOf(options);
    assertValidName(collection, "collection");
    const written = collection.includes(this.separator) || collection.startsWith(ENCODED_MARK) ? ENCODED_MARK + Buffer.from(collection, "utf8").toString("hex") : collection;
    return written + this.separator;
  }

  private storedKey(head: string, key: string): string {
    assertValidName(key, "key");
    return head + key;
  }

  private storedKeys(options: KeyValueOptions | undefined, keys: readonly string[]): string[] {
    const head = this.head(options);
    assertKeyArray(keys);
    return keys.map((key) => this.storedKey(head, key));
  }

  /** The collection a stored key belongs to; `undefined` for a key this wrapper did not write. */
  private collectionOfStoredKey(stored: string): string | undefined {
    const end = stored.indexOf(this.separator);
    if (end <= 0 || end + this.separator.length === stored.length) return undefined;
    const written = stored.slice(0, end);
    if (!written.startsWith(ENCODED_MARK)) return written;
    const hex = written.slice(ENCODED_MARK.length);
    return /^(?:[0-9a-f]{2})+$/.test(hex) ? Buffer.from(hex, "hex").toString("utf8") : undefined;
  }

  private scan(): AsyncIterable<string> {
    return this.innerWith("keys").keys(this.backing);
  }
}

/** Everything but `cull` works by scanning the backing collection (or, for `destroy`, destroying it). */
function singleCollectionCapabilities(inner: AsyncKeyValue): Capability[] {
  const offered: Capability[] = [];
  if (hasCapability(inner, "keys")) offered.push("keys", "collections", "destroyCollection");
  if (hasCapability(inner, "keys") || hasCapability(inner, "destroyCollection")) offered.push("destroy");
  if (hasCapability(inner, "cull")) offered.push("cull");
  return offered;
}
