import {
  AcceptOrMapStrategy,
  ALPHANUMERIC_CHARACTERS,
  BaseStore,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  ManagedEntry,
  StoreConnectionError,
  StoreSetupError,
  parseEnvelope,
  serializeEnvelope,
  sha256Hex,
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
import pg from "pg";

export interface PostgresStoreOptions extends BaseStoreOptions {
  /** `postgres://user:password@host:port/database`; ignored when `pool` is given. */
  connectionString?: string;
  /** A pool of the caller's; the store never ends it. Give it an `error` listener, as pg requires of every pool. */
  pool?: pg.Pool;
  /** Schema of the table; created when missing and `autoCreate` is on. Default `"public"`. */
  schemaName?: string;
  /** Table of the entries. Default `"kv_store"`, as py-key-value. */
  tableName?: string;
  /** Create the schema, table and index when missing. Default true. */
  autoCreate?: boolean;
  /** Most connections of the store's own pool. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection of the store's own pool before failing, in ms. Default 10,000. */
  connectionTimeoutMs?: number;
}

/** The marker of a row whose value py-key-value's layout cannot hold: the whole @kv envelope, as JSON text. */
const ENVELOPE_FIELD = "__kv_envelope__";
const PAGE_SIZE = 1_000;
/** Postgres's identifier limit (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES = 63;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A btree index entry holds at most 2,704 bytes: collection and key up to 1,200
 * UTF-8 bytes each always fit the primary key; longer names are mapped.
 */
const MAX_NAME_BYTES = 1_200;
/** A JSON `\u0000` escape not itself escaped: a NUL that JSONB refuses. */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/** Connection-level SQLSTATE classes and codes: 08 connection exception, 57P0x shutdown/terminated, 53300 too many connections, 28 authorization. */
const CONNECTION_STATES = /^(08|28|57P0[1-3]$|53300$)/;
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** Names Postgres TEXT can hold in a primary key: no NUL, not too long. Everything else is mapped (hashed). */
function defaultStrategy(): AcceptOrMapStrategy {
  return new AcceptOrMapStrategy({
    accepts: (name) => !name.includes("\u0000") && Buffer.byteLength(name) <= MAX_NAME_BYTES,
    mapper: new HybridSanitizationStrategy({ allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_-.`, hashFragmentMode: "always", hashFragmentLength: 16 }),
  });
}

/** A network failure, a dropped or refused connection, or an AggregateError (several addresses tried) of those. */
function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === "string") return CONNECTION_CODES.has(code) || CONNECTION_STATES.test(code);
  if (Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionFailure)) return true;
  return typeof message === "string" && CONNECTION_MESSAGES.test(message);
}

function validIdentifier(name: unknown, option: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_BYTES) {
    throw new InvalidArgumentError(`${option} must be 1-63 letters, digits or underscores, not starting with a digit; got ${JSON.stringify(name)}`);
  }
  return name;
}

function passwordOf(connectionString: string | undefined): string | undefined {
  if (connectionString === undefined) return undefined;
  try {
    return decodeURIComponent(new URL(connectionString).password) || undefined;
  } catch {
    return /(?:^|\s)password\s*=\s*'?([^'\s]+)/.exec(connectionString)?.[1];
  }
}

interface EntryRow {
  key: string;
  value: JsonObject;
  created_at: Date | null;
  expires_at: Date | null;
}

/**
 * A store on PostgreSQL in py-key-value's `kv_store` layout: one row per entry,
 * the value as JSONB and the times as `timestamptz` columns.
 */
export class PostgresStore extends BaseStore implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull {
  private pool: pg.Pool | undefined;
  private readonly ownsPool: boolean;
  private readonly options: PostgresStoreOptions;
  private readonly autoCreate: boolean;
  private readonly schemaName: string;
  private readonly tableName: string;
  /** `"schema"."table"`, quoted once: the only way a name reaches SQL. */
  private readonly table: string;
  private readonly sql: ReturnType<typeof statements>;
  /** Re-creation after the table was dropped (by `destroy` here or elsewhere), shared by the calls that found it missing. */

  constructor(options: PostgresStoreOptions = {}) {
    super(options, {
      keySanitizationStrategy: defaultStrategy(),
      collectionSanitizationStrategy: defaultStrategy(),
      secrets: [passwordOf(options.connectionString)],
    });
    if (options.pool === undefined && typeof options.connectionString !== "string") {
      throw new InvalidArgumentError("PostgresStore needs a connectionString or a pool");
    }
    this.options = options;
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool;
    this.autoCreate = options.autoCreate ?? true;
    this.schemaName = validIdentifier(options.schemaName ?? "public", "schemaName");
    this.tableName = validIdentifier(options.tableName ?? "kv_store", "tableName");
    this.table = `${pg.escapeIdentifier(this.schemaName)}.${pg.escapeIdentifier(this.tableName)}`;
    this.sql = statements(this.table, this.tableName);
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) =>
      this.pages(async (after) => {
        const { rows } = await this.query<{ name: string; envelope: string | null }>(this.sql.keysPage, [this.sanitizeCollection(collection), after, this.nowText()]);
        return rows;
      }, "key"),
    );
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () =>
      this.pages(async (after) => (await this.query<{ name: string; envelope: string | null }>(this.sql.collectionsPage, [after, this.nowText()])).rows, "collection"),
    );
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => {
      const { rowCount } = await this.query(this.sql.destroyCollection, [this.sanitizeCollection(name)]);
      return (rowCount ?? 0) > 0;
    });
  }

  /** Drops the store's own table (never the schema or another table); with `autoCreate` the next operation recreates it. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      await this.query(`DROP TABLE IF EXISTS ${this.table}`, []);
      return true;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      await this.query(this.sql.cull, [this.nowText()]);
    });
  }

  protected override async setupStore(): Promise<void> {
    const { connectionString, maxConnections, connectionTimeoutMs } = this.options;
    if (this.pool === undefined) {
      this.pool = new pg.Pool({ connectionString, max: maxConnections ?? 10, connectionTimeoutMillis: connectionTimeoutMs ?? 10_000 });
      // An idle client whose backend dies emits `error` on the pool; pg replaces it, and the next query reports any lasting failure.
      this.pool.on("error", () => undefined);
    }
    if (this.autoCreate) {
      await this.createTable();
    } else {
      const { rows } = await this.pool.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [this.table]);
      if (rows[0]?.found == null) throw this.missingTableError();
    }
  }

  protected override async closeStore(): Promise<void> {
    if (this.ownsPool) await this.pool?.end();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (isConnectionFailure(error)) {
      return new StoreConnectionError(`PostgresStore lost or cannot reach the server: ${String(message)}`, { ...context, cause: error });
    }
    if (code === "42P01" && !this.autoCreate) return this.missingTableError(error, context);
    return super.classifyError(error, context);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const { rows } = await this.query<EntryRow>(this.sql.get, [this.sanitizeCollection(collection), this.sanitizeKey(key)]);
    return rows[0] === undefined ? undefined : this.toEntry(rows[0], collection, key);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const storedKeys = keys.map((key) => this.sanitizeKey(key));
    const { rows } = await this.query<EntryRow>(this.sql.getMany, [this.sanitizeCollection(collection), storedKeys]);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return keys.map((key, index) => {
      const row = byKey.get(storedKeys[index]!);
      return row === undefined ? undefined : this.toEntry(row, collection, key);
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    const storedCollection = this.sanitizeCollection(collection);
    const storedKey = this.sanitizeKey(key);
    const value = this.storedValue(entry, collection, key, storedCollection === collection && storedKey === key);
    await this.query(this.sql.put, [storedCollection, storedKey, value, ...times(entry)]);
  }

  /** One statement for the whole batch: the entries share their times, so only keys and values are arrays. */
  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const storedCollection = this.sanitizeCollection(collection);
    const keys: string[] = [];
    const values: string[] = [];
    for (const [key, entry] of entries) {
      const storedKey = this.sanitizeKey(key);
      keys.push(storedKey);
      values.push(this.storedValue(entry, collection, key, storedCollection === collection && storedKey === key));
    }
    await this.query(this.sql.putMany, [storedCollection, keys, values, ...times(entries[0]![1])]);
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.deleteEntries(collection, [key])) === 1;
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const storedKeys = keys.map((key) => this.sanitizeKey(key));
    const { rows } = await this.query<{ live: boolean }>(this.sql.deleteMany, [this.sanitizeCollection(collection), storedKeys, this.nowText()]);
    return rows.filter((row) => row.live).length;
  }

  /** Runs one statement on the pool; a table dropped meanwhile is recreated (with `autoCreate`) and the statement retried once. */
  private query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.retryAfterRecreating(
      () => this.pool!.query<R>(text, values),
      (error) => this.autoCreate && (error as { code?: unknown }).code === "42P01",
      () => this.createTable(),
    );
  }

  /**
   * Creates schema, table and index under a transaction-scoped advisory lock, so
   * stores starting at once in several processes take turns instead of racing
   * on the catalog. The schema is only created when missing: `CREATE SCHEMA IF
   * NOT EXISTS` needs the CREATE privilege on the database even when it exists.
   */
  private async createTable(): Promise<void> {
    const client = await this.pool!.connect();
    let failed = false;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`@kv/postgres ${this.table}`]);
      const { rowCount } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [this.schemaName]);
      if (rowCount === 0) await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(this.schemaName)}`);
      await client.query(this.sql.createTable);
      await client.query(this.sql.createIndex);
      await client.query("COMMIT");
    } catch (error) {
      failed = true;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      // After a failure the connection may be broken: discard it rather than return it to the pool.
      client.release(failed);
    }
  }

  private missingTableError(cause?: unknown, context: KeyValueErrorOptions = {}): StoreSetupError {
    return new StoreSetupError(`PostgresStore: table ${this.table} does not exist and autoCreate is false; create it or turn autoCreate on`, {
      ...context,
      cause,
    });
  }

  /**
   * The value column holds the value itself, as py-key-value writes it, except
   * where that layout cannot say it: a value with a NUL in a string (JSONB refuses
   * it), a key or collection that was mapped (its original must be kept), or a
   * value that itself looks like the marker. Those rows hold the whole envelope as
   * JSON text under `__kv_envelope__`.
   */
  private storedValue(entry: ManagedEntry, collection: string, key: string, namesKept: boolean): string {
    const json = JSON.stringify(entry.value);
    const plain =
      namesKept && !(json.includes("\\u0000") && JSON_NUL.test(json)) && !Object.prototype.hasOwnProperty.call(entry.value, ENVELOPE_FIELD);
    return plain ? json : JSON.stringify({ [ENVELOPE_FIELD]: serializeEnvelope(entry, { key, collection }) });
  }

  private toEntry(row: EntryRow, collection: string, key: string): ManagedEntry {
    const envelope = row.value[ENVELOPE_FIELD];
    const value = typeof envelope === "string" ? parseEnvelope(envelope, { key, collection }).entry.value : row.value;
    return new ManagedEntry(value, row.created_at ?? undefined, row.expires_at ?? undefined);
  }

  /** Keyset pagination over a sorted column, each page starting after the last stored name of the one before; yields original names. */
  private async *pages(page: (after: string) => Promise<{ name: string; envelope: string | null }[]>, field: "key" | "collection"): AsyncGenerator<string> {
    for (let after = ""; ; ) {
      const rows = await page(after);
      for (const row of rows) yield row.envelope === null ? row.name : (parseEnvelope(row.envelope)[field] ?? row.name);
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.name;
    }
  }

  private nowText(): string {
    return new Date(this.now()).toISOString();
  }
}

/** `ttl` (seconds), `created_at` and `expires_at` of an entry, as py-key-value fills them. */
function times(entry: ManagedEntry): [number | null, string | null, string | null] {
  const created = entry.createdAt?.getTime();
  const expires = entry.expiresAt?.getTime();
  return [
    created !== undefined && expires !== undefined ? (expires - created) / 1000 : null,
    entry.createdAt?.toISOString() ?? null,
    entry.expiresAt?.toISOString() ?? null,
  ];
}

/** py-key-value's index name, hashed as it does when too long for an identifier. */
function indexName(tableName: string): string {
  const name = `idx_${tableName}_expires_at`;
  return name.length <= MAX_IDENTIFIER_BYTES ? name : `idx_${sha256Hex(tableName).slice(0, 16)}_exp`;
}

/**
 * Every statement, built once with the quoted table name. Statements over several
 * rows lock them in key order, so that concurrent batches over overlapping keys
 * wait for each other instead of deadlocking.
 */
function statements(table: string, tableName: string) {
  const LIVE = "(expires_at IS NULL OR expires_at > $3::timestamptz)";
  const UPSERT = `ON CONFLICT (collection, key) DO UPDATE
    SET value = EXCLUDED.value, ttl = EXCLUDED.ttl, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`;
  const COLUMNS = "(collection, key, value, ttl, created_at, expires_at)";
  const ENVELOPE = `CASE WHEN jsonb_typeof(value -> '${ENVELOPE_FIELD}') = 'string' THEN value ->> '${ENVELOPE_FIELD}' END AS envelope`;
  return {
    // py-key-value's DDL, column for column, so that each reads the other's rows.
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
      collection TEXT NOT NULL, key TEXT NOT NULL, value JSONB NOT NULL, ttl DOUBLE PRECISION,
      created_at TIMESTAMPTZ, expires_at TIMESTAMPTZ, PRIMARY KEY (collection, key))`,
    createIndex: `CREATE INDEX IF NOT EXISTS ${pg.escapeIdentifier(indexName(tableName))} ON ${table} (expires_at) WHERE expires_at IS NOT NULL`,
    get: `SELECT key, value, created_at, expires_at FROM ${table} WHERE collection = $1 AND key = $2`,
    getMany: `SELECT key, value, created_at, expires_at FROM ${table} WHERE collection = $1 AND key = ANY($2::text[])`,
    put: `INSERT INTO ${table} ${COLUMNS} VALUES ($1, $2, $3::jsonb, $4, $5, $6) ${UPSERT}`,
    putMany: `INSERT INTO ${table} ${COLUMNS}
      SELECT $1, k, v, $4, $5, $6 FROM unnest($2::text[], $3::jsonb[]) AS batch(k, v) ORDER BY k ${UPSERT}`,
    deleteMany: `WITH doomed AS (
        SELECT key FROM ${table} WHERE collection = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE)
      DELETE FROM ${table} AS entry USING doomed WHERE entry.collection = $1 AND entry.key = doomed.key RETURNING ${LIVE} AS live`,
    keysPage: `SELECT key AS name, ${ENVELOPE} FROM ${table}
      WHERE collection = $1 AND key > $2 AND ${LIVE} ORDER BY key LIMIT ${PAGE_SIZE}`,
    collectionsPage: `SELECT DISTINCT ON (collection) collection AS name, ${ENVELOPE} FROM ${table}
      WHERE collection > $1 AND (expires_at IS NULL OR expires_at > $2::timestamptz) ORDER BY collection LIMIT ${PAGE_SIZE}`,
    destroyCollection: `DELETE FROM ${table} WHERE collection = $1`,
    cull: `DELETE FROM ${table} WHERE expires_at <= $1::timestamptz`,
  };
}
