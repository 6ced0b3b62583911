import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BaseStore,
  InvalidArgumentError,
  StoreConnectionError,
  StoreOperationError,
  StoreSetupError,
  ValueTooLargeError,
  parseEnvelope,
  serializeEnvelope,
  type BaseStoreOptions,
  type CollectionsOptions,
  type Cull,
  type DestroyCollection,
  type DestroyStore,
  type EnumerateCollections,
  type EnumerateKeys,
  type KeyValueError,
  type KeyValueErrorOptions,
  type KeysOptions,
  type ManagedEntry,
} from "@kv/core";
import Database from "better-sqlite3";

export interface DiskStoreOptions extends Omit<BaseStoreOptions, "keySanitizationStrategy" | "collectionSanitizationStrategy"> {
  /** Directory that holds the database file `kv.sqlite`; created (recursively) if missing. */
  directory: string;
  /** Most bytes of stored envelopes (UTF-8) the database holds; past it, the oldest-written entries are evicted. Default: unbounded. */
  maxSize?: number;
}

const DATABASE_FILE = "kv.sqlite";
/** How long a write waits for another connection (or process) to release the write lock. */
const BUSY_TIMEOUT_MS = 5_000;
const PAGE_SIZE = 1_000;

// `id` is the rowid: a new row gets max(id) + 1, so ascending id is write order,
// which maxSize eviction follows. The triggers keep `total_size` right for every
// connection in every process, inside the writing transaction.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv_entries (
  id INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  envelope TEXT NOT NULL,
  expires_at INTEGER,
  size INTEGER NOT NULL,
  UNIQUE (collection, key)
);
CREATE INDEX IF NOT EXISTS kv_entries_expires_at ON kv_entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO kv_meta (name, value) VALUES ('total_size', 0);
CREATE TRIGGER IF NOT EXISTS kv_entries_count_insert AFTER INSERT ON kv_entries BEGIN
  UPDATE kv_meta SET value = value + new.size WHERE name = 'total_size';
END;
CREATE TRIGGER IF NOT EXISTS kv_entries_count_delete AFTER DELETE ON kv_entries BEGIN
  UPDATE kv_meta SET value = value - old.size WHERE name = 'total_size';
