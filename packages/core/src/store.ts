import { ManagedEntry } from "./entry.js";
import {
  InvalidArgumentError,
  InvalidKeyError,
  KeyValueError,
  StoreClosedError,
  StoreOperationError,
  StoreSetupError,
  type KeyValueErrorOptions,
} from "./errors.js";
import { redactError, redactText } from "./redaction.js";
import { PassthroughStrategy, type SanitizationStrategy } from "./sanitization.js";
import {
  DEFAULT_COLLECTION,
  type AsyncKeyValue,
  type Closeable,
  type CollectionsOptions,
  type JsonObject,
  type KeysOptions,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "./types.js";
import { assertValidLimit, assertValidName, assertValidTtl } from "./validation.js";
import { assertJsonObject, cloneJsonObject } from "./values.js";

const SANITIZED_COLLECTIONS_CACHED = 1_024;

export interface BaseStoreOptions {
  /** The collection used when an operation names none. Default `"default_collection"`. */
  defaultCollection?: string;
  /** Maps keys onto names the backend holds; each backend has a safe default. */
  keySanitizationStrategy?: SanitizationStrategy;
  /** Maps collection names onto names the backend holds; each backend has a safe default. */
  collectionSanitizationStrategy?: SanitizationStrategy;
}

/** What a backend passes up: its default strategies and the secrets in its connection options. */
export interface BackendDefaults {
  keySanitizationStrategy?: SanitizationStrategy;
  collectionSanitizationStrategy?: SanitizationStrategy;
  /** Passwords, tokens and keys to redact from every error the store throws. */
  secrets?: readonly (string | undefined)[];
}

/**
 * Everything that is the same for every backend: argument validation before any
 * I/O, the default collection, TTL arithmetic and read-time expiry, duplicate
 * handling in batches, once-only lazy setup, lifecycle, and error wrapping with
 * secrets redacted. A backend implements the protected hooks below and nothing else.
 *
 * Hooks receive original (unsanitized) names, unique keys, and entries that are
 * already validated; they use `sanitizeKey`/`sanitizeCollection` where the backend
 * limits names.
 */
export abstract class BaseStore implements AsyncKeyValue, Closeable {
  readonly defaultCollection: string;
  protected readonly keySanitizationStrategy: SanitizationStrategy;
  protected readonly collectionSanitizationStrategy: SanitizationStrategy;
  private readonly secrets: string[];
  private setupPromise: Promise<void> | undefined;
  private readonly collectionSetups = new Map<string, Promise<void>>();
  private readonly sanitizedCollections = new Map<string, string>();
  /** Set once setup has succeeded, so the hot path skips awaiting it. */
  private storeReady = false;
  private readonly readyCollections = new Set<string>();
  private closePromise: Promise<void> | undefined;
  private recreation: Promise<void> | undefined;
  /** Hook calls under way, which close() lets finish before it releases the backend. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: BaseStoreOptions = {}, defaults: BackendDefaults = {}) {
    this.keySanitizationStrategy = options.keySanitizationStrategy ?? defaults.keySanitizationStrategy ?? new PassthroughStrategy();
    this.collectionSanitizationStrategy =
      options.collectionSanitizationStrategy ?? defaults.collectionSanitizationStrategy ?? new PassthroughStrategy();
    this.secrets = (defaults.secrets ?? []).filter((secret): secret is string => typeof secret === "string" && secret !== "");
    this.defaultCollection = options.defaultCollection ?? DEFAULT_COLLECTION;
    this.validateName(this.defaultCollection, "collection");
  }

  // ---- Hooks a backend implements -------------------------------------------------

  /** The entry stored under `key`, expired or not; `undefined` when there is none. */
  protected abstract getEntry(collection: string, key: string): Promise<ManagedEntry | undefined>;
  protected abstract putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void>;
  /** Removes `key`; resolves true only when a live (unexpired) entry was removed. */
  protected abstract deleteEntry(collection: string, key: string): Promise<boolean>;

  /** Batch read of unique keys, one slot per key. Override with the backend's batch primitive. */
  protected getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    return Promise.all(keys.map((key) => this.getEntry(collection, key)));
  }

  /** Batch write of unique keys sharing one creation and expiry time. Override with the backend's batch primitive. */
  protected async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    await Promise.all(entries.map(([key, entry]) => this.putEntry(collection, key, entry)));
  }

  /** Batch delete of unique keys; resolves how many live entries were removed. */
  protected async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const removed = await Promise.all(keys.map((key) => this.deleteEntry(collection, key)));
    return removed.filter(Boolean).length;
  }

  /** Connects and creates what the whole store needs. Runs once, before the first operation. */
  protected async setupStore(): Promise<void> {}

  /** Creates what one collection needs. Runs once per collection, before its first operation. */
  protected async setupCollection(_collection: string): Promise<void> {}

  /** Releases what the store opened (never a client the caller passed in). */
  protected async closeStore(): Promise<void> {}

  /**
   * Turns a driver error into a `KeyValueError`. Backends override this to
   * recognise connection failures and size limits; the default calls anything
   * else a `StoreOperationError`.
   */
  protected classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof KeyValueError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new StoreOperationError(`${this.constructor.name} operation failed: ${message}`, { ...context, cause: error });
  }

  /** The current time in epoch milliseconds. */
  protected now(): number {
    return Date.now();
  }

  // ---- Names -----------------------------------------------------------------------

  protected sanitizeKey(key: string): string {
    return this.keySanitizationStrategy.sanitize(key);
  }

  protected sanitizeCollection(collection: string): string {
    // A store sees few collections and strategies are pure, so each is mapped once (a hash per call would add up).
    let sanitized = this.sanitizedCollections.get(collection);
    if (sanitized === undefined) {
      if (this.sanitizedCollections.size >= SANITIZED_COLLECTIONS_CACHED) this.sanitizedCollections.clear();
      sanitized = this.collectionSanitizationStrategy.sanitize(collection);
      this.sanitizedCollections.set(collection, sanitized);
    }
    return sanitized;
  }

  // ---- The protocol -----------------------------------------------------------------

  async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    const collection = this.resolveCollection(options);
    this.validateKey(key);
    const entry = await this.run(collection, () => this.getEntry(collection, key), { key });
    return this.live(entry)?.value;
  }

  async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    const entries = await this.readMany(keys, options);
    return entries.map((entry) => entry?.value);
  }

  async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    const collection = this.resolveCollection(options);
    this.validateKey(key);
    const entry = await this.run(collection, () => this.getEntry(collection, key), { key });
    return this.toTtlResult(this.live(entry));
  }

  async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    const entries = await this.readMany(keys, options);
    return entries.map((entry) => this.toTtlResult(entry));
  }

  async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    const collection = this.resolveCollection(options);
    this.validateKey(key);
    const ttl = this.validateTtl(options?.ttl);
    assertJsonObject(value, { key, collection });
    const entry = ManagedEntry.create(value, this.now(), ttl);
    await this.run(collection, () => this.putEntry(collection, key, entry), { key });
  }

  async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    const collection = this.resolveCollection(options);
    const ttl = this.validateTtl(options?.ttl);
    if (!Array.isArray(entries)) throw new InvalidArgumentError("putMany takes an array of [key, value] pairs");
    const lastByKey = new Map<string, JsonObject>();
    for (const pair of entries) {
      if (!Array.isArray(pair as unknown) || pair.length !== 2) {
        throw new InvalidArgumentError("putMany takes an array of [key, value] pairs");
      }
      const [key, value] = pair;
      this.validateKey(key);
      assertJsonObject(value, { key, collection });
      lastByKey.delete(key);
      lastByKey.set(key, value);
    }
    if (lastByKey.size === 0) return;
    const now = this.now();
    const managed = Array.from(lastByKey, ([key, value]) => [key, ManagedEntry.create(value, now, ttl)] as const);
    await this.run(collection, () =>
      managed.length === 1 ? this.putEntry(collection, managed[0]![0], managed[0]![1]) : this.putEntries(collection, managed),
    );
  }

  async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    const collection = this.resolveCollection(options);
    this.validateKey(key);
    return this.run(collection, () => this.deleteEntry(collection, key), { key });
  }

  async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    const collection = this.resolveCollection(options);
    const unique = this.uniqueKeys(keys);
    if (unique.length === 0) return 0;
    return this.run(collection, () => this.deleteEntries(collection, unique));
  }

  /** Connects and creates what the store needs; idempotent, and implied by every operation. */
  async setup(): Promise<void> {
    this.assertOpen();
    await this.ensureSetup();
  }

  /**
   * Releases what the store opened, after the operations already talking to the
   * backend finish; afterwards every operation rejects with `StoreClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      const pendingSetup = this.setupPromise;
      if (pendingSetup) await pendingSetup.catch(() => undefined);
      await Promise.allSettled([...this.inFlight]);
      try {
        await this.closeStore();
      } catch (error) {
        throw this.wrapError(error, {});
      }
    })();
    return this.closePromise;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get closed(): boolean {
    return this.closePromise !== undefined;
  }

  // ---- Runners for the optional capabilities ---------------------------------------
  // A backend that offers a capability declares the public method and passes its
  // hook to one of these, which validate, set up, apply limits and wrap errors.

  protected async *runKeys(options: KeysOptions | undefined, scan: (collection: string) => AsyncIterable<string>): AsyncGenerator<string> {
    const collection = this.resolveCollection(options);
    const limit = this.validateLimit(options?.limit);
    if (limit === 0) return;
    yield* this.iterate(collection, scan(collection), limit);
  }

  protected async *runCollections(options: CollectionsOptions | undefined, scan: () => AsyncIterable<string>): AsyncGenerator<string> {
    const limit = this.validateLimit(options?.limit);
    if (limit === 0) return;
    yield* this.iterate(undefined, scan(), limit);
  }

  protected async runDestroyCollection(collection: string, remove: (collection: string) => Promise<boolean>): Promise<boolean> {
    this.validateName(collection, "collection");
    const removed = await this.run(undefined, () => remove(collection), { collection });
    this.collectionSetups.delete(collection);
    this.readyCollections.delete(collection);
    return removed;
  }

  protected async runDestroy(remove: () => Promise<boolean>): Promise<boolean> {
    const removed = await this.run(undefined, remove);
    this.collectionSetups.clear();
    this.readyCollections.clear();
    return removed;
  }

  protected runCull(remove: () => Promise<void>): Promise<void> {
    return this.run(undefined, remove);
  }

  /**
   * Runs a backend request; when `vanished(error)` says that what setup created has
   * gone since (a table dropped by someone, an emulator restarted empty), runs
   * `recreate`, once for every request that hit it at the same time, and the
   * request once more.
   */
  protected async retryAfterRecreating<T>(request: () => Promise<T>, vanished: (error: unknown) => boolean, recreate: () => Promise<void>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!vanished(error)) throw error;
      this.recreation ??= recreate().finally(() => {
        this.recreation = undefined;
      });
      await this.recreation;
      return request();
    }
  }

  // ---- Internals ---------------------------------------------------------------------

  private async readMany(keys: readonly string[], options?: KeyValueOptions): Promise<(ManagedEntry | undefined)[]> {
    const collection = this.resolveCollection(options);
    const unique = this.uniqueKeys(keys);
    if (unique.length === 0) return [];
    const found = await this.run(collection, () =>
      unique.length === 1 ? this.getEntry(collection, unique[0]!).then((entry) => [entry]) : this.getEntries(collection, unique),
    );
    const now = this.now();
    const live = found.map((entry) => (entry === undefined || entry.isExpired(now) ? undefined : entry));
    if (unique.length === keys.length) return live;
    // A key asked for twice is answered with two separate objects.
    const byKey = new Map<string, ManagedEntry | undefined>();
    unique.forEach((key, index) => byKey.set(key, live[index]));
    const answered = new Set<string>();
    return keys.map((key) => {
      const entry = byKey.get(key);
      if (entry === undefined || !answered.has(key)) {
        answered.add(key);
        return entry;
      }
      return new ManagedEntry(cloneJsonObject(entry.value), entry.createdAt, entry.expiresAt);
    });
  }

  private live(entry: ManagedEntry | undefined): ManagedEntry | undefined {
    return entry === undefined || entry.isExpired(this.now()) ? undefined : entry;
  }

  private toTtlResult(entry: ManagedEntry | undefined): TtlResult | undefined {
    if (entry === undefined) return undefined;
    const remaining = entry.remainingTtl(this.now());
    if (remaining !== undefined && remaining <= 0) return undefined;
    return { value: entry.value, ttl: remaining };
  }

  private uniqueKeys(keys: readonly string[]): string[] {
    if (!Array.isArray(keys)) throw new InvalidArgumentError("expected an array of keys");
    for (const key of keys) this.validateKey(key);
    return [...new Set(keys)];
  }

  private resolveCollection(options: KeyValueOptions | undefined): string {
    const collection = options?.collection ?? this.defaultCollection;
    this.validateName(collection, "collection");
    return collection;
  }

  private validateKey(key: unknown): asserts key is string {
    this.validateName(key, "key");
  }

  private validateName(name: unknown, kind: "key" | "collection"): asserts name is string {
    assertValidName(name, kind);
    const strategy = kind === "key" ? this.keySanitizationStrategy : this.collectionSanitizationStrategy;
    try {
      strategy.validate(name);
    } catch (error) {
      if (error instanceof InvalidKeyError) throw error;
      throw new InvalidKeyError(`${kind} ${JSON.stringify(name)} is refused: ${String(error)}`, { cause: error });
    }
  }

  private validateTtl(ttl: unknown): number | undefined {
    assertValidTtl(ttl, this.now());
    return ttl;
  }

  private validateLimit(limit: unknown): number {
    assertValidLimit(limit);
    return limit ?? Infinity;
  }

  private assertOpen(): void {
    if (this.closePromise !== undefined) throw this.closedError();
  }

  private closedError(): StoreClosedError {
    return new StoreClosedError(`${this.constructor.name} is closed`);
  }

  private ensureSetup(): Promise<void> {
    this.setupPromise ??= this.setupStore().then(
      () => {
        this.storeReady = true;
      },
      (error: unknown) => {
        this.setupPromise = undefined;
        throw this.wrapSetupError(error, {});
      },
    );
    return this.setupPromise;
  }

  private ensureCollectionSetup(collection: string): Promise<void> {
    let setup = this.collectionSetups.get(collection);
    if (setup === undefined) {
      setup = this.setupCollection(collection).then(
        () => {
          if (this.collectionSetups.get(collection) === setup) this.readyCollections.add(collection);
        },
        (error: unknown) => {
          this.collectionSetups.delete(collection);
          throw this.wrapSetupError(error, { collection });
        },
      );
      this.collectionSetups.set(collection, setup);
    }
    return setup;
  }

  /** Runs one operation: open check, setup, then the hook, with its errors wrapped. */
  private run<T>(collection: string | undefined, operation: () => Promise<T>, context?: KeyValueErrorOptions): Promise<T> {
    if (this.closePromise !== undefined) return Promise.reject(this.closedError());
    // The hot path, once set up: no awaits of already-settled setup promises.
    if (this.storeReady && (collection === undefined || this.readyCollections.has(collection))) return this.invoke(collection, operation, context);
    return this.runAfterSetup(collection, operation, context);
  }

  private async runAfterSetup<T>(collection: string | undefined, operation: () => Promise<T>, context?: KeyValueErrorOptions): Promise<T> {
    if (!this.storeReady) await this.ensureSetup();
    if (collection !== undefined && !this.readyCollections.has(collection)) await this.ensureCollectionSetup(collection);
    // close() may have been called while setup was awaited.
    this.assertOpen();
    return this.invoke(collection, operation, context);
  }

  private invoke<T>(collection: string | undefined, operation: () => Promise<T>, context: KeyValueErrorOptions | undefined): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = operation();
    } catch (error) {
      return Promise.reject(this.wrapError(error, { collection, ...context }));
    }
    this.inFlight.add(pending);
    return pending.then(
      (result) => {
        this.inFlight.delete(pending);
        return result;
      },
      (error: unknown) => {
        this.inFlight.delete(pending);
        throw this.wrapError(error, { collection, ...context });
      },
    );
  }

  private async *iterate(collection: string | undefined, source: AsyncIterable<string>, limit: number): AsyncGenerator<string> {
    this.assertOpen();
    await this.ensureSetup();
    if (collection !== undefined) await this.ensureCollectionSetup(collection);
    let count = 0;
    const iterator = source[Symbol.asyncIterator]();
    try {
      while (count < limit) {
        this.assertOpen();
        let step: IteratorResult<string>;
        try {
          step = await iterator.next();
        } catch (error) {
          throw this.wrapError(error, { collection });
        }
        if (step.done) return;
        count++;
        yield step.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  private wrapSetupError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    const wrapped = this.wrapError(error, context);
    // A typed verdict (bad name, unreachable server, closed store) stays what it is; only a generic failure becomes a setup error.
    if (!(wrapped instanceof StoreOperationError)) return wrapped;
    return redactError(
      new StoreSetupError(redactText(`${this.constructor.name} setup failed: ${wrapped.message}`, this.secrets), {
        ...context,
        cause: wrapped,
      }),
      this.secrets,
    );
  }

  private wrapError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    return redactError(this.classifyError(error, context), this.secrets);
  }
}
