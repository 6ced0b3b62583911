import {
  CAPABILITIES,
  DEFAULT_COLLECTION,
  hasCapability,
  type AsyncKeyValue,
  type Capability,
  type CapabilityInterfaces,
  type Closeable,
  type CollectionsOptions,
  type JsonObject,
  type KeysOptions,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";

type Method = (...args: unknown[]) => unknown;

/** The optional capabilities `store` offers (a capability counts when its member is a function). */
export function capabilitiesOf(store: AsyncKeyValue): Capability[] {
  return CAPABILITIES.filter((capability) => hasCapability(store, capability));
}

/** The capabilities every one of `stores` offers: what a wrapper over several stores can promise. */
export function capabilitiesOfAll(stores: readonly AsyncKeyValue[]): Capability[] {
  return CAPABILITIES.filter((capability) => stores.every((store) => hasCapability(store, capability)));
}

/** Runs `task` on every distinct store and rethrows the first failure once all have settled. */
export async function forEachStore(stores: readonly AsyncKeyValue[], task: (store: AsyncKeyValue) => Promise<unknown> | undefined): Promise<void> {
  const results = await Promise.allSettled([...new Set(stores)].map(task));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

/** Closes every distinct store that can be closed, all of them even when one fails. */
export function closeStores(stores: readonly AsyncKeyValue[]): Promise<void> {
  return forEachStore(stores, (store) => (store as Partial<Closeable>).close?.());
}

/** Sets up every distinct store that can be set up. */
export function setupStores(stores: readonly AsyncKeyValue[]): Promise<void> {
  return forEachStore(stores, (store) => (store as { setup?: () => Promise<void> }).setup?.());
}

/**
 * The base of every wrapper: an `AsyncKeyValue` over another one (`inner`) that
 * forwards every protocol method unchanged, so a subclass overrides only what it changes.
 *
 * The optional capabilities (`keys`, `collections`, `destroyCollection`, `destroy`,
 * `cull`) exist on a wrapper exactly when it offers them, so `hasCapability(wrapper,
 * "keys")` tells the truth. By default a wrapper offers what `inner` offers; a
 * subclass that can do more or less passes its own list to the constructor (see
 * `capabilitiesOf`, `capabilitiesOfAll`).
 *
 * - A capability the wrapper offers and the subclass does not implement forwards to `inner`.
 * - A capability the subclass implements (e.g. `keys`, to strip a prefix) is used when
 *   offered and hidden when not: a subclass may implement `keys` unconditionally.
 * - The capability members are typed optional: narrow with `hasCapability` first.
 *
 * `setup`, `close` and `Symbol.asyncDispose` are always there (so `await using` type-checks):
 * they set up and close the wrapped store, and do nothing for a store without them.
 * A wrapper over several stores overrides them (`setupStores`, `closeStores`).
 */
export abstract class KeyValueWrapper<S extends AsyncKeyValue = AsyncKeyValue> implements AsyncKeyValue {
  /** The wrapped store. */
  readonly inner: S;

  keys?(options?: KeysOptions): AsyncIterable<string>;
  collections?(options?: CollectionsOptions): AsyncIterable<string>;
  destroyCollection?(collection: string): Promise<boolean>;
  destroy?(): Promise<boolean>;
  cull?(): Promise<void>;

  protected constructor(inner: S, capabilities: readonly Capability[] = capabilitiesOf(inner)) {
    this.inner = inner;
    const members = this as unknown as Record<string, Method | undefined>;
    for (const capability of CAPABILITIES) {
      const implemented = typeof members[capability] === "function";
      if (!capabilities.includes(capability)) {
        if (implemented) hide(this, capability);
      } else if (!implemented) {
        define(this, capability, (...args: unknown[]) => (inner as unknown as Record<string, Method>)[capability]!.apply(inner, args));
      }
    }
  }

  /** The collection an operation without one addresses: the wrapped store's. */
  get defaultCollection(): string {
    return (this.inner as { defaultCollection?: unknown }).defaultCollection as string | undefined ?? DEFAULT_COLLECTION;
  }

  get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return this.inner.get(key, options);
  }

  getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    return this.inner.getMany(keys, options);
  }

  ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return this.inner.ttl(key, options);
  }

  ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    return this.inner.ttlMany(keys, options);
  }

  put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.put(key, value, options);
  }

  putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.inner.putMany(entries, options);
  }

  delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.inner.delete(key, options);
  }

  deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.inner.deleteMany(keys, options);
  }

  /** Connects and creates what the wrapped store needs; idempotent. */
  async setup(): Promise<void> {
    await setupStores([this.inner]);
  }

  /** Closes the wrapped store. */
  async close(): Promise<void> {
    await closeStores([this.inner]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The collection `options` addresses, with the wrapper's default applied. */
  protected collectionOf(options: KeyValueOptions | undefined): string {
    return options?.collection ?? this.defaultCollection;
  }

  /** `inner`, typed as offering `capability`: for members that exist only when it does. */
  protected innerWith<C extends Capability>(_capability: C): S & CapabilityInterfaces[C] {
    return this.inner as S & CapabilityInterfaces[C];
  }
}

function define(target: object, name: string, value: Method): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

/** Shadows a subclass's implementation with `undefined`, so the member reads as absent. */
function hide(target: object, name: string): void {
  Object.defineProperty(target, name, { value: undefined, writable: true, configurable: true, enumerable: false });
}
