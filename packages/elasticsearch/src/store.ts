import { Client, errors } from "@elastic/elasticsearch";
import {
  AcceptOrMapStrategy,
  ALPHANUMERIC_CHARACTERS,
  BaseStore,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  ManagedEntry,
  SerializationError,
  StoreConnectionError,
  StoreOperationError,
  StoreSetupError,
  ValueTooLargeError,
  formatTimestamp,
  parseEnvelope,
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

export interface ElasticsearchStoreOptions extends BaseStoreOptions {
  /** `http://host:9200`; ignored when `client` is given. */
  url?: string;
  /** An API key for `url` (base64 `id:key`); redacted from every error. */
  apiKey?: string;
  /** A client of the caller's; the store never closes it. */
  client?: Client;
  /** Every index of the store is `{indexPrefix}-{collection}`. Lowercased; letters, digits, `_` and `.`, at most 50 characters. */
  indexPrefix: string;
  /** Create a collection's index with its mapping when missing. Default true. */
  autoCreate?: boolean;
  /**
   * Refresh policy of writes: `true` (default) makes each write visible to the next
   * search (`keys`, `collections`, `cull`) at once; `"wait_for"` costs the cluster less
   * but a write may wait up to the index's refresh interval (1 s); `false` is fastest,
   * and searches may lag writes by up to that interval (`get` always sees them).
   */
  refresh?: boolean | "wait_for";
}

/** Index names: lowercase, at most 255 bytes, none of `\ / * ? " < > | , # :` or spaces. */
const MAX_INDEX_BYTES = 255;
const MAX_PREFIX_LENGTH = 50;
const PREFIX = /^[a-z0-9][a-z0-9_.]*$/;
/** What an index name must not hold besides uppercase: Elasticsearch's forbidden characters, whitespace, control characters. */
const INDEX_FORBIDDEN = /[\\/*?"<>|,#:\s\p{Cc}]/u;
/** A mapped collection's index name starts `s_`: a kept one must not. */
const LOOKS_MAPPED = /^[sh]_/;
/** Elasticsearch refuses document ids over 512 bytes. */
const MAX_ID_BYTES = 512;
const PAGE_SIZE = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Requests on the wire at once. More wait in the client, where no timeout runs, instead of
 * queueing in a busy node for longer than the timeout: hundreds of concurrent refreshing
 * writes on two cores took more than 10 s each.
 */
const MAX_CONNECTIONS = 32;
/**
 * Creating or deleting an index waits for a cluster-state update and shard allocation,
 * which a busy node serializes: seconds each when many arrive at once.
 */
const INDEX_ADMIN_OPTIONS = { requestTimeout: 90_000 };
/** Room for index names in a `DELETE /a,b,c` line, under Elasticsearch's 4,096-byte limit with percent-encoding. */
const DELETE_URL_BYTES = 1_200;

/** py-key-value's mapping, with the limits of `flattened` raised so that any JSON value is accepted: long strings are kept in `_source`, not indexed. */
const FLATTENED = { type: "flattened", ignore_above: 8_191, depth_limit: 1_000 };
/** Where the `flattened` type is missing (OpenSearch-like distributions): the value is kept, not indexed. */
const NOT_INDEXED = { type: "object", enabled: false };

function mapping(value: object) {
  return {
    properties: {
      created_at: { type: "date" },
      expires_at: { type: "date" },
      collection: { type: "keyword" },
      key: { type: "keyword" },
      version: { type: "integer" },
      value: { properties: { flattened: value } },
    },
  } as const;
}

/** Keys ES holds as document ids stay; longer ones become `S_…-<16 hex of SHA-256>`. */
function defaultKeyStrategy(): AcceptOrMapStrategy {
  return new AcceptOrMapStrategy({
    accepts: (key) => Buffer.byteLength(key) <= MAX_ID_BYTES,
    mapper: new HybridSanitizationStrategy({ allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_-.`, hashFragmentMode: "always", hashFragmentLength: 16 }),
  });
}

/**
 * Collections Elasticsearch holds in an index name as they are (lowercase, so that
 * lowercasing cannot merge two) stay, where py-key-value puts them too; the rest become
 * py-key-value's V1 collection form (`S_…-hash`, lowercased in the index name) with a
 * 16-digit hash instead of 8.
 */
function defaultCollectionStrategy(maxLength: number): AcceptOrMapStrategy {
  return new AcceptOrMapStrategy({
    accepts: (collection) =>
      Buffer.byteLength(collection) <= maxLength &&
      collection === collection.toLowerCase() &&
      !INDEX_FORBIDDEN.test(collection) &&
      !LOOKS_MAPPED.test(collection),
    mapper: new HybridSanitizationStrategy({
      maxLength,
      allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_-.`,
      hashFragmentMode: "always",
      hashFragmentLength: 16,
    }),
  });
}

function validPrefix(indexPrefix: unknown): string {
  const prefix = typeof indexPrefix === "string" ? indexPrefix.toLowerCase() : undefined;
  if (prefix === undefined || !PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    // No `-`: `{prefix}-*` then never matches another store's indices (prefix `kv` would own `kv-a-x` of prefix `kv-a`).
    throw new InvalidArgumentError(
      `indexPrefix must be 1-${MAX_PREFIX_LENGTH} letters, digits, "_" or ".", starting with a letter or digit; got ${JSON.stringify(indexPrefix)}`,
    );
  }
  return prefix;
}

interface StoredDocument {
  collection?: string;
  key?: string;
  value?: { flattened?: JsonObject } | null;
  created_at?: string | null;
  expires_at?: string | null;
  version?: number;
}

interface BulkItem {
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

/**
 * A store on Elasticsearch in py-key-value's layout: one index per collection,
 * one document per entry with the value in a `flattened` field.
 */
export class ElasticsearchStore extends BaseStore implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull {
  readonly indexPrefix: string;
  private client: Client | undefined;
  private readonly ownsClient: boolean;
  private readonly options: ElasticsearchStoreOptions;
  private readonly autoCreate: boolean;
  private readonly refresh: boolean | "wait_for";

  constructor(options: ElasticsearchStoreOptions) {
    const indexPrefix = validPrefix(options?.indexPrefix);
    super(options, {
      keySanitizationStrategy: defaultKeyStrategy(),
      collectionSanitizationStrategy: defaultCollectionStrategy(Math.min(200, MAX_INDEX_BYTES - indexPrefix.length - 1)),
      secrets: [options.apiKey],
    });
    if (options.client === undefined && typeof options.url !== "string") {
      throw new InvalidArgumentError("ElasticsearchStore needs a url or a client");
    }
    this.indexPrefix = indexPrefix;
    this.options = options;
    this.client = options.client;
    this.ownsClient = options.client === undefined;
    this.autoCreate = options.autoCreate ?? true;
    this.refresh = options.refresh ?? true;
  }

  /** `{indexPrefix}-{sanitized collection}`, lowercased as py-key-value does. */
  indexName(collection: string): string {
    return `${this.indexPrefix}-${this.sanitizeCollection(collection)}`.toLowerCase();
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.keyPages(this.indexName(collection)));
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.collectionPages());
  }

  /** Deletes the collection's index; true when it held a live entry. */
  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, async (name) => {
      const index = this.indexName(name);
      const client = this.client!;
      const live = await client.count({ index, query: this.liveQuery(), ignore_unavailable: true });
      await client.indices.delete({ index, ignore_unavailable: true }, INDEX_ADMIN_OPTIONS);
      return live.count > 0;
    });
  }

  /** Deletes every `{indexPrefix}-*` index, and nothing else. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      const client = this.client!;
      // Deleting by wildcard is refused (`action.destructive_requires_name`): name the indices, a URL line's worth at a time.
      const names = Object.keys(await client.indices.get({ index: `${this.indexPrefix}-*`, filter_path: "*.settings.index.provided_name" }));
      for (let start = 0; start < names.length; ) {
        let end = start + 1;
        for (let bytes = names[start]!.length; end < names.length && bytes + names[end]!.length + 1 < DELETE_URL_BYTES; end++) bytes += names[end]!.length + 1;
        await client.indices.delete({ index: names.slice(start, end).join(","), ignore_unavailable: true }, INDEX_ADMIN_OPTIONS);
        start = end;
      }
      return true;
    });
  }

  /** Searches expired entries page by page and deletes each page with one `_bulk` (this distribution has no `_delete_by_query`). */
  cull(): Promise<void> {
    return this.runCull(async () => {
      const now = this.nowText();
      for (;;) {
        const { hits } = await this.client!.search({
          index: `${this.indexPrefix}-*`,
          query: { range: { expires_at: { lte: now } } },
          _source: false,
          size: PAGE_SIZE,
          ignore_unavailable: true,
          allow_no_indices: true,
        });
        if (hits.hits.length > 0) {
          // Refreshed whatever the `refresh` option, so that the next page's search no longer finds them.
          await this.bulk(
            hits.hits.map((hit) => ({ delete: { _index: hit._index, _id: hit._id! } })),
            true,
          );
        }
        if (hits.hits.length < PAGE_SIZE) return;
      }
    });
  }

  protected override async setupStore(): Promise<void> {
    this.client ??= new Client({
      node: this.options.url!,
      auth: this.options.apiKey === undefined ? undefined : { apiKey: this.options.apiKey },
      requestTimeout: REQUEST_TIMEOUT_MS,
      maxRetries: 1,
      agent: { connections: MAX_CONNECTIONS },
    });
  }

  protected override async setupCollection(collection: string): Promise<void> {
    const index = this.indexName(collection);
    const client = this.client!;
    if (!this.autoCreate) {
      if (await client.indices.exists({ index })) return;
      throw new StoreSetupError(`ElasticsearchStore: index ${index} does not exist and autoCreate is false; create it or turn autoCreate on`, {
        collection,
      });
    }
    // Creating and accepting "already exists" is one round trip where asking first is two.
    try {
      await client.indices.create({ index, mappings: mapping(FLATTENED) }, INDEX_ADMIN_OPTIONS);
    } catch (error) {
      if (errorType(error) === "resource_already_exists_exception") return;
      if (errorType(error) !== "mapper_parsing_exception" || !/flattened/.test(errorReason(error))) throw error;
      await client.indices.create({ index, mappings: mapping(NOT_INDEXED) }, INDEX_ADMIN_OPTIONS);
    }
  }

  protected override async closeStore(): Promise<void> {
    if (this.ownsClient) await this.client?.close();
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError) {
      return new StoreConnectionError(`ElasticsearchStore cannot reach the server: ${error.message}`, { ...context, cause: error });
    }
    if (error instanceof errors.ResponseError) {
      if (error.statusCode === 413) return new ValueTooLargeError(requestBytes(error), undefined, { ...context, cause: error });
      if (/^(mapper_parsing|document_parsing|strict_dynamic_mapping)_exception$/.test(errorType(error))) {
        return new SerializationError(`Elasticsearch refused the document: ${errorReason(error)}`, { ...context, cause: error });
      }
    }
    return super.classifyError(error, context);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    return (await this.getEntries(collection, [key]))[0];
  }

  /** One `mget`; single reads use it too, so that ids such as `..` never go into a URL path. */
  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const { docs } = await this.client!.mget<StoredDocument>({ index: this.indexName(collection), ids: keys.map((key) => this.sanitizeKey(key)) });
    return docs.map((doc, position) => {
      if (!("found" in doc) || !doc.found || doc._source === undefined) return undefined;
      const { value, ...rest } = doc._source;
      return parseEnvelope({ ...(rest as JsonObject), value: value?.flattened ?? null }, { key: keys[position], collection }).entry;
    });
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    await this.putEntries(collection, [[key, entry]]);
  }

  /** One `_bulk` request for the batch; the first refused document fails the call with a typed error. */
  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const index = this.indexName(collection);
    const operations: object[] = [];
    for (const [key, entry] of entries) {
      operations.push({ index: { _index: index, _id: this.sanitizeKey(key) } }, document(collection, key, entry));
    }
    const items = await this.bulk(operations);
    const failed = items.findIndex((item) => item.error !== undefined);
    if (failed >= 0) throw itemError(items[failed]!, { collection, key: entries[failed]![0] });
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return (await this.deleteEntries(collection, [key])) === 1;
  }

  /** Reads the entries' expiry (`mget`) to count only live ones, then deletes the found ones in one `_bulk`. */
  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const index = this.indexName(collection);
    const { docs } = await this.client!.mget<StoredDocument>({ index, ids: keys.map((key) => this.sanitizeKey(key)), _source_includes: ["expires_at"] });
    const now = this.now();
    const found: { id: string; live: boolean }[] = [];
    for (const doc of docs) {
      if (!("found" in doc) || !doc.found) continue;
      const expiresAt = doc._source?.expires_at;
      found.push({ id: doc._id, live: typeof expiresAt !== "string" || Date.parse(expiresAt) > now });
    }
    if (found.length === 0) return 0;
    const items = await this.bulk(found.map(({ id }) => ({ delete: { _index: index, _id: id } })));
    return items.filter((item, position) => item.result === "deleted" && found[position]!.live).length;
  }

  private async bulk(operations: object[], refresh = this.refresh): Promise<BulkItem[]> {
    const response = await this.client!.bulk({ operations, refresh });
    return response.items.map((item) => Object.values(item)[0] as BulkItem);
  }

  /** Entries without `expires_at`, or expiring after now. */
  private liveQuery() {
    return {
      bool: {
        should: [{ bool: { must_not: { exists: { field: "expires_at" } } } }, { range: { expires_at: { gt: this.nowText() } } }],
        minimum_should_match: 1,
      },
    };
  }

  /** Live keys of one index sorted by `key`, paged with `search_after`. */
  private async *keyPages(index: string): AsyncGenerator<string> {
    let after: (string | number)[] | undefined;
    for (;;) {
      const { hits } = await this.client!.search<StoredDocument>({
        index,
        query: this.liveQuery(),
        sort: [{ key: "asc" }],
        _source: ["key"],
        size: PAGE_SIZE,
        search_after: after,
        ignore_unavailable: true,
      });
      for (const hit of hits.hits) yield hit._source?.key ?? hit._id!;
      if (hits.hits.length < PAGE_SIZE) return;
      after = hits.hits[hits.hits.length - 1]!.sort as (string | number)[];
    }
  }

  /** Indices of the prefix holding a live entry, paged by a composite aggregation on `_index`; the name comes from one of its documents. */
  private async *collectionPages(): AsyncGenerator<string> {
    let after: Record<string, string | number | null> | undefined;
    for (;;) {
      const response = await this.client!.search({
        index: `${this.indexPrefix}-*`,
        query: this.liveQuery(),
        size: 0,
        ignore_unavailable: true,
        allow_no_indices: true,
        aggs: {
          indices: {
            composite: { size: PAGE_SIZE, sources: [{ index: { terms: { field: "_index" } } }], after },
            aggs: { sample: { top_hits: { size: 1, _source: ["collection"] } } },
          },
        },
      });
      const page = response.aggregations?.indices as
        | { after_key?: Record<string, string>; buckets: { key: { index: string }; sample: { hits: { hits: { _source?: StoredDocument }[] } } }[] }
        | undefined;
      if (page === undefined) return;
      for (const bucket of page.buckets) {
        yield bucket.sample.hits.hits[0]?._source?.collection ?? bucket.key.index.slice(this.indexPrefix.length + 1);
      }
      if (page.buckets.length < PAGE_SIZE || page.after_key === undefined) return;
      after = page.after_key;
    }
  }

  private nowText(): string {
    return new Date(this.now()).toISOString();
  }
}

