import {
  BaseStore,
  DeserializationError,
  ManagedEntry,
  parseEnvelope,
  PassthroughStrategy,
  serializeEnvelope,
  StoreConnectionError,
  type BaseStoreOptions,
  type KeysOptions,
  type KeyValueError,
  type KeyValueErrorOptions,
} from "@kv/core";
import { removedCount, runOnNode, runPerSlot, runPipelined, valuesInOrder, type QueueCommand } from "./batches.js";
import { isCluster, type RespClient, type RespCommands, type RespDriver } from "./client.js";
import { closeClient, connectionSecrets, createClient, DEFAULT_CONNECT_TIMEOUT_MS, whenReady, type RespConnectionOptions } from "./connection.js";
import { isConnectionFailure } from "./faults.js";
import { COLLECTION_SEPARATOR, RespV1CollectionSanitizationStrategy } from "./sanitization.js";

export interface RespStoreOptions<Client> extends BaseStoreOptions, RespConnectionOptions<Client> {}

const MGET: QueueCommand = (target, names) => target.mget(names);
const DEL: QueueCommand = (target, names) => target.del(names);

/** Keys per SCAN call: large enough to page quickly, small enough not to stall the server. */
const SCAN_COUNT = 1_000;

/** Escapes the glob characters of SCAN's MATCH, so a collection name matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, "\\$&");
}

/**
 * The Redis/Valkey store over any ioredis-compatible driver: entries under
 * `collection::key` holding the envelope JSON, native millisecond expiry, MGET,
 * MSET and pipelines for batches, hash-slot grouping on a cluster.
 */
export class RespStore<Client extends RespClient = RespClient> extends BaseStore {
  /** The client in use: the caller's, or the one the store created. */
  readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly connectTimeout: number;

  constructor(options: RespStoreOptions<Client>, driver: RespDriver<Client>) {
    super(options, {
      collectionSanitizationStrategy: new RespV1CollectionSanitizationStrategy(),
      secrets: connectionSecrets(options),
    });
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createClient(driver, options);
    this.connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** Yields the original keys of one collection, scanning every master of a cluster. */
  keys(options?: KeysOptions): AsyncGenerator<string> {
    return this.runKeys(options, (collection) => this.scanKeys(collection));
  }

  /**
   * Deletes every entry this store wrote: `*::*` names whose value is an envelope
   * naming that same key and collection. Anything else in the database stays.
   */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      for (const node of this.masters()) {
        for await (const names of this.scan(node, `*${COLLECTION_SEPARATOR}*`)) {
          const values = valuesInOrder(await runOnNode(node, names, isCluster(this.client), MGET), names.length);
          const owned = names.filter((name, index) => this.isOwnEntry(name, values[index] ?? null));
          if (owned.length > 0) await runOnNode(node, owned, isCluster(this.client), DEL);
        }
      }
      return true;
    });
  }

  protected override async setupStore(): Promise<void> {
    await whenReady(this.client, this.connectTimeout);
  }

  protected override async closeStore(): Promise<void> {
    if (this.ownsClient) await closeClient(this.client);
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (!isConnectionFailure(error)) return super.classifyError(error, context);
    const message = error instanceof Error ? error.message : String(error);
    return new StoreConnectionError(`${this.constructor.name} cannot reach the server: ${message}`, { ...context, cause: error });
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    return this.readEntry(collection, key, await this.client.get(this.entryName(collection, key)));
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const names = keys.map((key) => this.entryName(collection, key));
    const values = valuesInOrder(await runPerSlot(this.client, names, MGET), names.length);
    return keys.map((key, index) => this.readEntry(collection, key, values[index] ?? null));
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    const name = this.entryName(collection, key);
    const value = serializeEnvelope(entry, { key, collection });
    const milliseconds = this.millisecondsToExpiry(entry);
    await (milliseconds === undefined ? this.client.set(name, value) : this.client.set(name, value, "PX", milliseconds));
  }

  /** One MSET per slot without a TTL; with one, a SET … PX per entry, pipelined. */
  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const names = entries.map(([key]) => this.entryName(collection, key));
    const values = entries.map(([key, entry]) => serializeEnvelope(entry, { key, collection }));
    const milliseconds = this.millisecondsToExpiry(entries[0]![1]);
    if (milliseconds === undefined) {
      await runPerSlot(this.client, names, (target, _, positions) => target.mset(...positions.flatMap((position) => [names[position]!, values[position]!])));
    } else {
      await runPipelined(this.client, names, (pipeline, _, positions) => {
        for (const position of positions) pipeline.set(names[position]!, values[position]!, "PX", milliseconds);
      });
    }
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.client.del([this.entryName(collection, key)])) > 0;
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const names = keys.map((key) => this.entryName(collection, key));
    return removedCount(await runPerSlot(this.client, names, DEL));
  }

  /** The Redis key name of an entry: `collection::key`, each sanitized. */
  private entryName(collection: string, key: string): string {
    return `${this.sanitizeCollection(collection)}${COLLECTION_SEPARATOR}${this.sanitizeKey(key)}`;
  }

  private readEntry(collection: string, key: string, value: string | null): ManagedEntry | undefined {
    return value === null ? undefined : parseEnvelope(value, { key, collection }).entry;
  }

  /** Milliseconds until `entry` expires (at least 1, which PX requires), or undefined for no expiry. */
  private millisecondsToExpiry(entry: ManagedEntry): number | undefined {
    return entry.expiresAt === undefined ? undefined : Math.max(1, entry.expiresAt.getTime() - this.now());
  }

  /** True when `value` is an envelope whose own key and collection map to exactly `name`. */
  private isOwnEntry(name: string, value: string | null): boolean {
    if (value === null) return false;
    try {
      const { key, collection } = parseEnvelope(value);
      return key !== undefined && collection !== undefined && this.entryName(collection, key) === name;
    } catch (error) {
      if (error instanceof DeserializationError) return false;
      throw error;
    }
  }

  /** A standalone client, or every master of a cluster. */
  private masters(): RespCommands[] {
    return isCluster(this.client) ? this.client.nodes("master") : [this.client];
  }

  /** SCAN pages of names matching `pattern` on one node. */
  private async *scan(node: RespCommands, pattern: string): AsyncGenerator<string[]> {
    let cursor = "0";
    do {
      const [next, names] = await node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
      cursor = next;
      if (names.length > 0) yield names;
    } while (cursor !== "0");
  }

  private async *scanKeys(collection: string): AsyncGenerator<string> {
    const prefix = `${this.sanitizeCollection(collection)}${COLLECTION_SEPARATOR}`;
    // Under the default key strategy the name holds the original key; a mapping strategy keeps it only in the envelope.
    const namesAreKeys = this.keySanitizationStrategy instanceof PassthroughStrategy;
    // SCAN may return a name twice across pages (while the table rehashes).
    const seen = new Set<string>();
    for (const node of this.masters()) {
      for await (const page of this.scan(node, `${escapeGlob(prefix)}*`)) {
        const names = page.filter((name) => !seen.has(name));
        names.forEach((name) => seen.add(name));
        if (names.length === 0) continue;
        if (namesAreKeys) {
          yield* names.map((name) => name.slice(prefix.length));
          continue;
        }
        const values = valuesInOrder(await runOnNode(node, names, isCluster(this.client), MGET), names.length);
        for (const value of values) {
          const key = value === null ? undefined : parseEnvelope(value, { collection }).key;
          if (key !== undefined) yield key;
        }
      }
    }
  }
}
