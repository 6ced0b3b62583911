import {
  AcceptOrMapStrategy,
  ALPHANUMERIC_CHARACTERS,
  BaseStore,
  DeserializationError,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  ManagedEntry,
  StoreConnectionError,
  StoreSetupError,
  ValueTooLargeError,
  type BaseStoreOptions,
  type CollectionsOptions,
  type Cull,
  type DestroyCollection,
  type DestroyStore,
  type EnumerateCollections,
  type EnumerateKeys,
  type JsonObject,
  type KeyValueError,
  type KeyValueErrorOptions,
  type KeysOptions,
} from "@kv/core";
import { BSON, MongoClient, MongoNetworkError, MongoServerSelectionError, type Collection, type Db, type Filter, type ObjectId } from "mongodb";

export interface MongoDBStoreOptions extends BaseStoreOptions {
  /** `mongodb://user:password@host:port/`; ignored when `client` is given. */
  url?: string;
  /** A client of the caller's; the store never closes it. */
  client?: MongoClient;
  /** Database of the store's collections. Default `"kv-store-adapter"`, as py-key-value. */
  dbName?: string;
  /** Create a missing collection with its indexes. Default true. */
  autoCreate?: boolean;
}

/** The document py-key-value 0.4 writes: the value under `value.object`, times as BSON dates, `expires_at` absent for no expiry. */
export interface EntryDocument {
  /** The key itself: FerretDB's SQLite handler finds documents by `_id` without a scan (py-key-value's are ObjectIds; both are read by `key`). */
  _id?: string | ObjectId;
  key: string;
  collection: string;
  version: number;
  /** `object` as py-key-value writes it; `json` (JSON text) for a value some server cannot hold as a document (see `holdsNatively`). */
  value: { object: JsonObject } | { json: string };
  created_at?: Date;
  expires_at?: Date;
}

const DEFAULT_DB_NAME = "kv-store-adapter";
/** MongoDB's document limit (`maxBsonObjectSize`). Checked before sending: FerretDB accepts somewhat larger documents, and the driver fails oddly on them. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/** py-key-value's limit; with the database name it stays under the 255-byte namespace limit. */
const MAX_COLLECTION_NAME_BYTES = 200;
/** A down server fails an operation after this long rather than the driver's 30 s. */
const CONNECT_TIMEOUT_MS = 5_000;
/** "Not implemented": FerretDB's answer to `expireAfterSeconds`. */
const NOT_IMPLEMENTED = 238;
const NAMESPACE_EXISTS = 48;
const DUPLICATE_KEY = 11000;
const UPSERT_ATTEMPTS = 5;
/** Replacements per `bulkWrite`: FerretDB 1.24 hangs on one update command replacing more than about 60 existing documents. */
const WRITE_CHUNK = 50;
const NAMESPACE_NOT_FOUND = 26;
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

/**
 * Names Mongo holds as collection names stay as they are (so py-key-value's
 * collections are found); others (`$`, NUL, a leading `.`, `system.`, too long)
 * become `S_<letters, digits, _>-<16 hex of SHA-256>`.
 */