/** py-key-value's document: the envelope's fields, the value under `value.flattened`. */
function document(collection: string, key: string, entry: ManagedEntry): StoredDocument {
  const doc: StoredDocument = { collection, key, value: { flattened: entry.value }, version: 1 };
  if (entry.createdAt !== undefined) doc.created_at = formatTimestamp(entry.createdAt);
  if (entry.expiresAt !== undefined) doc.expires_at = formatTimestamp(entry.expiresAt);
  return doc;
}

function itemError(item: BulkItem, context: KeyValueErrorOptions): KeyValueError {
  const reason = `${item.error?.type ?? "error"}: ${item.error?.reason ?? `status ${item.status}`}`;
  if (item.status === 400) return new SerializationError(`Elasticsearch refused the document: ${reason}`, context);
  return new StoreOperationError(`Elasticsearch failed to write the document: ${reason}`, context);
}

/** The size of the refused request body, as the client sent it. */
function requestBytes(error: errors.ResponseError): number {
  const body = (error.meta.meta.request.params as { body?: unknown }).body;
  return typeof body === "string" || Buffer.isBuffer(body) ? Buffer.byteLength(body) : Number.NaN;
}

function errorType(error: unknown): string {
  return error instanceof errors.ResponseError ? String((error.body as { error?: { type?: unknown } })?.error?.type ?? "") : "";
}

function errorReason(error: unknown): string {
  if (!(error instanceof errors.ResponseError)) return String(error);
  const cause = (error.body as { error?: { reason?: unknown; caused_by?: { reason?: unknown } } })?.error;
  return String(cause?.caused_by?.reason ?? cause?.reason ?? error.message);
}
