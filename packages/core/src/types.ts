/** A JSON value: what survives `JSON.stringify` followed by `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** The only thing a store holds: a plain JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface KeyValueOptions {
  /** The collection to address; defaults to the store's `defaultCollection`. */
  collection?: string;
}

export interface PutOptions extends KeyValueOptions {
  /** Seconds until the entry expires: a finite number > 0. Absent: never expires. */
  ttl?: number;
}

export interface TtlResult {
  value: JsonObject;
  /** Remaining seconds (> 0), or `undefined` for an entry that never expires. */
  ttl: number | undefined;
}

/** The protocol every store, wrapper and adapter implements. */
export interface AsyncKeyValue {
  get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined>;
  getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]>;
  ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined>;
  ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]>;
  put(key: string, value: JsonObject, options?: PutOptions): Promise<void>;
  putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void>;
  delete(key: string, options?: KeyValueOptions): Promise<boolean>;
  deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number>;
}

export interface KeysOptions {
  collection?: string;
  /** Yield at most this many keys. */
  limit?: number;
}

export interface CollectionsOptions {
  /** Yield at most this many collection names. */
  limit?: number;
}

/** Yields the original keys of the live entries of one collection. */
export interface EnumerateKeys {
  keys(options?: KeysOptions): AsyncIterable<string>;
}

/** Yields the original names of the collections that hold live entries. */
export interface EnumerateCollections {
  collections(options?: CollectionsOptions): AsyncIterable<string>;
}

/** Removes a collection and everything in it. */
export interface DestroyCollection {
  destroyCollection(collection: string): Promise<boolean>;
}

/** Removes everything the store owns, and nothing it does not. */
export interface DestroyStore {
  destroy(): Promise<boolean>;
}

/** Removes expired entries from backends that keep them. */
export interface Cull {
  cull(): Promise<void>;
}

export interface CapabilityInterfaces {
  keys: EnumerateKeys;
  collections: EnumerateCollections;
  destroyCollection: DestroyCollection;
  destroy: DestroyStore;
  cull: Cull;
}

export type Capability = keyof CapabilityInterfaces;

export const CAPABILITIES: readonly Capability[] = ["keys", "collections", "destroyCollection", "destroy", "cull"];

/** Narrows a store to one that offers `capability` (for wrappers that forward what their inner store has). */
export function hasCapability<S extends object, C extends Capability>(
  store: S,
  capability: C,
): store is S & CapabilityInterfaces[C] {
  return typeof (store as Record<string, unknown>)[capability] === "function";
}

/** Releases what a store opened; stores also implement `Symbol.asyncDispose`. */
export interface Closeable {
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const DEFAULT_COLLECTION = "default_collection";
