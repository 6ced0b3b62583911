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

// The rowid is write order: without maxSize a write upserts in place; with it, a
// write replaces the row, so a rewritten entry takes the newest rowid and is
// evicted last. kv_meta.total_size is the sum of `size`: a store with maxSize keeps
// it exact inside each writing transaction; a store without one (which should not
// pay for bookkeeping on every write) marks it unknown (-1), and the next bounded
// write recounts it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv_entries (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  envelope TEXT NOT NULL,
  expires_at INTEGER,
  size INTEGER NOT NULL,
  PRIMARY KEY (collection, key)
);
CREATE INDEX IF NOT EXISTS kv_entries_expires_at ON kv_entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO kv_meta (name, value) VALUES ('total_size', 0);
`;

const UNKNOWN_TOTAL = -1;

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
  const KEYS = "key IN (SELECT value FROM json_each(@keys))";
  return {
    get: db.prepare<[string, string], string>("SELECT envelope FROM kv_entries WHERE collection = ? AND key = ?").pluck(),
    getMany: db.prepare<{ collection: string; keys: string }, { key: string; envelope: string }>(
      `SELECT key, envelope FROM kv_entries WHERE collection = @collection AND ${KEYS}`,
    ),
    sizeOf: db.prepare<{ collection: string; keys: string }, number>(
      `SELECT coalesce(sum(size), 0) FROM kv_entries WHERE collection = @collection AND ${KEYS}`,
    ).pluck(),
    upsert: db.prepare<[string, string, string, number | null, number]>(
      `INSERT INTO kv_entries (collection, key, envelope, expires_at, size) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, key) DO UPDATE SET envelope = excluded.envelope, expires_at = excluded.expires_at, size = excluded.size`,
    ),
    replace: db.prepare<[string, string, string, number | null, number]>(
      "INSERT OR REPLACE INTO kv_entries (collection, key, envelope, expires_at, size) VALUES (?, ?, ?, ?, ?)",
    ),
    deleteMany: db.prepare<{ collection: string; keys: string; now: number }, { live: number; size: number }>(
      `DELETE FROM kv_entries WHERE collection = @collection AND ${KEYS} RETURNING ${LIVE} AS live, size`,
    ),
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
    collectionSize: db.prepare<[string], number>("SELECT coalesce(sum(size), 0) FROM kv_entries WHERE collection = ?").pluck(),
    destroyCollection: db.prepare<[string]>("DELETE FROM kv_entries WHERE collection = ?"),
    destroy: db.prepare("DELETE FROM kv_entries"),
    expiredSize: db.prepare<[number], number>("SELECT coalesce(sum(size), 0) FROM kv_entries WHERE expires_at <= ?").pluck(),
    cull: db.prepare<[number]>("DELETE FROM kv_entries WHERE expires_at <= ?"),
    totalSize: db.prepare<[], number>("SELECT value FROM kv_meta WHERE name = 'total_size'").pluck(),
    countTotal: db.prepare<[], number>("SELECT coalesce(sum(size), 0) FROM kv_entries").pluck(),
    setTotal: db.prepare<[number]>("UPDATE kv_meta SET value = ? WHERE name = 'total_size'"),
    addToTotal: db.prepare<[number]>("UPDATE kv_meta SET value = value + ? WHERE name = 'total_size' AND value >= 0"),
    markTotalUnknown: db.prepare(`UPDATE kv_meta SET value = ${UNKNOWN_TOTAL} WHERE name = 'total_size' AND value <> ${UNKNOWN_TOTAL}`),
    oldest: db.prepare<[], { rowid: number; size: number }>("SELECT rowid, size FROM kv_entries ORDER BY rowid"),
    evictThrough: db.prepare<[number]>("DELETE FROM kv_entries WHERE rowid <= ?"),
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
  private transactions!: {
    writeRows(collection: string, rows: readonly Row[]): void;
    deleteKeys(collection: string, keys: readonly string[]): number;
    destroyCollection(collection: string): boolean;
    destroy(): void;
    cull(): void;
  };

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
    return this.runDestroyCollection(collection, async (name) => this.transactions.destroyCollection(name));
  }

  /** Deletes every entry in the database; the file and anything else in the directory stay. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      this.transactions.destroy();
      return true;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      this.transactions.cull();
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
    const maxSize = this.maxSize;
    const adjustTotal = (delta: number): void => {
      if (maxSize === undefined) statements.markTotalUnknown.run();
      else statements.addToTotal.run(delta);
    };
    const writeRows = db.transaction((collection: string, rows: readonly Row[]) => {
      if (maxSize === undefined) {
        for (const row of rows) statements.upsert.run(collection, row.key, row.envelope, row.expiresAt, row.size);
        statements.markTotalUnknown.run();
        return;
      }
      const replaced = statements.sizeOf.get({ collection, keys: JSON.stringify(rows.map((row) => row.key)) })!;
      let added = 0;
      for (const row of rows) {
        statements.replace.run(collection, row.key, row.envelope, row.expiresAt, row.size);
        added += row.size;
      }
      adjustTotal(added - replaced);
      this.evict(maxSize);
    });
    const deleteKeys = db.transaction((collection: string, keys: readonly string[]) => {
      const removed = statements.deleteMany.all({ collection, keys: JSON.stringify(keys), now: this.now() });
      if (removed.length > 0) adjustTotal(-removed.reduce((sum, row) => sum + row.size, 0));
      return removed.filter((row) => row.live === 1).length;
    });
    const destroyCollection = db.transaction((collection: string) => {
      adjustTotal(-statements.collectionSize.get(collection)!);
      return statements.destroyCollection.run(collection).changes > 0;
    });
    const destroy = db.transaction(() => {
      statements.destroy.run();
      statements.setTotal.run(0);
    });
    const cull = db.transaction(() => {
      const now = this.now();
      adjustTotal(-statements.expiredSize.get(now)!);
      statements.cull.run(now);
    });
    this.db = db;
    this.statements = statements;
    this.transactions = {
      writeRows: (collection, rows) => writeRows.immediate(collection, rows),
      deleteKeys: (collection, keys) => deleteKeys.immediate(collection, keys),
      destroyCollection: (collection) => destroyCollection.immediate(collection),
      destroy: () => destroy.immediate(),
      cull: () => cull.immediate(),
    };
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
    for (const row of this.statements.getMany.all({ collection, keys: JSON.stringify(keys) })) found.set(row.key, row.envelope);
    return keys.map((key) => {
      const envelope = found.get(key);
      return envelope === undefined ? undefined : parseEnvelope(envelope, { key, collection }).entry;
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    this.transactions.writeRows(collection, [this.toRow(collection, key, entry)]);
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    this.transactions.writeRows(
      collection,
      entries.map(([key, entry]) => this.toRow(collection, key, entry)),
    );
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return this.transactions.deleteKeys(collection, [key]) === 1;
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    return this.transactions.deleteKeys(collection, keys);
  }

  /** Serializes before any I/O, so an entry too large for `maxSize` fails the whole batch unwritten. */
  private toRow(collection: string, key: string, entry: ManagedEntry): Row {
    const envelope = serializeEnvelope(entry, { key, collection });
    const size = Buffer.byteLength(envelope);
    if (this.maxSize !== undefined && size > this.maxSize) throw new ValueTooLargeError(size, this.maxSize, { key, collection });
    return { key, envelope, expiresAt: entry.expiresAt?.getTime() ?? null, size };
  }

  /** Inside the write transaction: drops expired entries, then the oldest-written, until the total fits. */
  private evict(maxSize: number): void {
    let total = this.statements.totalSize.get()!;
    if (total === UNKNOWN_TOTAL) {
      total = this.statements.countTotal.get()!;
      this.statements.setTotal.run(total);
    }
    if (total <= maxSize) return;
    const now = this.now();
    total -= this.statements.expiredSize.get(now)!;
    this.statements.cull.run(now);
    let evicted = 0;
    let lastEvicted: number | undefined;
    for (const row of this.statements.oldest.iterate()) {
      if (total - evicted <= maxSize) break;
      evicted += row.size;
      lastEvicted = row.rowid;
    }
    if (lastEvicted !== undefined) this.statements.evictThrough.run(lastEvicted);
    this.statements.setTotal.run(total - evicted);
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