function defaultCollectionStrategy(): AcceptOrMapStrategy {
  return new AcceptOrMapStrategy({
    accepts: (name) =>
      // FerretDB's SQLite handler fails to create collections whose names hold quotes.
      !/[$'"`]/.test(name) &&
      !name.includes("\u0000") &&
      !name.startsWith(".") &&
      !name.startsWith("system.") &&
      !name.startsWith("_ferretdb_") &&
      Buffer.byteLength(name) <= MAX_COLLECTION_NAME_BYTES,
    mapper: new HybridSanitizationStrategy({
      maxLength: MAX_COLLECTION_NAME_BYTES,
      allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_`,
      hashFragmentMode: "always",
      hashFragmentLength: 16,
    }),
  });
}

function passwordOf(url: string | undefined): string | undefined {
  const password = url === undefined ? undefined : /^mongodb(?:\+srv)?:\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1];
  if (!password) return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

function isConnectionFailure(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  // A MongoBulkWriteError carries the failure that stopped it under `errorResponse`.
  const { code, cause, errorResponse } = (error ?? {}) as { code?: unknown; cause?: unknown; errorResponse?: unknown };
  return (
    (typeof code === "string" && CONNECTION_CODES.has(code)) ||
    (cause !== undefined && cause !== error && isConnectionFailure(cause)) ||
    (errorResponse instanceof Error && errorResponse !== error && isConnectionFailure(errorResponse))
  );
}

/**
 * A store on MongoDB in py-key-value's layout: one Mongo collection per
 * collection in database `dbName`, one document per entry. Expiry is checked
 * at read time; a TTL index removes expired documents where the server has
 * TTL indexes, `cull()` everywhere.
 */
export class MongoDBStore extends BaseStore implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull {
  private client: MongoClient | undefined;
  private db: Db | undefined;
  private readonly ownsClient: boolean;
  private readonly url: string | undefined;
  private readonly dbName: string;
  private readonly autoCreate: boolean;
  /** False once the server refused a TTL index: then only read-time expiry and `cull` apply. */
  private ttlIndexes = true;
  /** The last write queued per Mongo collection: writes to one collection run one at a time (see `serialized`). */
  private readonly writeChains = new Map<string, Promise<unknown>>();

  constructor(options: MongoDBStoreOptions = {}) {
    super(options, { collectionSanitizationStrategy: defaultCollectionStrategy(), secrets: [passwordOf(options.url)] });
    if (options.client === undefined && typeof options.url !== "string") throw new InvalidArgumentError("MongoDBStore needs a url or a client");
    this.client = options.client;
    this.ownsClient = options.client === undefined;
    this.url = options.url;
    this.dbName = options.dbName ?? DEFAULT_DB_NAME;
    if (typeof this.dbName !== "string" || this.dbName === "") throw new InvalidArgumentError("dbName must be a non-empty string");
    this.autoCreate = options.autoCreate ?? true;
  }

  /** Whether expired documents are removed by the server (a TTL index) rather than only by `cull()`; known after a collection was created. */
  get hasTtlIndexes(): boolean {
    return this.ttlIndexes;
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.scanKeys(collection));
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.scanCollections());
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => {
      try {
        return await this.db!.dropCollection(this.sanitizeCollection(name));
      } catch (error) {
        if ((error as { code?: unknown }).code === NAMESPACE_NOT_FOUND) return false;
        throw error;
      }
    });
  }

  /** Drops the store's own database, nothing else; with `autoCreate` the next operation recreates its collection. */
  destroy(): Promise<boolean> {
    return this.runDestroy(() => this.db!.dropDatabase());
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      const expired = { expires_at: { $lte: new Date(this.now()) } };
      for (const name of await this.collectionNames()) await this.db!.collection(name).deleteMany(expired);
    });
  }

  protected override async setupStore(): Promise<void> {
    if (this.client === undefined) {
      this.client = new MongoClient(this.url!, { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS, connectTimeoutMS: CONNECT_TIMEOUT_MS });
      await this.client.connect();
    }
    this.db = this.client.db(this.dbName);
  }

  /** As py-key-value: an existing collection is used as it is; a new one gets its `key` index and a TTL index on `expires_at`. */
  protected override async setupCollection(collection: string): Promise<void> {
    const name = this.sanitizeCollection(collection);
    const existing = await this.db!.listCollections({ name }, { nameOnly: true }).toArray();
    if (existing.length > 0) return;
    if (!this.autoCreate) {
      throw new StoreSetupError(`MongoDBStore: collection ${JSON.stringify(name)} does not exist in ${this.dbName} and autoCreate is false`, {
        collection,
      });
    }
    try {
      await this.db!.createCollection(name);
    } catch (error) {
      // Another store created it meanwhile: it creates the indexes too.
      if ((error as { code?: unknown }).code === NAMESPACE_EXISTS) return;
      throw error;
    }
    const created = this.db!.collection(name);
    await created.createIndex("key");
    try {
      await created.createIndex("expires_at", { expireAfterSeconds: 0 });
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (code !== NOT_IMPLEMENTED && !String(message).includes("expireAfterSeconds")) throw error;
      this.ttlIndexes = false;
    }
  }

  protected override async closeStore(): Promise<void> {
    if (this.ownsClient) await this.client?.close();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    const { code, codeName, message } = (error ?? {}) as { code?: unknown; codeName?: unknown; message?: unknown };
    if (isConnectionFailure(error)) {
      return new StoreConnectionError(`MongoDBStore lost or cannot reach the server: ${String(message)}`, { ...context, cause: error });
    }
    if (code === 10334 || codeName === "BSONObjectTooLarge" || /larger than the maximum size/.test(String(message))) {
      return new ValueTooLargeError(MAX_DOCUMENT_BYTES + 1, MAX_DOCUMENT_BYTES, { ...context, cause: error });
    }
    return super.classifyError(error, context);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const document = await this.collection(collection).findOne({ key }, { projection: { _id: 0 } });
    return document === null ? undefined : toEntry(document, collection, key);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const documents = await this.collection(collection)
      .find({ key: { $in: keys as string[] } }, { projection: { _id: 0 } })
      .toArray();
    const byKey = new Map(documents.map((document) => [document.key, document]));
    return keys.map((key) => {
      const document = byKey.get(key);
      return document === undefined ? undefined : toEntry(document, collection, key);
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    await this.putEntries(collection, [[key, entry]]);
  }

  /**
   * Ordered `bulkWrite`s of up to 50 entries (one for most batches): first removes documents of these keys under another
   * `_id` (py-key-value's), then upserts each by `_id`, which FerretDB finds without
   * a scan (upserting by `key` scans the collection once per key there). Every
   * document is checked first, so an oversized one writes nothing.
   */
  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const keys = entries.map(([key]) => key);
    const replacements = entries.map(([key, entry]) => ({
      replaceOne: { filter: { _id: key }, replacement: this.toDocument(collection, key, entry), upsert: true },
    }));
    const deletion = { deleteMany: { filter: { key: { $in: keys }, _id: { $nin: keys } } } };
    await this.serialized(collection, async () => {
      // FerretDB 1.24 (SQLite) never answers an update command replacing more than about 60 existing documents: write in chunks.
      for (let start = 0; start < replacements.length; start += WRITE_CHUNK) {
        const chunk = replacements.slice(start, start + WRITE_CHUNK);
        const operations = start === 0 ? [deletion, ...chunk] : chunk;
        for (let attempt = 1; ; attempt++) {
          try {
            await this.collection(collection).bulkWrite(operations, { ordered: true });
            break;
          } catch (error) {
            // A writer outside this store may still race on a new `_id` (MongoDB retries this itself, FerretDB does not); every operation here is idempotent.
            if ((error as { code?: unknown }).code !== DUPLICATE_KEY || attempt === UPSERT_ATTEMPTS) throw error;
          }
        }
      }
    });
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.deleteEntries(collection, [key])) === 1;
  }

  /** Deletes only live documents, so the count is of live entries; expired ones are left to the TTL index or `cull`. */
  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const { deletedCount } = await this.serialized(collection, () =>
      this.collection(collection).deleteMany({ key: { $in: keys as string[] }, ...this.liveFilter() }),
    );
    return deletedCount;
  }

  /**
   * Runs `write` after every earlier write of this store to the same collection
   * settled. FerretDB on SQLite runs one writer at a time anyway, and overlapping
   * ordered bulk writes (deletes then upserts) there stall on its locks and race
   * on new `_id`s (E11000); in one queue neither happens, at little cost.
   */
  private serialized<T>(collection: string, write: () => Promise<T>): Promise<T> {
    const name = this.sanitizeCollection(collection);
    const previous = this.writeChains.get(name) ?? Promise.resolve();
    const result = previous.then(write, write);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.writeChains.set(name, settled);
    void settled.then(() => {
      if (this.writeChains.get(name) === settled) this.writeChains.delete(name);
    });
    return result;
  }

  private collection(collection: string): Collection<EntryDocument> {
    return this.db!.collection<EntryDocument>(this.sanitizeCollection(collection));
  }

  /** Matches documents without `expires_at` or expiring after now. */
  private liveFilter(): Filter<EntryDocument> {
    return { expires_at: { $not: { $lte: new Date(this.now()) } } };
  }

  private toDocument(collection: string, key: string, entry: ManagedEntry): EntryDocument {
    const value = holdsNatively(entry.value) ? { object: entry.value } : { json: JSON.stringify(entry.value) };
    const document: EntryDocument = { key, collection, version: 1, value, created_at: entry.createdAt };
    if (entry.expiresAt !== undefined) document.expires_at = entry.expiresAt;
    const size = BSON.calculateObjectSize(document);
    if (size > MAX_DOCUMENT_BYTES) throw new ValueTooLargeError(size, MAX_DOCUMENT_BYTES, { collection, key });
    return document;
  }

  private async *scanKeys(collection: string): AsyncGenerator<string> {
    const cursor = this.collection(collection).find(this.liveFilter(), { projection: { _id: 0, key: 1 } });
    try {
      for await (const document of cursor) if (typeof document.key === "string") yield document.key;
    } finally {
      await cursor.close();
    }
  }

  /** Each Mongo collection holding a live document, named by that document's `collection` field (the original name). */
  private async *scanCollections(): AsyncGenerator<string> {
    for (const name of await this.collectionNames()) {
      const document = await this.db!.collection<EntryDocument>(name).findOne(this.liveFilter(), { projection: { _id: 0, collection: 1 } });
      if (document !== null) yield typeof document.collection === "string" ? document.collection : name;
    }
  }

  private async collectionNames(): Promise<string[]> {
    const collections = await this.db!.listCollections({}, { nameOnly: true }).toArray();
    return collections.map(({ name }) => name).filter((name) => !name.startsWith("system."));
  }
}

/**
 * Whether every server holds `value` as a document: FerretDB refuses arrays
 * directly in arrays and field names with `.` or a leading `$`; BSON cannot
 * name a field with NUL. Other values are stored as JSON text.
 */
function holdsNatively(value: unknown, inArray = false): boolean {
  if (Array.isArray(value)) return !inArray && value.every((item) => holdsNatively(item, true));
  if (typeof value !== "object" || value === null) return true;
  return Object.entries(value).every(([name, item]) => !name.startsWith("$") && !name.includes(".") && !name.includes("\u0000") && holdsNatively(item));
}

function toEntry(document: Partial<EntryDocument>, collection: string, key: string): ManagedEntry {
  const stored = document.value as { object?: unknown; json?: unknown } | undefined;
  let value = stored?.object;
  if (typeof stored?.json === "string") {
    try {
      value = JSON.parse(stored.json);
    } catch {
      value = undefined;
    }
  }
  const unreadable = (reason: string): DeserializationError =>
    new DeserializationError(`cannot read the stored document for key ${JSON.stringify(key)} in collection ${JSON.stringify(collection)}: ${reason}`, {
      key,
      collection,
    });
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw unreadable("its value.object (or value.json) is not an object");
  if (document.version !== undefined && document.version !== 1) throw unreadable(`its version ${JSON.stringify(document.version)} is not supported`);
  const times = [document.created_at, document.expires_at].map((time) => (time instanceof Date || time == null ? (time ?? undefined) : null));
  if (times.includes(null)) throw unreadable("its created_at or expires_at is not a date");
  return new ManagedEntry(value as JsonObject, times[0] as Date | undefined, times[1] as Date | undefined);
}
