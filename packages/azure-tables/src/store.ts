import type { NamedKeyCredential, SASCredential, TokenCredential } from "@azure/core-auth";
import {
  AzureNamedKeyCredential,
  AzureSASCredential,
  odata,
  RestError,
  TableClient,
  type TableServiceClientOptions,
  type TableEntity,
  type TransactionAction,
} from "@azure/data-tables";
import {
  AcceptOrMapStrategy,
  ALPHANUMERIC_CHARACTERS,
  BaseStore,
  formatTimestamp,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  KeyValueError,
  ManagedEntry,
  parseEnvelope,
  StoreConnectionError,
  StoreSetupError,
  ValueTooLargeError,
  type BaseStoreOptions,
  type CollectionsOptions,
  type KeysOptions,
  type KeyValueErrorOptions,
} from "@kv/core";

export type AzureTablesServiceMode = "storage" | "cosmos";

export interface AzureTablesStoreOptions extends BaseStoreOptions {
  /** An Azure Storage or Cosmos DB Table API connection string (`UseDevelopmentStorage=true` for Azurite). */
  connectionString?: string;
  /** The table service URL, e.g. `https://account.table.core.windows.net`; used with `credential`. */
  endpoint?: string;
  /** Account name and key, a SAS token, or an Azure AD token credential; used with `endpoint`. */
  credential?: NamedKeyCredential | SASCredential | TokenCredential;
  /** A caller's client, used as it is (its table is the store's table) and never closed. */
  client?: TableClient;
  /** The store's own table. Default `"kvstore"`. */
  tableName?: string;
  /** Azure Table Storage or Cosmos DB's Table API; picks the default endpoint of `fromAccountAndKey`. Default `"storage"`. */
  serviceMode?: AzureTablesServiceMode;
  /** Create the table when missing. Default true. */
  autoCreate?: boolean;
  /** Longest a single HTTP attempt may take before it counts as a connection failure. Default 30,000 ms. */
  requestTimeoutMs?: number;
  /** Retries of a failed request (with exponential backoff from 200 ms to 2 s). Default 2. */
  maxRetries?: number;
}

/** What the static factories take besides their own arguments. */
export type AzureTablesFactoryOptions = Omit<AzureTablesStoreOptions, "connectionString" | "endpoint" | "credential" | "client">;

const DEFAULT_TABLE_NAME = "kvstore";
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** Characters PartitionKey and RowKey forbid: `/ \ # ?` and the control characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_NAME_CHARACTERS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
/** Kept names stay well inside the 1 KiB key limit in UTF-16 and in UTF-8 (a code unit is at most 3 UTF-8 bytes). */
const MAX_KEPT_NAME_LENGTH = 255;
/** A string property holds 64 KiB of UTF-16; chunks stay a little under it. */
const CHUNK_CHARACTERS = 32_000;
/** Azure's limit on an entity, counted as the service does (strings as UTF-16). */
export const MAX_ENTITY_BYTES = 1024 * 1024;
/** A transaction holds at most 100 operations and a 4 MiB body; its UTF-8 is at most 1.5× our UTF-16 estimate. */
const TRANSACTION_OPERATIONS = 100;
const TRANSACTION_BYTES = 2 * 1024 * 1024;
/** Azure allows 15 comparisons in a filter: one for the partition, the rest for row keys. */
const ROW_KEYS_PER_QUERY = 14;
const PAGE_SIZE = 1_000;
const TIMESTAMP_PROPERTY_BYTES = 8 + 2 * "Timestamp".length + 8;

type PipelinePolicy = NonNullable<TableServiceClientOptions["additionalPolicies"]>[number]["policy"];

/**
 * Azurite's transaction parser fails on a raw U+2028 or U+2029 in a batch body, which
 * JSON.stringify leaves unescaped; `\u2028` is the same JSON string.
 */
const escapeLineSeparators: PipelinePolicy = {
  name: "kvEscapeLineSeparators",
  sendRequest: (request, next) => {
    if (typeof request.body === "string" && /[\u2028\u2029]/.test(request.body)) {
      request.body = request.body.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
    }
    return next(request);
  },
};

/** An entity as read back: scans always select both keys, so they are present. */
type StoredEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function mappedNameStrategy(): AcceptOrMapStrategy {
  return new AcceptOrMapStrategy({
    accepts: (name) => name.length <= MAX_KEPT_NAME_LENGTH && !FORBIDDEN_NAME_CHARACTERS.test(name),
    mapper: new HybridSanitizationStrategy({
      allowedCharacters: `${ALPHANUMERIC_CHARACTERS}-_.`,
      hashFragmentMode: "always",
      hashFragmentLength: 16,
    }),
  });
}

