import {
  AcceptOrMapStrategy,
  BaseStore,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  ManagedEntry,
  StoreConnectionError,
  StoreSetupError,
  ValueTooLargeError,
  parseEnvelope,
  serializeEnvelope,
  type BaseStoreOptions,
  type Cull,
  type DestroyCollection,
  type DestroyStore,
  type EnumerateKeys,
  type KeyValueError,
  type KeyValueErrorOptions,
  type KeysOptions,
  type ParsedEnvelope,
  type SanitizationStrategy,
} from "@kv/core";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
  type KeysAndAttributes,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";

export interface DynamoDBStoreOptions extends BaseStoreOptions {
  /** The one table the store uses (3–255 of `a-z A-Z 0-9 _ . -`). */
  tableName: string;
  /** AWS region. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `"us-east-1"`. */
  region?: string;
  /** Endpoint URL, e.g. `http://127.0.0.1:8000` for a local server. Default: the `DYNAMODB_URL` env var, else AWS. */
  endpoint?: string;
  /** Static credentials or a provider. Default: the SDK's provider chain (env, profile, SSO, instance role). */
  credentials?: DynamoDBClientConfig["credentials"];
  /** A client of your own; its settings apply as they are, and the store never destroys it. */
  client?: DynamoDBClient;
  /** Create the table (PAY_PER_REQUEST) when it is missing, also after `destroy()`. Default true. */
  autoCreate?: boolean;
  /** Milliseconds to wait for a TCP connection. Default 2000. */
  connectionTimeout?: number;
  /** Milliseconds to wait for an answer to one request. Default 5000. */
  requestTimeout?: number;
}

/** DynamoDB's item limit: attribute names and values, UTF-8 bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;
const BATCH_GET_SIZE = 100;
const BATCH_WRITE_SIZE = 25;
/** Attempts at a batch's unprocessed items, with exponential backoff from 50 ms up to 1 s (about 5 s in all). */
const BATCH_ATTEMPTS = 8;
const BATCH_BASE_DELAY_MS = 50;
const BATCH_MAX_DELAY_MS = 1_000;
const TABLE_POLL_MS = 100;
const TABLE_WAIT_MS = 120_000;
const QUERY_PAGE_SIZE = 1_000;
/** What a number attribute may take at most (38 digits); the `ttl` number is far shorter. */
const NUMBER_BYTES = 21;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** Errors that mean the service is unreachable or not taking requests now: worth retrying later. */
const UNAVAILABLE = new Set([
  "TimeoutError",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "InternalServerError",
]);
/** Node's socket errors; matched in the message too, where the SDK wraps an error from another realm (e.g. a Jest VM) in a plain one. */
const NETWORK_ERROR = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)\b/;

const ATTRIBUTE_NAMES = { "#c": "collection", "#k": "key", "#v": "value", "#t": "ttl" };

type Item = Record<string, AttributeValue>;

/**
 * Keeps every name that fits DynamoDB's key limit (UTF-8 bytes) and maps longer
 * ones to `S_{prefix}-{16 hex of SHA-256}`, which fits: `maxLength` code points of
 * at most 4 bytes each.
 */
