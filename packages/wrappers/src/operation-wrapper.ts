import type { AsyncKeyValue, Capability, CollectionsOptions, JsonObject, KeysOptions, KeyValueOptions, PutOptions, TtlResult } from "@kv/core";
import { KeyValueWrapper } from "./wrapper.js";

export type OperationName =
  | "get"
  | "getMany"
  | "ttl"
  | "ttlMany"
  | "put"
  | "putMany"
  | "delete"
  | "deleteMany"
  | "keys"
  | "collections"
  | "destroyCollection"
  | "destroy"
  | "cull"
  | "setup";

/** One call about to be made to the wrapped store, as an `OperationWrapper` sees it. */
export interface Operation {
  readonly name: OperationName;
  /** The collection it addresses, the default applied; absent for operations on the whole store. */
  readonly collection?: string;
  /** The keys it addresses (one for `get`, `put`, `delete`…), in the caller's order. */
  readonly keys?: readonly unknown[];
  /** The values `put`/`putMany` write, in the order of `keys`. */
  readonly values?: readonly unknown[];
  readonly ttl?: number;
  /** The `limit` of `keys`/`collections`. */
  readonly limit?: number;
}

/**
 * A wrapper that does the same around every call to the wrapped store (retry, time
 * out, count, log, break a circuit): a subclass implements `around` for calls that
 * resolve once and `aroundScan` for enumerations, and overrides nothing else. The
 * `Operation` it receives names the method and its arguments.
 */
export abstract class OperationWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  protected constructor(inner: S, capabilities?: readonly Capability[]) {
    super(inner, capabilities);
  }

  /** Makes `call` (one call to the wrapped store) and resolves what it resolves, or not. */
  protected abstract around<T>(operation: Operation, call: () => Promise<T>): Promise<T>;

  /** Iterates the enumeration `open()` starts, yielding its items, or not. */
  protected abstract aroundScan(operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string>;

  override get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.run({ name: "get", collection: this.collectionOf(options), keys: [key] }, () => this.inner.get(key, options));
  }

  override getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.run({ name: "getMany", collection: this.collectionOf(options), keys }, () => this.inner.getMany(keys, options));
  }

  override ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.run({ name: "ttl", collection: this.collectionOf(options), keys: [key] }, () => this.inner.ttl(key, options));
  }

  override ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.run({ name: "ttlMany", collection: this.collectionOf(options), keys }, () => this.inner.ttlMany(keys, options));
  }

  override put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    const operation: Operation = { name: "put", collection: this.collectionOf(options), keys: [key], values: [value], ttl: options?.ttl };
    return this.run(operation, () => this.inner.put(key, value, options));
  }

  override putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    // A malformed batch is the wrapped store's to refuse; the operation then names no keys.
    const pairs = Array.isArray(entries) ? entries.map((entry: unknown) => (Array.isArray(entry) ? entry : [])) : [];
    const operation: Operation = {
      name: "putMany",
      collection: this.collectionOf(options),
      keys: pairs.map(([key]) => key as unknown),
      values: pairs.map(([, value]) => value as unknown),
      ttl: options?.ttl,
    };
    return this.run(operation, () => this.inner.putMany(entries, options));
  }

  override delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.run({ name: "delete", collection: this.collectionOf(options), keys: [key] }, () => this.inner.delete(key, options));
  }

  override deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.run({ name: "deleteMany", collection: this.collectionOf(options), keys }, () => this.inner.deleteMany(keys, options));
  }

  override keys(options?: KeysOptions): AsyncIterable<string> {
    return this.aroundScan({ name: "keys", collection: this.collectionOf(options), limit: options?.limit }, () => this.innerWith("keys").keys(options));
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.aroundScan({ name: "collections", limit: options?.limit }, () => this.innerWith("collections").collections(options));
  }

  override destroyCollection(collection: string): Promise<boolean> {
    return this.run({ name: "destroyCollection", collection }, () => this.innerWith("destroyCollection").destroyCollection(collection));
  }

  override destroy(): Promise<boolean> {
    return this.run({ name: "destroy" }, () => this.innerWith("destroy").destroy());
  }

  override cull(): Promise<void> {
    return this.run({ name: "cull" }, () => this.innerWith("cull").cull());
  }

  override setup(): Promise<void> {
    return this.run({ name: "setup" }, () => super.setup());
  }

  /** `around`, with a synchronous throw of the wrapped store turned into a rejection. */
  private async run<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    return this.around(operation, async () => call());
  }
}