function isHttp(url: string | undefined): boolean {
  return url !== undefined && /^http:/i.test(url.trim());
}

/** `key=value;…` pairs of a connection string. */
function connectionStringFields(connectionString: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0) fields.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }
  return fields;
}

/** The signature is what makes a SAS token secret; it appears URL-encoded or not in request URLs. */
function sasSecrets(token: string): string[] {
  const signature = new URLSearchParams(token.replace(/^\?/, "")).get("sig") ?? undefined;
  return [token, token.replace(/^\?/, ""), ...(signature === undefined ? [] : [signature])];
}

function isNamedKeyCredential(credential: unknown): credential is NamedKeyCredential {
  return typeof credential === "object" && credential !== null && "name" in credential && "key" in credential;
}

function isSasCredential(credential: unknown): credential is SASCredential {
  return typeof credential === "object" && credential !== null && "signature" in credential;
}

/** Bytes Azure counts for an entity: 4 + both keys in UTF-16 + per property 8 + its name in UTF-16 + its value. */
function entityBytes(entity: TableEntity<Record<string, unknown>>): number {
  let bytes = 4 + 2 * (entity.partitionKey.length + entity.rowKey.length) + TIMESTAMP_PROPERTY_BYTES;
  for (const [name, value] of Object.entries(entity)) {
    if (name === "partitionKey" || name === "rowKey") continue;
    bytes += 8 + 2 * name.length + (typeof value === "string" ? 4 + 2 * value.length : 8);
  }
  return bytes;
}

/** Splits at most every CHUNK_CHARACTERS code units, never between the halves of a surrogate pair. */
function chunks(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + CHUNK_CHARACTERS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/** The table is gone: the SDK leaves the service's code in `code` for some calls and only in the message for others. */
function isTableNotFound(error: unknown): boolean {
  return statusOf(error) === 404 && (codeOf(error) === "TableNotFound" || (error instanceof Error && error.message.includes("TableNotFound")));
}

function codeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "REQUEST_SEND_ERROR"]);

/**
 * Azure Table Storage or Cosmos DB's Table API. One table; each entity is one
 * entry: PartitionKey = collection, RowKey = key (both through the sanitization
 * strategies), the value's JSON in `value` or in `value_0`, `value_1`, … when it
 * exceeds a string property. See the README for the layout and its limits.
 */
export class AzureTablesStore extends BaseStore {
  readonly client: TableClient;
  readonly tableName: string;
  readonly serviceMode: AzureTablesServiceMode;
  private readonly autoCreate: boolean;

  constructor(options: AzureTablesStoreOptions) {
    super(options, {
      keySanitizationStrategy: mappedNameStrategy(),
      collectionSanitizationStrategy: mappedNameStrategy(),
      secrets: AzureTablesStore.secretsOf(options),
    });
    this.serviceMode = options.serviceMode ?? "storage";
    if (this.serviceMode !== "storage" && this.serviceMode !== "cosmos") {
      throw new InvalidArgumentError(`serviceMode must be "storage" or "cosmos", got ${JSON.stringify(options.serviceMode)}`);
    }
    this.autoCreate = options.autoCreate ?? true;
    this.client = options.client ?? AzureTablesStore.createClient(options);
    this.tableName = this.client.tableName;
    if (!TABLE_NAME.test(this.tableName)) {
      throw new InvalidArgumentError(`tableName must match ${TABLE_NAME.source}, got ${JSON.stringify(this.tableName)}`);
    }
  }

  static fromConnectionString(connectionString: string, options: AzureTablesFactoryOptions = {}): AzureTablesStore {
    return new AzureTablesStore({ ...options, connectionString });
  }

  /** Account name and key; the endpoint defaults to the account's public one for `serviceMode`. */
  static fromAccountAndKey(accountName: string, accountKey: string, options: AzureTablesFactoryOptions & { endpoint?: string } = {}): AzureTablesStore {
    const host = options.serviceMode === "cosmos" ? "table.cosmos.azure.com" : "table.core.windows.net";
    const endpoint = options.endpoint ?? `https://${accountName}.${host}`;
    return new AzureTablesStore({ ...options, endpoint, credential: new AzureNamedKeyCredential(accountName, accountKey) });
  }

