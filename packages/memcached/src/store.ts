import {
  BaseStore,
  InvalidArgumentError,
  InvalidKeyError,
  KeyValueError,
  StoreConnectionError,
  ValueTooLargeError,
  parseEnvelope,
  serializeEnvelope,
  type BaseStoreOptions,
  type DestroyStore,
  type KeyValueErrorOptions,
  type ManagedEntry,
  type SanitizationStrategy,
} from "@kv/core";
import memjs from "memjs";
import { memcachedExpiration } from "./expiration.js";
import { getQuietly } from "./quiet-get.js";
import { MemcachedCollectionSanitizationStrategy, MemcachedKeySanitizationStrategy, isMemcachedKey } from "./sanitization.js";

export interface MemcachedStoreOptions extends Omit<BaseStoreOptions, "collectionSanitizationStrategy"> {
  /** Servers as memjs takes them: `"host:port,host:port"`, optionally `user:password@host:port`. Default `"{host}:{port}"`. */
  servers?: string;
  /** Default `"127.0.0.1"`. */
  host?: string;
  /** Default 11211. */
  port?: number;
  /** SASL user name. */
  username?: string;
  /** SASL password; never appears in an error. */
  password?: string;
  /** An existing memjs client, used instead of the connection options and never closed by the store. */
  client?: memjs.Client;
  /** Offer `destroy()`, which runs `flush_all`: it empties every server, data of other users included. Default false. */
  destroyFlushesServer?: boolean;
  /** The servers' item size limit (memcached `-I`) in bytes; larger entries are refused with `ValueTooLargeError`. Default 1,048,576. */
  maxItemSize?: number;
  /** Milliseconds a request waits for its reply before the connection counts as broken (memjs `timeout`). Default 1,000. */
  timeout?: number;
  /** Milliseconds to wait for a connection (memjs `conntimeout`). Default 1,000. */
  connectTimeout?: number;
}