END;
`;

const LIVE = "(expires_at IS NULL OR expires_at > @now)";

/** What SQLite's primary result codes mean for a caller, and the error type that says so. */
const SQLITE_ERRORS: Record<string, readonly [typeof StoreOperationError | typeof StoreConnectionError, string]> = {
  SQLITE_BUSY: [StoreOperationError, `the database stayed locked by another connection for ${BUSY_TIMEOUT_MS} ms`],
  SQLITE_LOCKED: [StoreOperationError, "the database is locked"],
  SQLITE_FULL: [StoreOperationError, "the disk is full"],
  SQLITE_READONLY: [StoreOperationError, "the database file is read-only"],
  SQLITE_CORRUPT: [StoreOperationError, "the database file is corrupt"],
  SQLITE_NOTADB: [StoreOperationError, "the file is not a SQLite database"],
  SQLITE_IOERR: [StoreOperationError, "a disk I/O error occurred"],
  SQLITE_CANTOPEN: [StoreConnectionError, "the database file cannot be opened"],
};

interface Row {
  key: string;
  envelope: string;
  expiresAt: number | null;
  size: number;
}

function prepareStatements(db: Database.Database) {
  return {
    get: db.prepare<[string, string], string>("SELECT envelope FROM kv_entries WHERE collection = ? AND key = ?").pluck(),
    getMany: db.prepare<[string, string], { key: string; envelope: string }>(
      "SELECT key, envelope FROM kv_entries WHERE collection = ? AND key IN (SELECT value FROM json_each(?))",
    ),
    remove: db.prepare<[string, string]>("DELETE FROM kv_entries WHERE collection = ? AND key = ?"),
    insert: db.prepare<[string, string, string, number | null, number]>(
      "INSERT INTO kv_entries (collection, key, envelope, expires_at, size) VALUES (?, ?, ?, ?, ?)",
    ),
    deleteLive: db
      .prepare<{ collection: string; key: string; now: number }, number>(
        `DELETE FROM kv_entries WHERE collection = @collection AND key = @key RETURNING ${LIVE}`,
      )
      .pluck(),
    deleteManyLive: db
      .prepare<{ collection: string; keys: string; now: number }, number>(
        `DELETE FROM kv_entries WHERE collection = @collection AND key IN (SELECT value FROM json_each(@keys)) RETURNING ${LIVE}`,
      )
      .pluck(),
    keysPage: db
      .prepare<{ collection: string; after: string; now: number }, string>(
        `SELECT key FROM kv_entries WHERE collection = @collection AND key > @after AND ${LIVE} ORDER BY key LIMIT ${PAGE_SIZE}`,
      )
      .pluck(),
    collectionsPage: db
      .prepare<{ after: string; now: number }, string>(
        `SELECT DISTINCT collection FROM kv_entries WHERE collection > @after AND ${LIVE} ORDER BY collection LIMIT ${PAGE_SIZE}`,
      )
      .pluck(),
    destroyCollection: db.prepare<[string]>("DELETE FROM kv_entries WHERE collection = ?"),
    destroy: db.prepare("DELETE FROM kv_entries"),
    cull: db.prepare<[number]>("DELETE FROM kv_entries WHERE expires_at <= ?"),
    totalSize: db.prepare<[], number>("SELECT value FROM kv_meta WHERE name = 'total_size'").pluck(),
    oldest: db.prepare<[], { id: number; size: number }>("SELECT id, size FROM kv_entries ORDER BY id"),
    evictThrough: db.prepare<[number]>("DELETE FROM kv_entries WHERE id <= ?"),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Opens (creating if need be) the database and prepares every statement once. */
function openDatabase(directory: string): { db: Database.Database; statements: Statements } {
  mkdirSync(directory, { recursive: true });
  const db = new Database(join(directory, DATABASE_FILE));
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (db.pragma("journal_mode = WAL", { simple: true }) !== "wal") throw new Error("the file system does not support WAL mode");
    // In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
    db.pragma("synchronous = NORMAL");
    db.transaction(() => db.exec(SCHEMA)).immediate();
    return { db, statements: prepareStatements(db) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** A persistent store in one SQLite file (WAL mode), shareable by several processes. */
export class DiskStore
  extends BaseStore
  implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull
{
  private readonly directory: string;
  private readonly maxSize: number | undefined;
  private db: Database.Database | undefined;
  private statements!: Statements;
  private write!: (collection: string, rows: readonly Row[]) => void;

  constructor(options: DiskStoreOptions) {
    super(options);
    const { directory, maxSize } = options ?? {};
    if (typeof directory !== "string" || directory === "") {
      throw new InvalidArgumentError(`directory must be a non-empty path, got ${JSON.stringify(directory)}`);
    }
    if (maxSize !== undefined && (!Number.isSafeInteger(maxSize) || maxSize < 1)) {
      throw new InvalidArgumentError(`maxSize must be a whole number of bytes ≥ 1, got ${String(maxSize)}`);
    }
    this.directory = resolve(directory);
    this.maxSize = maxSize;
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.pages((after, now) => this.statements.keysPage.all({ collection, after, now })));
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.pages((after, now) => this.statements.collectionsPage.all({ after, now })));
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => this.statements.destroyCollection.run(name).changes > 0);
  }

  /** Deletes every entry in the database; the file and anything else in the directory stay. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      this.statements.destroy.run();
      return true;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      this.statements.cull.run(this.now());
    });
  }

  protected override async setupStore(): Promise<void> {
    let opened: ReturnType<typeof openDatabase>;
    try {
      opened = openDatabase(this.directory);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreSetupError(`DiskStore cannot open a database in ${JSON.stringify(this.directory)}: ${reason}`, { cause: error });
    }
    const { db, statements } = opened;
    const write = db.transaction((collection: string, rows: readonly Row[]) => {
      for (const row of rows) {
        // Delete, then insert, so a rewritten entry takes a new id and counts as the newest.
        statements.remove.run(collection, row.key);
        statements.insert.run(collection, row.key, row.envelope, row.expiresAt, row.size);
      }
      this.evict();
    });
    this.db = db;
    this.statements = statements;
    this.write = (collection, rows) => write.immediate(collection, rows);
  }

  protected override async closeStore(): Promise<void> {
    this.db?.close();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (!(error instanceof Database.SqliteError)) return super.classifyError(error, context);
    const primaryCode = error.code.split("_", 2).join("_");
    const [ErrorType, meaning] = SQLITE_ERRORS[primaryCode] ?? [StoreOperationError, "the operation failed"];
    return new ErrorType(`DiskStore: ${meaning} (${error.code}: ${error.message})`, { ...context, cause: error });
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const envelope = this.statements.get.get(collection, key);
    return envelope === undefined ? undefined : parseEnvelope(envelope, { key, collection }).entry;
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const found = new Map<string, string>();
    for (const row of this.statements.getMany.all(collection, JSON.stringify(keys))) found.set(row.key, row.envelope);
    return keys.map((key) => {
      const envelope = found.get(key);
      return envelope === undefined ? undefined : parseEnvelope(envelope, { key, collection }).entry;
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    this.write(collection, [this.toRow(collection, key, entry)]);
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    this.write(
      collection,
      entries.map(([key, entry]) => this.toRow(collection, key, entry)),
    );
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return this.statements.deleteLive.get({ collection, key, now: this.now() }) === 1;
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const removed = this.statements.deleteManyLive.all({ collection, keys: JSON.stringify(keys), now: this.now() });
    return removed.filter((live) => live === 1).length;
  }

  /** Serializes before any I/O, so an entry too large for `maxSize` fails the whole batch unwritten. */
  private toRow(collection: string, key: string, entry: ManagedEntry): Row {
    const envelope = serializeEnvelope(entry, { key, collection });
    const size = Buffer.byteLength(envelope);
    if (this.maxSize !== undefined && size > this.maxSize) throw new ValueTooLargeError(size, this.maxSize, { key, collection });
    return { key, envelope, expiresAt: entry.expiresAt?.getTime() ?? null, size };
  }

  /** Runs inside the write transaction: drops expired entries, then the oldest-written, until the total fits. */
  private evict(): void {
    if (this.maxSize === undefined) return;
    let excess = this.statements.totalSize.get()! - this.maxSize;
    if (excess <= 0) return;
    this.statements.cull.run(this.now());
    excess = this.statements.totalSize.get()! - this.maxSize;
    let lastEvicted: number | undefined;
    for (const row of this.statements.oldest.iterate()) {
      if (excess <= 0) break;
      excess -= row.size;
      lastEvicted = row.id;
    }
    if (lastEvicted !== undefined) this.statements.evictThrough.run(lastEvicted);
  }

  /** Keyset pagination over a sorted column: each page starts after the last name of the one before. */
  private async *pages(page: (after: string, now: number) => string[]): AsyncGenerator<string> {
    for (let after = ""; ; ) {
      const names = page(after, this.now());
      yield* names;
      if (names.length < PAGE_SIZE) return;
      after = names[names.length - 1]!;
    }
  }
}