  static fromSasToken(endpoint: string, sasToken: string, options: AzureTablesFactoryOptions = {}): AzureTablesStore {
    return new AzureTablesStore({ ...options, endpoint, credential: new AzureSASCredential(sasToken.replace(/^\?/, "")) });
  }

  static fromTokenCredential(endpoint: string, credential: TokenCredential, options: AzureTablesFactoryOptions = {}): AzureTablesStore {
    return new AzureTablesStore({ ...options, endpoint, credential });
  }

  private static secretsOf(options: AzureTablesStoreOptions): string[] {
    const secrets: string[] = [];
    if (options.connectionString !== undefined) {
      const fields = connectionStringFields(options.connectionString);
      const key = fields.get("accountkey");
      if (key !== undefined) secrets.push(key);
      const sas = fields.get("sharedaccesssignature");
      if (sas !== undefined) secrets.push(...sasSecrets(sas));
    }
    if (isNamedKeyCredential(options.credential)) secrets.push(options.credential.key);
    if (isSasCredential(options.credential)) secrets.push(...sasSecrets(options.credential.signature));
    return secrets;
  }

  private static createClient(options: AzureTablesStoreOptions): TableClient {
    const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
    if (!TABLE_NAME.test(tableName)) throw new InvalidArgumentError(`tableName must match ${TABLE_NAME.source}, got ${JSON.stringify(tableName)}`);
    const maxRetries = options.maxRetries ?? 2;
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    // The SDK sets no timeout: without one a silent endpoint would hang an operation for good.
    const requestTimeout: PipelinePolicy = {
      name: "kvRequestTimeout",
      sendRequest: (request, next) => {
        request.timeout = requestTimeoutMs;
        return next(request);
      },
    };
    const clientOptions = (insecure: boolean): TableServiceClientOptions => ({
      // Only a plain-http endpoint (Azurite, a local emulator) needs this; https stays enforced everywhere else.
      allowInsecureConnection: insecure,
      retryOptions: { maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
      // The SDK sets no timeout: without one a silent endpoint would hang an operation for good.
      additionalPolicies: [
        { position: "perRetry", policy: requestTimeout },
        { position: "perCall", policy: escapeLineSeparators },
      ],
    });
    if (options.connectionString !== undefined) {
      const fields = connectionStringFields(options.connectionString);
      const insecure =
        fields.get("usedevelopmentstorage") === "true" || isHttp(fields.get("tableendpoint")) || (!fields.has("tableendpoint") && fields.get("defaultendpointsprotocol") === "http");
      return TableClient.fromConnectionString(options.connectionString, tableName, clientOptions(insecure));
    }
    if (options.endpoint === undefined || options.credential === undefined) {
      throw new InvalidArgumentError("AzureTablesStore needs a connectionString, an endpoint with a credential, or a client");
    }
    const endpoint = options.endpoint.replace(/\/+$/, "");
    const insecure = isHttp(endpoint);
    const { credential } = options;
    if (isNamedKeyCredential(credential)) return new TableClient(endpoint, tableName, credential, clientOptions(insecure));
    if (isSasCredential(credential)) return new TableClient(endpoint, tableName, credential, clientOptions(insecure));
    return new TableClient(endpoint, tableName, credential, clientOptions(insecure));
  }

  // ---- Hooks -----------------------------------------------------------------------

  protected override async setupStore(): Promise<void> {
    if (this.autoCreate) await this.client.createTable();
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const partitionKey = this.sanitizeCollection(collection);
    try {
      const entity = await this.withTable(() => this.client.getEntity<Record<string, unknown>>(partitionKey, this.sanitizeKey(key)));
      return this.toEntry(entity, collection, key);
    } catch (error) {
      if (statusOf(error) === 404 && !isTableNotFound(error)) return undefined;
      throw error;
    }
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const partitionKey = this.sanitizeCollection(collection);
    const rowKeys = keys.map((key) => this.sanitizeKey(key));
    const found = await this.queryRows(partitionKey, rowKeys);
    return keys.map((key, index) => {
      const entity = found.get(rowKeys[index]!);
      return entity === undefined ? undefined : this.toEntry(entity, collection, key);
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    const entity = this.toEntity(collection, key, entry);
    await this.withTable(() => this.client.upsertEntity(entity, "Replace"));
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    // Every entity is built (and its size checked) before the first transaction is sent.
    const entities = entries.map(([key, entry]) => this.toEntity(collection, key, entry));
    const actions: TransactionAction[][] = [];
    let batch: TransactionAction[] = [];
    let batchBytes = 0;
    for (const entity of entities) {
      const bytes = entityBytes(entity);
      if (batch.length === TRANSACTION_OPERATIONS || (batch.length > 0 && batchBytes + bytes > TRANSACTION_BYTES)) {
        actions.push(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push(["upsert", entity, "Replace"]);
      batchBytes += bytes;
    }
    actions.push(batch);
    await Promise.all(actions.map((transaction) => this.withTable(() => this.client.submitTransaction(transaction))));
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.deleteEntries(collection, [key])) === 1;
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const partitionKey = this.sanitizeCollection(collection);
    const found = await this.queryRows(partitionKey, keys.map((key) => this.sanitizeKey(key)), ["RowKey", "expires_at"]);
    const now = this.now();
    const live = [...found.values()].filter((entity) => !this.isExpired(entity, now)).length;
    await this.deleteRows(partitionKey, [...found.keys()]);
    return live;
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof KeyValueError) return error;
    const status = statusOf(error);
    const code = codeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status === 413 || /EntityTooLarge|RequestBodyTooLarge|PropertyValueTooLarge/.test(`${code} ${message}`)) {
      return new ValueTooLargeError(0, undefined, { ...context, cause: error });
    }
    if (isTableNotFound(error)) {
      return new StoreSetupError(`table ${JSON.stringify(this.tableName)} does not exist and autoCreate is off`, { ...context, cause: error });
    }
    if ((code !== undefined && CONNECTION_CODES.has(code)) || (error instanceof Error && error.name === "AbortError") || /socket hang up|timed? ?out/i.test(message)) {
      return new StoreConnectionError(`cannot reach the Azure table service: ${message}`, { ...context, cause: error });
    }
    return super.classifyError(error, context);
  }

  // ---- Capabilities ------------------------------------------------------------------

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.liveNames(odata`PartitionKey eq ${this.sanitizeCollection(collection)}`, ["RowKey", "key", "expires_at"], (entity) => this.originalKey(entity)));
  }