function fitsBytes(maxBytes: number): SanitizationStrategy {
  return new AcceptOrMapStrategy({
    accepts: (name) => Buffer.byteLength(name) <= maxBytes,
    mapper: new HybridSanitizationStrategy({ maxLength: maxBytes / 4, hashFragmentMode: "always", hashFragmentLength: 16 }),
  });
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Read by property rather than `instanceof Error`: errors may come from another realm. */
function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** py-key-value's DynamoDBStore layout: partition key `collection`, sort key `key`, envelope `value`, epoch-seconds `ttl`. */
export class DynamoDBStore extends BaseStore implements EnumerateKeys, DestroyCollection, DestroyStore, Cull {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;
  private readonly autoCreate: boolean;
  /** The table check or creation under way, shared by every operation that finds the table missing. */

  constructor(options: DynamoDBStoreOptions) {
    const credentials = options?.credentials;
    const staticCredentials = typeof credentials === "object" ? credentials : undefined;
    super(options, {
      keySanitizationStrategy: fitsBytes(MAX_SORT_KEY_BYTES),
      collectionSanitizationStrategy: fitsBytes(MAX_PARTITION_KEY_BYTES),
      secrets: [staticCredentials?.secretAccessKey, staticCredentials?.sessionToken],
    });
    const { tableName, autoCreate = true } = options;
    if (typeof tableName !== "string" || !TABLE_NAME.test(tableName)) {
      throw new InvalidArgumentError(`tableName must be 3–255 characters of a-z, A-Z, 0-9, "_", "." and "-", got ${JSON.stringify(tableName)}`);
    }
    this.tableName = tableName;
    this.autoCreate = autoCreate;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new DynamoDBClient({
        region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
        endpoint: options.endpoint ?? (process.env.DYNAMODB_URL || undefined),
        credentials,
        // Bounded so that an unreachable endpoint fails within seconds instead of hanging.
        maxAttempts: 3,
        requestHandler: { connectionTimeout: options.connectionTimeout ?? 2_000, requestTimeout: options.requestTimeout ?? 5_000 },
      });
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.liveKeys(collection));
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => {
      let removed = false;
      for await (const page of this.queryPages(this.sanitizeCollection(name), "#k")) {
        await this.deleteItems(page);
        removed ||= page.length > 0;
      }
      return removed;
    });
  }

  /** Deletes the table and waits until it is gone; with `autoCreate`, the next operation creates it again. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      try {
        await this.client.send(new DeleteTableCommand({ TableName: this.tableName }));
      } catch (error) {
        if (errorName(error) === "ResourceNotFoundException") return false;
        throw error;
      }
      await this.waitForTable((status) => status === undefined);
      return true;
    });
  }

  /** Removes expired entries now, rather than when DynamoDB's own TTL sweep (up to days later) gets to them. */
  cull(): Promise<void> {
    return this.runCull(async () => {
      const now = this.now();
      let startKey: Item | undefined;
      do {
        const page = await this.withTable(() =>
          this.client.send(
            new ScanCommand({
              TableName: this.tableName,
              ConsistentRead: true,
              // `ttl` is floored to the second: items in the current second are checked exactly below.
              FilterExpression: "#t <= :now",
              ExpressionAttributeNames: ATTRIBUTE_NAMES,
              ExpressionAttributeValues: { ":now": { N: String(Math.floor(now / 1000)) } },
              ProjectionExpression: "#c, #k, #v, #t",
              ExclusiveStartKey: startKey,
            }),
          ),
        );
        const expired = (page.Items ?? []).filter((item) => this.readItem(item).isExpired(now));
        await this.deleteItems(expired);
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    });
  }

  protected override async setupStore(): Promise<void> {
    await this.createTableIfMissing();
  }

  protected override async closeStore(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    const name = errorName(error);
    const { message = String(error), code } = (typeof error === "object" && error !== null ? error : {}) as { message?: string; code?: unknown };
    if (name !== undefined && UNAVAILABLE.has(name)) {
      return new StoreConnectionError(`DynamoDBStore: the service is unavailable or throttling (${name}: ${message})`, { ...context, cause: error });
    }
    if (NETWORK_ERROR.test(`${String(code)} ${message}`)) {
      return new StoreConnectionError(`DynamoDBStore cannot reach the endpoint (${message})`, { ...context, cause: error });
    }
    if (name === "ResourceNotFoundException") {
      return new StoreSetupError(`DynamoDBStore: table ${JSON.stringify(this.tableName)} does not exist (${message})`, { ...context, cause: error });
    }
    if (name === "ValidationException" && /item size|size has exceeded/i.test(message)) {
      // The service says only that the item is over its limit, not by how much.
      return new ValueTooLargeError(MAX_ITEM_BYTES + 1, MAX_ITEM_BYTES, { ...context, cause: error });
    }
    return super.classifyError(error, context);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    const { Item: item } = await this.withTable(() =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.itemKey(collection, key), ConsistentRead: true })),
    );
    return item === undefined ? undefined : this.readItem(item, collection, key);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const bySortKey = new Map(keys.map((key) => [this.sanitizeKey(key), key] as const));
    const found = new Map<string, ManagedEntry>();
    await Promise.all(
      chunks([...bySortKey.keys()], BATCH_GET_SIZE).map(async (sortKeys) => {
        const requested: KeysAndAttributes = {
          Keys: sortKeys.map((sortKey) => ({ collection: { S: this.sanitizeCollection(collection) }, key: { S: sortKey } })),
          ConsistentRead: true,
        };
        await this.retryUnprocessed({ [this.tableName]: requested }, async (request) => {
          const output = await this.withTable(() => this.client.send(new BatchGetItemCommand({ RequestItems: request })));
          for (const item of output.Responses?.[this.tableName] ?? []) {
            const key = bySortKey.get(item.key!.S!)!;
            found.set(key, this.readItem(item, collection, key));
          }
          return output.UnprocessedKeys;
        });
      }),
    );
    return keys.map((key) => found.get(key));
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    const item = this.toItem(collection, key, entry);
    await this.withTable(() => this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item })));
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    // Every item is built (and its size checked) before any is sent, so a batch with one too large writes nothing.
    const items = entries.map(([key, entry]) => this.toItem(collection, key, entry));
    await this.writeBatches(items.map((item) => ({ PutRequest: { Item: item } })));
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    const { Attributes: old } = await this.withTable(() =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.itemKey(collection, key), ReturnValues: "ALL_OLD" })),
    );
    return old !== undefined && !this.readItem(old, collection, key).isExpired(this.now());
  }

  /**
   * BatchWriteItem cannot return the items it deletes: one BatchGetItem per 100 keys
   * finds which are live, then one BatchWriteItem per 25 found deletes them.
   */
  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const entries = await this.getEntries(collection, keys);
    const now = this.now();
    const present = keys.filter((_key, index) => entries[index] !== undefined);
    await this.deleteItems(present.map((key) => this.itemKey(collection, key)));
    return entries.filter((entry) => entry !== undefined && !entry.isExpired(now)).length;
  }

  private itemKey(collection: string, key: string): Item {
    return { collection: { S: this.sanitizeCollection(collection) }, key: { S: this.sanitizeKey(key) } };
  }

  private toItem(collection: string, key: string, entry: ManagedEntry): Item {
    const storedCollection = this.sanitizeCollection(collection);
    const storedKey = this.sanitizeKey(key);
    const envelope = serializeEnvelope(entry, { key, collection });
    // Attribute names count as well as values ("collection" 10, "key" 3, "value" 5, "ttl" 3).
    const size = 21 + Buffer.byteLength(storedCollection) + Buffer.byteLength(storedKey) + Buffer.byteLength(envelope) + NUMBER_BYTES;
    if (size > MAX_ITEM_BYTES) throw new ValueTooLargeError(size, MAX_ITEM_BYTES, { key, collection });
    const item: Item = { collection: { S: storedCollection }, key: { S: storedKey }, value: { S: envelope } };
    if (entry.expiresAt !== undefined) item.ttl = { N: String(Math.floor(entry.expiresAt.getTime() / 1000)) };
    return item;
  }

  private readItem(item: Item, collection?: string, key?: string): ManagedEntry {
    return this.parseItem(item, collection, key).entry;
  }

  /** The envelope's own expiry (milliseconds) wins; the `ttl` attribute (seconds) is the fallback for an envelope without one. */
  private parseItem(item: Item, collection?: string, key?: string): ParsedEnvelope {
    const parsed = parseEnvelope(item.value?.S ?? "", { collection: collection ?? item.collection?.S, key: key ?? item.key?.S });
    const ttl = item.ttl?.N;
    if (parsed.entry.expiresAt !== undefined || ttl === undefined) return parsed;
    const { entry } = parsed;
    return { ...parsed, entry: new ManagedEntry(entry.value, entry.createdAt, new Date(Number(ttl) * 1000)) };
  }

  /** Original keys: a mapped sort key is read back from the envelope, which names the key it was written for. */
  private async *liveKeys(collection: string): AsyncGenerator<string> {
    for await (const page of this.queryPages(this.sanitizeCollection(collection), "#k, #v, #t")) {
      const now = this.now();
      for (const item of page) {
        const { entry, key } = this.parseItem(item, collection);
        if (!entry.isExpired(now)) yield key ?? item.key!.S!;
      }
    }
  }

  /** Pages of a strongly consistent Query over one partition (a stored collection name). */
  private async *queryPages(storedCollection: string, projection: string): AsyncGenerator<Item[]> {
    let startKey: Item | undefined;
    do {
      const page = await this.withTable(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            KeyConditionExpression: "#c = :c",
            ExpressionAttributeNames: Object.fromEntries(Object.entries(ATTRIBUTE_NAMES).filter(([alias]) => alias === "#c" || projection.includes(alias))),
            ExpressionAttributeValues: { ":c": { S: storedCollection } },
            ProjectionExpression: `#c, ${projection}`,
            Limit: QUERY_PAGE_SIZE,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Deletes the items with these `collection` and `key` attributes (other attributes are ignored). */
  private async deleteItems(items: readonly Item[]): Promise<void> {
    await this.writeBatches(items.map((item) => ({ DeleteRequest: { Key: { collection: item.collection!, key: item.key! } } })));
  }

  /** BatchWriteItem in chunks of 25, sent at once: each chunk holds distinct keys, so order between chunks does not matter. */
  private async writeBatches(requests: readonly WriteRequest[]): Promise<void> {
    await Promise.all(
      chunks(requests, BATCH_WRITE_SIZE).map((chunk) =>
        this.retryUnprocessed({ [this.tableName]: chunk }, async (request) => {
          const output = await this.withTable(() => this.client.send(new BatchWriteItemCommand({ RequestItems: request })));
          return output.UnprocessedItems;
        }),
      ),
    );
  }

  /** Sends a batch, then what the service left unprocessed (throttling), with exponential backoff, a bounded number of times. */
  private async retryUnprocessed<R>(request: Record<string, R>, send: (request: Record<string, R>) => Promise<Record<string, R> | undefined>): Promise<void> {
    let pending: Record<string, R> | undefined = request;
    for (let attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(BATCH_MAX_DELAY_MS, BATCH_BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      pending = await send(pending);
      if (pending === undefined || Object.keys(pending).length === 0) return;
    }
    throw new StoreConnectionError(`DynamoDBStore: items were still unprocessed after ${BATCH_ATTEMPTS} attempts (throughput exceeded)`);
  }

  /** Runs a request; when the table has gone (destroyed, or the server restarted empty), prepares it again and retries once. */
  private withTable<T>(request: () => Promise<T>): Promise<T> {
    return this.retryAfterRecreating(
      request,
      (error) => this.autoCreate && errorName(error) === "ResourceNotFoundException",
      () => this.createTableIfMissing(),
    );
  }

  private async createTableIfMissing(): Promise<void> {
    let status = await this.tableStatus();
    if (status === "DELETING") status = await this.waitForTable((current) => current === undefined);
    if (status === undefined) {
      if (!this.autoCreate) {
        throw new StoreSetupError(`DynamoDBStore: table ${JSON.stringify(this.tableName)} does not exist and autoCreate is false`);
      }
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: this.tableName,
            KeySchema: [
              { AttributeName: "collection", KeyType: "HASH" },
              { AttributeName: "key", KeyType: "RANGE" },
            ],
            AttributeDefinitions: [
              { AttributeName: "collection", AttributeType: "S" },
              { AttributeName: "key", AttributeType: "S" },
            ],
            BillingMode: "PAY_PER_REQUEST",
          }),
        );
      } catch (error) {
        // Another process created it first: wait for it like for our own.
        if (errorName(error) !== "ResourceInUseException") throw error;
      }
    }
    if (status !== "ACTIVE") await this.waitForTable((current) => current === "ACTIVE");
    await this.enableTtl();
  }

  /** Turns on DynamoDB's expiry sweep on `ttl`; servers without it (dynalite) answer UnknownOperationException. */
  private async enableTtl(): Promise<void> {
    try {
      const { TimeToLiveDescription: ttl } = await this.client.send(new DescribeTimeToLiveCommand({ TableName: this.tableName }));
      if (ttl?.TimeToLiveStatus !== "DISABLED") return;
      await this.client.send(new UpdateTimeToLiveCommand({ TableName: this.tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl" } }));
    } catch (error) {
      if (errorName(error) !== "UnknownOperationException") throw error;
    }
  }

  private async tableStatus(): Promise<string | undefined> {
    try {
      const { Table: table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      return table?.TableStatus ?? "ACTIVE";
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  private async waitForTable(done: (status: string | undefined) => boolean): Promise<string | undefined> {
    const deadline = Date.now() + TABLE_WAIT_MS;
    for (;;) {
      const status = await this.tableStatus();
      if (done(status)) return status;
      if (Date.now() > deadline) throw new StoreSetupError(`DynamoDBStore: table ${JSON.stringify(this.tableName)} stayed ${status} for ${TABLE_WAIT_MS} ms`);
      await sleep(TABLE_POLL_MS);
    }
  }
}
