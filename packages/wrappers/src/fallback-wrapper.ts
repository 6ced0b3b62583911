import {
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
import { recoverFirstStep } from "./key-scan.js";
import { isStoreFailure } from "./store-failure.js";
import { KeyValueWrapper, closeStores, setupStores } from "./wrapper.js";

export interface FallbackEvent {
  /** The method that fell back, e.g. `"get"`. */
  operation: string;
  /** The primary store's failure. */
  error: unknown;
}

export interface FallbackWrapperOptions {
  /** Serves operations the primary store fails. */
  fallback: AsyncKeyValue;
  /**
   * Which failures of the primary store fall back. Default: store failures
   * (`StoreConnectionError` — so also timeouts and open circuits —, `StoreOperationError`,
   * `StoreSetupError`, and errors that are not `KeyValueError`s); an error about the
   * caller's input is the caller's to see.
   */
  fallbackOn?: (error: unknown) => boolean;
  /** Also send writes (and removals) to the fallback store when the primary fails them. Default false: writes fail. */
  writeToFallback?: boolean;
  /** Called each time an operation falls back, e.g. to log it. */
  onFallback?: (event: FallbackEvent) => void;
}

/**
 * Reads from the primary store and, when it fails, from the fallback store. Writes go
 * to the primary only, unless `writeToFallback` (then data written during an outage
 * lives in the fallback store until you reconcile it). Pair it with a
 * `CircuitBreakerWrapper` around the primary so that, during an outage, reads go to
 * the fallback at once instead of waiting for the primary to fail each time.
 *
 * Offers the primary store's capabilities; `keys` and `collections` fall back when
 * the fallback store has them too. Closing closes both stores.
 */
export class FallbackWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  readonly fallback: AsyncKeyValue;
  private readonly fallbackOn: (error: unknown) => boolean;
  private readonly writeToFallback: boolean;
  private readonly onFallback: ((event: FallbackEvent) => void) | undefined;

  constructor(primary: S, options: FallbackWrapperOptions) {
    super(primary);
    this.fallback = options.fallback;
    this.fallbackOn = options.fallbackOn ?? isStoreFailure;
    this.writeToFallback = options.writeToFallback ?? false;
    this.onFallback = options.onFallback;
  }

  override get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.read("get", options, (store, resolved) => store.get(key, resolved));
  }

  override getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.read("getMany", options, (store, resolved) => store.getMany(keys, resolved));
  }

  override ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.read("ttl", options, (store, resolved) => store.ttl(key, resolved));
  }

  override ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.read("ttlMany", options, (store, resolved) => store.ttlMany(keys, resolved));
  }

  override put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.write("put", options, (store, resolved) => store.put(key, value, resolved));
  }

  override putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.write("putMany", options, (store, resolved) => store.putMany(entries, resolved));
  }

  override delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.write("delete", options, (store, resolved) => store.delete(key, resolved));
  }

  override deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.write("deleteMany", options, (store, resolved) => store.deleteMany(keys, resolved));
  }

  override keys(options?: KeysOptions): AsyncIterable<string> {
    const resolved = { ...options, collection: this.collectionOf(options) };
    const fallback = this.fallbackWith("keys");
    return this.scan("keys", () => this.innerWith("keys").keys(resolved), fallback && (() => fallback.keys(resolved)));
  }

  override collections(options?: CollectionsOptions): AsyncIterable<string> {
    const fallback = this.fallbackWith("collections");
    return this.scan("collections", () => this.innerWith("collections").collections(options), fallback && (() => fallback.collections(options)));
  }

  override destroyCollection(collection: string): Promise<boolean> {
    return this.capabilityWrite("destroyCollection", (store) => store.destroyCollection(collection));
  }

  override destroy(): Promise<boolean> {
    return this.capabilityWrite("destroy", (store) => store.destroy());
  }

  override cull(): Promise<void> {
    return this.capabilityWrite("cull", (store) => store.cull());
  }

  /** Sets up both stores; a primary that fails to set up is tolerated as any other failure is. */
  override async setup(): Promise<void> {
    await setupStores([this.fallback]);
    try {
      await super.setup();
    } catch (error) {
      if (!this.fallbackOn(error)) throw error;
      this.onFallback?.({ operation: "setup", error });
    }
  }

  override close(): Promise<void> {
    return closeStores([this.inner, this.fallback]);
  }

  private async read<O extends KeyValueOptions, T>(operation: string, options: O | undefined, call: (store: AsyncKeyValue, options: O) => Promise<T>): Promise<T> {
    // Both stores get the collection explicitly: their own defaults may differ.
    const resolved = { ...options, collection: this.collectionOf(options) } as O;
    try {
      return await call(this.inner, resolved);
    } catch (error) {
      if (!this.fallbackOn(error)) throw error;
      this.onFallback?.({ operation, error });
      return call(this.fallback, resolved);
    }
  }

  private write<O extends KeyValueOptions, T>(operation: string, options: O | undefined, call: (store: AsyncKeyValue, options: O) => Promise<T>): Promise<T> {
    if (this.writeToFallback) return this.read(operation, options, call);
    return call(this.inner, { ...options, collection: this.collectionOf(options) } as O);
  }

  private async capabilityWrite<C extends "destroyCollection" | "destroy" | "cull", T>(
    capability: C,
    call: (store: CapabilityInterfaces[C]) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(this.innerWith(capability));
    } catch (error) {
      const fallback = this.fallbackWith(capability);
      if (!this.writeToFallback || fallback === undefined || !this.fallbackOn(error)) throw error;
      this.onFallback?.({ operation: capability, error });
      return call(fallback);
    }
  }

  /** Falls back only while the primary has yielded nothing, so no item is listed twice. */
  private scan(operation: string, primary: () => AsyncIterable<string>, fallback: (() => AsyncIterable<string>) | undefined): AsyncIterable<string> {
    return recoverFirstStep(primary, async (error, attempt) => {
      if (attempt > 1 || fallback === undefined || !this.fallbackOn(error)) throw error;
      this.onFallback?.({ operation, error });
      return fallback;
    });
  }

  private fallbackWith<C extends Capability>(capability: C): (AsyncKeyValue & CapabilityInterfaces[C]) | undefined {
    return hasCapability(this.fallback, capability) ? this.fallback : undefined;
  }
}