  /** Scans the whole table (PartitionKey and names only): Azure Tables has no list of partitions. */
  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.distinctCollections());
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, (name) => this.deletePartition(this.sanitizeCollection(name)));
  }

  /** Deletes every entity of the store's table; the table stays, since Azure refuses to recreate a deleted one for a while. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      const partitions = new Set<string>();
      for await (const entity of this.scan(undefined, ["PartitionKey"])) partitions.add(entity.partitionKey);
      const removed = await Promise.all([...partitions].map((partitionKey) => this.deletePartition(partitionKey)));
      return removed.includes(true) || partitions.size === 0;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      const byPartition = new Map<string, string[]>();
      for await (const entity of this.scan(odata`expires_at le ${new Date(this.now())}`, ["PartitionKey", "RowKey"])) {
        const rows = byPartition.get(entity.partitionKey) ?? [];
        rows.push(entity.rowKey);
        byPartition.set(entity.partitionKey, rows);
      }
      await Promise.all([...byPartition].map(([partitionKey, rowKeys]) => this.deleteRows(partitionKey, rowKeys)));
    });
  }

  // ---- Internals ---------------------------------------------------------------------

  /**
   * Runs a request, and when the table is gone (deleted by someone, or an emulator
   * restarted without persistence) creates it and runs the request once more.
   */
  private withTable<T>(request: () => Promise<T>): Promise<T> {
    return this.retryAfterRecreating(
      request,
      (error) => this.autoCreate && isTableNotFound(error),
      () => this.client.createTable(),
    );
  }

  private toEntity(collection: string, key: string, entry: ManagedEntry): TableEntity<Record<string, unknown>> {
    const value = JSON.stringify(entry.value);
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey: this.sanitizeCollection(collection),
      rowKey: this.sanitizeKey(key),
      collection,
      key,
      version: 1,
    };
    if (entry.createdAt !== undefined) entity.created_at = formatTimestamp(entry.createdAt);
    if (entry.expiresAt !== undefined) entity.expires_at = entry.expiresAt;
    if (value.length <= CHUNK_CHARACTERS) entity.value = value;
    else chunks(value).forEach((part, index) => (entity[`value_${index}`] = part));
    const bytes = entityBytes(entity);
    if (bytes > MAX_ENTITY_BYTES) throw new ValueTooLargeError(bytes, MAX_ENTITY_BYTES, { key, collection });
    return entity;
  }

  private toEntry(entity: Record<string, unknown>, collection: string, key: string): ManagedEntry {
    let value = entity.value;
    if (value === undefined) {
      value = "";
      for (let index = 0; typeof entity[`value_${index}`] === "string"; index++) value += entity[`value_${index}`] as string;
    }
    const expiresAt = entity.expires_at;
    return parseEnvelope(
      {
        value: typeof value === "string" ? value : null,
        ...(typeof entity.created_at === "string" ? { created_at: entity.created_at } : {}),
        ...(expiresAt instanceof Date ? { expires_at: formatTimestamp(expiresAt) } : typeof expiresAt === "string" ? { expires_at: expiresAt } : {}),
      },
      { key, collection },
    ).entry;
  }

  private isExpired(entity: Record<string, unknown>, now: number): boolean {
    const expiresAt = entity.expires_at;
    return expiresAt instanceof Date && expiresAt.getTime() <= now;
  }

  private originalKey(entity: StoredEntity): string {
    return typeof entity.key === "string" ? entity.key : entity.rowKey;
  }

  /** The entities of one partition with the given row keys, by row key: one filtered query per 14 keys, run concurrently. */
  private async queryRows(partitionKey: string, rowKeys: readonly string[], select?: string[]): Promise<Map<string, StoredEntity>> {
    const groups: string[][] = [];
    for (let start = 0; start < rowKeys.length; start += ROW_KEYS_PER_QUERY) groups.push(rowKeys.slice(start, start + ROW_KEYS_PER_QUERY));
    const found = new Map<string, StoredEntity>();
    await Promise.all(
      groups.map(async (group) => {
        const rows = group.map((rowKey) => odata`RowKey eq ${rowKey}`).join(" or ");
        for await (const entity of this.scan(`${odata`PartitionKey eq ${partitionKey}`} and (${rows})`, select)) found.set(entity.rowKey, entity);
      }),
    );
    return found;
  }

  /** Entities matching `filter` (all when undefined), page by page. */
  private async *scan(filter: string | undefined, select?: string[]): AsyncGenerator<StoredEntity> {
    const queryOptions = { filter, select: select && [...new Set(["PartitionKey", "RowKey", ...select])] };
    const pages = this.client.listEntities<StoredEntity>({ queryOptions }).byPage({ maxPageSize: PAGE_SIZE });
    // The first page goes through withTable so that a vanished table is recreated rather than reported.
    const iterator = pages[Symbol.asyncIterator]();
    const first = await this.withTable(() => iterator.next());
    if (first.done) return;
    yield* first.value;
    for await (const page of { [Symbol.asyncIterator]: () => iterator }) yield* page;
  }

  private async *liveNames(filter: string, select: string[], name: (entity: StoredEntity) => string): AsyncGenerator<string> {
    for await (const entity of this.scan(filter, select)) if (!this.isExpired(entity, this.now())) yield name(entity);
  }

  private async *distinctCollections(): AsyncGenerator<string> {
    const seen = new Set<string>();
    for await (const entity of this.scan(undefined, ["PartitionKey", "collection", "expires_at"])) {
      if (seen.has(entity.partitionKey) || this.isExpired(entity, this.now())) continue;
      seen.add(entity.partitionKey);
      yield typeof entity.collection === "string" ? entity.collection : entity.partitionKey;
    }
  }

  private async deletePartition(partitionKey: string): Promise<boolean> {
    const rowKeys: string[] = [];
    for await (const entity of this.scan(odata`PartitionKey eq ${partitionKey}`, ["RowKey"])) rowKeys.push(entity.rowKey);
    await this.deleteRows(partitionKey, rowKeys);
    return rowKeys.length > 0;
  }

  /** Deletes rows in transactions of 100; a row someone else deleted meanwhile fails its transaction, which then goes row by row. */
  private async deleteRows(partitionKey: string, rowKeys: readonly string[]): Promise<void> {
    const groups: string[][] = [];
    for (let start = 0; start < rowKeys.length; start += TRANSACTION_OPERATIONS) groups.push(rowKeys.slice(start, start + TRANSACTION_OPERATIONS));
    await Promise.all(
      groups.map(async (group) => {
        try {
          await this.client.submitTransaction(group.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
          await Promise.all(group.map((rowKey) => this.client.deleteEntity(partitionKey, rowKey).catch((rowError: unknown) => {
            if (statusOf(rowError) !== 404) throw rowError;
          })));
        }
      }),
    );
  }
}