/** `new MemcachedStore(...)`: its type has `destroy` exactly when `destroyFlushesServer: true`. */
export interface MemcachedStoreConstructor {
  new (options: MemcachedStoreOptions & { destroyFlushesServer: true }): MemcachedStore & DestroyStore;
  new (options?: MemcachedStoreOptions): MemcachedStore;
  readonly prototype: MemcachedStore;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 11211;
const DEFAULT_MAX_ITEM_SIZE = 1_048_576;
/** Memcached 1.6 adds 59 bytes to key and value per item; the rest is room for other versions and options. */
const ITEM_OVERHEAD_BYTES = 256;
const DEFAULT_TIMEOUT_MS = 1_000;
/** memjs tries a failed request twice in all, this long apart. */
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 100;
const COLLECTION_STRATEGY = new MemcachedCollectionSanitizationStrategy();
/** The watchdog looks for stuck operations at least this often. */
const MIN_SWEEP_MS = 50;
const SILENT_LOGGER = { log: (): void => {} };

const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// memjs's words for a connection that failed, timed out, or was refused at login.
const CONNECTION_ERROR_MESSAGE = /socket timed out|connection closed|no servers available|authentication failed/i;
// The binary protocol's E2BIG ("Value too large"), and the text protocol's wording.
const TOO_LARGE_MESSAGE = /value too large|object too large/i;

interface Item {
  collection: string;
  key: string;
  storageKey: string;
  envelope: Buffer;
  size: number;
  expires: number;
}

/**
 * Waits for every request, then fails with the first error if any: memjs retries a
 * failed request 100 ms later, and a batch that failed fast would leave such retries
 * to land after the caller has moved on (a delete undoing a later put).
 */
async function settleAll<T>(requests: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(requests);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

function passwordsIn(servers: string | undefined): string[] {
  return (servers ?? "").split(",").flatMap((uri) => {
    const credentials = uri.split("@").slice(0, -1).join("@");
    return credentials.includes(":") ? [credentials.slice(credentials.indexOf(":") + 1)] : [];
  });
}

function positiveOption(name: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${name} must be a ${integer ? "whole " : ""}number > 0, got ${String(value)}`);
  }
  return value;
}

/**
 * A store on memcached through memjs, in py-key-value's layout: key
 * `collection::key` (sanitized), value the envelope JSON, native expiry. Memcached
 * cannot list or tell apart its keys, so the only capability is `destroy`, with
 * `destroyFlushesServer: true`.
 */
class MemcachedStore extends BaseStore {
  private readonly client: memjs.Client;
  private readonly ownsClient: boolean;
  private readonly keyStrategy: SanitizationStrategy;
  /** The default strategy's names are valid memcached keys by construction; others are checked. */
  private readonly checksStorageKeys: boolean;
  private readonly maxItemSize: number;
  /** How long memjs may take to answer or fail, with its retry; past it, the operation fails anyway. */
  private readonly operationDeadline: number;
  /** Operations under way and when each must have settled: one sweeping timer rather than a timer per operation. */
  private readonly deadlines = new Map<(error: Error) => void, number>();
  private watchdog: NodeJS.Timeout | undefined;

  constructor(options: MemcachedStoreOptions = {}) {
    const { client, servers, host, port, username, password, keySanitizationStrategy, destroyFlushesServer } = options;
    super({ defaultCollection: options.defaultCollection }, { secrets: [password, ...passwordsIn(servers)] });
    if (client !== undefined && [servers, host, port, username, password].some((option) => option !== undefined)) {
      throw new InvalidArgumentError("pass either client or connection options (servers, host, port, username, password), not both");
    }
    if (servers !== undefined && (typeof servers !== "string" || servers.trim() === "")) {
      throw new InvalidArgumentError(`servers must be a non-empty "host:port,..." string, got ${JSON.stringify(servers)}`);
    }
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) {
      throw new InvalidArgumentError(`port must be a whole number from 1 to 65535, got ${String(port)}`);
    }
    if (keySanitizationStrategy !== undefined && (typeof keySanitizationStrategy?.sanitize !== "function" || typeof keySanitizationStrategy.validate !== "function")) {
      throw new InvalidArgumentError("keySanitizationStrategy must have sanitize and validate methods");
    }
    const timeout = positiveOption("timeout", options.timeout, DEFAULT_TIMEOUT_MS);
    const connectTimeout = positiveOption("connectTimeout", options.connectTimeout, DEFAULT_TIMEOUT_MS);
    this.maxItemSize = positiveOption("maxItemSize", options.maxItemSize, DEFAULT_MAX_ITEM_SIZE, true);
    this.operationDeadline = ATTEMPTS * (connectTimeout + timeout) + RETRY_DELAY_MS + 400;
    this.keyStrategy = keySanitizationStrategy ?? new MemcachedKeySanitizationStrategy();
    this.checksStorageKeys = !(this.keyStrategy instanceof MemcachedKeySanitizationStrategy);
    this.ownsClient = client === undefined;
    this.client =
      client ??
      memjs.Client.create(servers ?? `${host ?? DEFAULT_HOST}:${port ?? DEFAULT_PORT}`, {
        username,
        password,
        timeout: timeout / 1000,
        conntimeout: connectTimeout / 1000,
        retries: ATTEMPTS,
        retry_delay: RETRY_DELAY_MS / 1000,
        // Moving a failed server's keys to another would serve stale data once it returns.
        failover: false,
        logger: SILENT_LOGGER,
      });
    if (destroyFlushesServer === true) {
      // An own property, so that a store without the option has no `destroy` at all.
      const destroy: DestroyStore["destroy"] = () => this.runDestroy(() => this.flushAll());
      Object.defineProperty(this, "destroy", { value: destroy });
    }
  }

  protected override async closeStore(): Promise<void> {
    clearInterval(this.watchdog);
    // close() ends open connections; memjs's quit() would first open one to say goodbye.
    if (this.ownsClient) this.client.close();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof KeyValueError) return error;
    const code = (error as { code?: unknown } | null | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if ((typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) || CONNECTION_ERROR_MESSAGE.test(message)) {
      return new StoreConnectionError(`MemcachedStore cannot reach the server: ${message}`, { ...context, cause: error });
    }
    return super.classifyError(error, context);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const { value } = await this.guard(this.client.get(this.storageKey(collection, key)));
    return this.toEntry(value, collection, key);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const values = await this.guard(getQuietly(this.client, keys.map((key) => this.storageKey(collection, key))));
    return values.map((value, index) => this.toEntry(value, collection, keys[index]!));
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    await this.guard(this.set(this.toItem(collection, key, entry)));
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    // Every item is checked before the first is sent: one too large writes nothing.
    const items = entries.map(([key, entry]) => this.toItem(collection, key, entry));
    await this.guard(settleAll(items.map((item) => this.set(item))));
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.deleteEntries(collection, [key])) === 1;
  }

  /**
   * Memcached's delete says whether an item existed, not whether it was live: an item
   * past its envelope's expiry may still be there. So the items are read and deleted
   * in the same pipeline (the reads are sent first, on the same connection), and only
   * live ones count.
   */
  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const storageKeys = keys.map((key) => this.storageKey(collection, key));
    const reads = getQuietly(this.client, storageKeys);
    const deletes = settleAll(storageKeys.map((storageKey) => this.client.delete(storageKey)));
    await this.guard(settleAll<unknown>([reads, deletes]));
    const [values, deleted] = [await reads, await deletes];
    return keys.filter((key, index) => deleted[index] && this.isLive(values[index]!, collection, key)).length;
  }

  /**
   * `collection::key` as py-key-value builds it, after mapping a collection that
   * contains `::`; then the key strategy. Checked before anything is sent: memjs
   * stalls on a key memcached refuses.
   */
  private storageKey(collection: string, key: string): string {
    const compound = `${COLLECTION_STRATEGY.sanitize(collection)}::${key}`;
    try {
      this.keyStrategy.validate(compound);
    } catch (error) {
      if (error instanceof InvalidKeyError) throw error;
      throw new InvalidKeyError(`key ${JSON.stringify(compound)} is refused: ${String(error)}`, { key, collection, cause: error });
    }
    const storageKey = this.keyStrategy.sanitize(compound);
    if (this.checksStorageKeys && !isMemcachedKey(storageKey)) {
      throw new InvalidKeyError(
        `memcached cannot hold the key ${JSON.stringify(storageKey)} (it allows 250 bytes without whitespace or control characters); ` +
          "the default MemcachedKeySanitizationStrategy maps such keys",
        { key, collection },
      );
    }
    return storageKey;
  }

  private toItem(collection: string, key: string, entry: ManagedEntry): Item {
    const storageKey = this.storageKey(collection, key);
    const envelope = Buffer.from(serializeEnvelope(entry, { key, collection }), "utf8");
    const size = envelope.length + Buffer.byteLength(storageKey, "utf8") + ITEM_OVERHEAD_BYTES;
    if (size > this.maxItemSize) throw new ValueTooLargeError(size, this.maxItemSize, { key, collection });
    return { collection, key, storageKey, envelope, size, expires: memcachedExpiration(entry.expiresAt, this.now()) };
  }

  private async set(item: Item): Promise<void> {
    try {
      await this.client.set(item.storageKey, item.envelope, { expires: item.expires });
    } catch (error) {
      if (!(error instanceof Error && TOO_LARGE_MESSAGE.test(error.message))) throw error;
      // The server's own limit is below maxItemSize, and unknown here.
      throw new ValueTooLargeError(item.size, undefined, { key: item.key, collection: item.collection, cause: error });
    }
  }

  private toEntry(value: Buffer | null, collection: string, key: string): ManagedEntry | undefined {
    return value === null ? undefined : parseEnvelope(value.toString("utf8"), { key, collection }).entry;
  }

  private isLive(value: Buffer | null, collection: string, key: string): boolean {
    try {
      const entry = this.toEntry(value, collection, key);
      return entry !== undefined && !entry.isExpired(this.now());
    } catch {
      // An unreadable item was still there, and is gone now.
      return true;
    }
  }

  private async flushAll(): Promise<boolean> {
    await this.guard(this.client.flush());
    return true;
  }

  /**
   * memjs never settles a request whose connection the server closed cleanly (a
   * restart under load). Past the time memjs needs to answer or fail, the operation
   * fails, and the stuck requests are failed too, which clears memjs's state so that
   * the next request starts on a fresh connection.
   */
  private guard<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.deadlines.set(reject, Date.now() + this.operationDeadline);
      this.watchdog ??= setInterval(() => this.failStuckOperations(), Math.max(MIN_SWEEP_MS, this.operationDeadline / 4)).unref();
      operation.then(
        (value) => {
          this.deadlines.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.deadlines.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** Fails the operations past their deadline, and memjs's requests stuck with them; stops when nothing is under way. */
  private failStuckOperations(): void {
    if (this.deadlines.size === 0) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
      return;
    }
    const now = Date.now();
    let stuck: Error | undefined;
    for (const [reject, deadline] of this.deadlines) {
      if (deadline > now) continue;
      stuck ??= new Error(`connection closed: no reply within ${this.operationDeadline} ms`);
      this.deadlines.delete(reject);
      reject(stuck);
    }
    if (stuck === undefined) return;
    for (const server of this.client.servers) if (Object.keys(server.errorCallbacks).length > 0) server.error(stuck);
  }

}

/**
 * A store on memcached. Constructed with `destroyFlushesServer: true`, it also has
 * `destroy()` (memcached `flush_all`); without it, it has no `destroy` at all.
 */
const TypedMemcachedStore = MemcachedStore as MemcachedStoreConstructor;
type TypedMemcachedStore = MemcachedStore;
export { TypedMemcachedStore as MemcachedStore };
