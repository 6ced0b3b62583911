import {
  hasCapability,
  InvalidArgumentError,
  InvalidTtlError,
  StoreOperationError,
  type AsyncKeyValue,
  type EnumerateKeys,
  type JsonObject,
} from "@kv/core";
import { BaseStore, type IndexConfig, type Operation, type OperationResults, type SearchItem } from "@langchain/langgraph-checkpoint";
import { MonotonicClock } from "./clock.js";
import { parseRecord, serializeRecord, toItem, type ItemRecord, type ItemVectors, type StoredItem } from "./item-record.js";
import { decodeItemKey, encodeItemKey, itemCollection, namespaceName } from "./names.js";
import { NamespaceIndex, READ_CHUNK } from "./namespace-index.js";
import { isUnderPrefix, listNamespaces } from "./namespace-listing.js";
import { readOperation, type GetStep, type ListStep, type PutStep, type SearchStep, type Step } from "./operations.js";
import { matchesFilter } from "./search-filter.js";
import { fieldTexts, rankByVectors, tokenizeFieldPath } from "./semantic-search.js";

export interface LangGraphTtlConfig {
  /** Seconds an item lives after it is written (and, with `refreshOnRead`, after each `get`). */
  defaultTtl: number;
  /** Whether a `get` that finds an item starts its TTL again. Default `false`. */
  refreshOnRead?: boolean;
}

export interface LangGraphStoreOptions {
  /** The @kv store that holds the items: any store, wrapper or adapter that offers `keys`. */
  store: AsyncKeyValue & EnumerateKeys;
  /** Start of every collection the adapter uses: `{prefix}` for its namespace index, `{prefix}:{labels joined by "."}` per namespace. Default `"langgraph"`. */
  collectionPrefix?: string;
  /** Items expire this long after their last write, as with LangGraph's MongoDB store; absent: never. */
  ttl?: LangGraphTtlConfig;
  /** Semantic search, as LangGraph's `InMemoryStore` takes it: `embeddings`, `dims` and the `fields` to embed (default `["$"]`, the whole value). */
  index?: IndexConfig;
}

/** A namespace's items, read once per batch however many searches cover it. */
type NamespaceReads = Map<string, Promise<StoredItem[]>>;

/**
 * LangGraph's long-term memory (`BaseStore`) over any @kv store: each namespace
 * is a collection, each item an entry. Batches read before they write, as
 * LangGraph's in-memory store does, group their gets into one `getMany` per
 * namespace, and validate every operation before any I/O.
 */
export class LangGraphStore extends BaseStore {
  /** The @kv store the items live in (never closed by the adapter). */
  readonly store: AsyncKeyValue & EnumerateKeys;
  private readonly prefix: string;
  private readonly ttl: LangGraphTtlConfig | undefined;
  private readonly indexConfig: IndexConfig | undefined;
  private readonly indexedFields: [string, string[]][];
  private readonly clock = new MonotonicClock();
  private readonly namespaces: NamespaceIndex;

  constructor(options: LangGraphStoreOptions) {
    super();
    if (!hasCapability(options?.store ?? {}, "keys")) throw new InvalidArgumentError("LangGraphStore needs a @kv store that offers keys()");
    const ttl = options.ttl?.defaultTtl;
    if (options.ttl !== undefined && (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0)) {
      throw new InvalidTtlError(`ttl.defaultTtl must be a finite number of seconds greater than 0, got ${String(ttl)}`);
    }
    const prefix = options.collectionPrefix ?? "langgraph";
    if (typeof prefix !== "string" || prefix === "") throw new InvalidArgumentError("collectionPrefix must be a non-empty string");
    this.store = options.store;
    this.prefix = prefix;
    this.ttl = options.ttl;
    this.indexConfig = options.index;
    this.indexedFields = (options.index?.fields ?? ["$"]).map((path) => [path, tokenizeFieldPath(path)]);
    this.namespaces = new NamespaceIndex(this.store, this.prefix, this.clock, ttl);
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    if (!Array.isArray(operations)) throw new InvalidArgumentError("batch takes an array of operations");
    const steps = operations.map((operation) => readOperation(operation));
    const results: unknown[] = steps.map(() => null);

    const gets = indexed(steps, (step): step is GetStep => step.kind === "get");
    const searches = indexed(steps, (step): step is SearchStep => step.kind === "search");
    const lists = indexed(steps, (step): step is ListStep => step.kind === "list");
    const puts = steps.filter((step): step is PutStep => step.kind === "put");

    await Promise.all([
      this.runGets(gets, results),
      searches.length + lists.length > 0 ? this.runListings(searches, lists, results) : undefined,
    ]);
    if (puts.length > 0) await this.runPuts(puts);
    return results as OperationResults<Op>;
  }

  // ---- Gets --------------------------------------------------------------------------

  /** One `getMany` per namespace; with `refreshOnRead`, one `putMany` per namespace for what was found. */
  private async runGets(gets: readonly [number, GetStep][], results: unknown[]): Promise<void> {
    const byNamespace = groupByNamespace(gets.map(([, step]) => step));
    const found: [string[], StoredItem[]][] = await Promise.all(
      [...byNamespace.values()].map(async ({ namespace, steps }) => {
        const keys = [...new Set(steps.map((step) => step.key))];
        return [namespace, await this.readItems(namespace, keys)] as [string[], StoredItem[]];
      }),
    );
    const items = new Map(found.flatMap(([namespace, stored]) => stored.map((item) => [itemId(namespace, item.key), item] as const)));
    for (const [position, step] of gets) {
      const item = items.get(itemId(step.namespace, step.key));
      results[position] = item === undefined ? null : toItem(item);
    }
    if (this.ttl?.refreshOnRead) await this.refresh(found.filter(([, stored]) => stored.length > 0));
  }

  private async refresh(found: readonly [string[], StoredItem[]][]): Promise<void> {
    if (found.length === 0) return;
    await this.namespaces.touch(found.map(([namespace]) => namespace));
    await Promise.all(
      found.map(([namespace, stored]) =>
        this.store.putMany(
          stored.map((item) => [encodeItemKey(item.key), serializeRecord(item.record)]),
          { collection: itemCollection(this.prefix, namespace), ttl: this.ttl?.defaultTtl },
        ),
      ),
    );
  }

  // ---- Searches and namespace listings -----------------------------------------------

  private async runListings(searches: readonly [number, SearchStep][], lists: readonly [number, ListStep][], results: unknown[]): Promise<void> {
    const namespaces = (await this.namespaces.list()).map(({ namespace }) => namespace);
    for (const [position, step] of lists) results[position] = listNamespaces(namespaces, step);
    const reads: NamespaceReads = new Map();
    const queries = await this.embedQueries(searches.map(([, step]) => step));
    await Promise.all(
      searches.map(async ([position, step]) => {
        results[position] = await this.runSearch(namespaces, step, reads, queries);
      }),
    );
  }

  private async runSearch(namespaces: readonly string[][], step: SearchStep, reads: NamespaceReads, queries: Map<string, number[]>): Promise<SearchItem[]> {
    const covered = namespaces.filter((namespace) => isUnderPrefix(namespace, step.namespacePrefix));
    const candidates = (await Promise.all(covered.map((namespace) => this.readNamespace(namespace, reads))))
      .flat()
      .filter((stored) => matchesFilter(stored.record.value, step.filter));
    const query = step.query ? queries.get(step.query) : undefined;
    if (query !== undefined) {
      return rankByVectors(
        candidates.map((stored) => ({ item: toItem(stored), vectors: stored.record.vectors })),
        query,
        step.offset,
        step.limit,
      );
    }
    return candidates.slice(step.offset, step.offset + step.limit).map((stored) => ({ ...toItem(stored), score: undefined }));
  }

  /** Every item of a namespace, in creation order (the insertion order of LangGraph's in-memory store). */
  private readNamespace(namespace: string[], reads: NamespaceReads): Promise<StoredItem[]> {
    const name = namespaceName(namespace);
    let read = reads.get(name);
    if (read === undefined) {
      read = (async () => {
        const keys: string[] = [];
        for await (const stored of this.store.keys({ collection: itemCollection(this.prefix, namespace) })) {
          const key = decodeItemKey(stored);
          if (key !== undefined) keys.push(key);
        }
        const items: StoredItem[] = [];
        for (let start = 0; start < keys.length; start += READ_CHUNK) items.push(...(await this.readItems(namespace, keys.slice(start, start + READ_CHUNK))));
        return items.sort((a, b) => a.record.createdAt - b.record.createdAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      })();
      reads.set(name, read);
    }
    return read;
  }

  private async embedQueries(searches: readonly SearchStep[]): Promise<Map<string, number[]>> {
    const embeddings = this.indexConfig?.embeddings;
    const texts = [...new Set(searches.flatMap((step) => (step.query ? [step.query] : [])))];
    if (embeddings === undefined || texts.length === 0) return new Map();
    const vectors = await this.embed(() => Promise.all(texts.map((text) => embeddings.embedQuery(text))));
    return new Map(texts.map((text, index) => [text, vectors[index]!]));
  }

  // ---- Puts and deletes --------------------------------------------------------------

  /**
   * The last put of each item wins, applied in the order the item first
   * appears; the namespaces are indexed first, then each namespace is written
   * with one `putMany` and one `deleteMany`.
   */
  private async runPuts(steps: readonly PutStep[]): Promise<void> {
    const latest = new Map<string, PutStep>();
    for (const step of steps) latest.set(itemId(step.namespace, step.key), step);
    const unique = [...latest.values()];
    const vectors = await this.embedValues(unique);
    const byNamespace = groupByNamespace(unique);
    await this.namespaces.touch([...byNamespace.values()].map(({ namespace }) => namespace));
    await Promise.all([...byNamespace.values()].map(({ namespace, steps: writes }) => this.writeNamespace(namespace, writes, vectors)));
  }

  private async writeNamespace(namespace: string[], steps: readonly PutStep[], vectors: Map<PutStep, ItemVectors>): Promise<void> {
    const collection = itemCollection(this.prefix, namespace);
    const writes = steps.filter((step): step is PutStep & { value: JsonObject } => step.value !== null);
    const deletes = steps.filter((step) => step.value === null).map((step) => encodeItemKey(step.key));
    const existing = new Map((await this.readItems(namespace, writes.map((step) => step.key))).map((item) => [item.key, item.record]));
    const entries = writes.map((step): [string, JsonObject] => {
      const now = this.clock.now();
      const previous = existing.get(step.key);
      const record: ItemRecord = {
        value: step.value,
        createdAt: previous?.createdAt ?? now,
        // A whole millisecond later than before at least, so that the `updatedAt` date changes on every write.
        updatedAt: previous === undefined ? now : Math.max(now, previous.updatedAt + 1000),
        vectors: vectors.get(step),
      };
      return [encodeItemKey(step.key), serializeRecord(record)];
    });
    await Promise.all([
      entries.length > 0 ? this.store.putMany(entries, { collection, ttl: this.ttl?.defaultTtl }) : undefined,
      deletes.length > 0 ? this.store.deleteMany(deletes, { collection }) : undefined,
    ]);
  }

  /** The vectors of each put that semantic search indexes, from one `embedDocuments` call over the distinct texts. */
  private async embedValues(steps: readonly PutStep[]): Promise<Map<PutStep, ItemVectors>> {
    const embeddings = this.indexConfig?.embeddings;
    const byStep = new Map<PutStep, [string, string][]>();
    if (embeddings === undefined) return new Map();
    for (const step of steps) {
      if (step.value === null || step.index === false) continue;
      const paths = step.index === undefined ? this.indexedFields : step.index.map((path): [string, string[]] => [path, tokenizeFieldPath(path)]);
      const fields = fieldTexts(step.value, paths);
      if (fields.length > 0) byStep.set(step, fields);
    }
    const texts = [...new Set([...byStep.values()].flatMap((fields) => fields.map(([, text]) => text)))];
    if (texts.length === 0) return new Map();
    const embedded = await this.embed(() => embeddings.embedDocuments(texts));
    const byText = new Map(texts.map((text, index) => [text, embedded[index]!]));
    return new Map([...byStep].map(([step, fields]) => [step, Object.fromEntries(fields.map(([field, text]) => [field, byText.get(text)!]))]));
  }

  private async embed<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StoreOperationError(`the embeddings model failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  // ---- Reading items -----------------------------------------------------------------

  /** The items of `keys` that exist, in one `getMany`. */
  private async readItems(namespace: string[], keys: readonly string[]): Promise<StoredItem[]> {
    if (keys.length === 0) return [];
    const collection = itemCollection(this.prefix, namespace);
    const values = await this.store.getMany(keys.map(encodeItemKey), { collection });
    const items: StoredItem[] = [];
    keys.forEach((key, index) => {
      const value = values[index];
      if (value !== undefined) items.push({ namespace, key, record: parseRecord(value, { key: encodeItemKey(key), collection }) });
    });
    return items;
  }
}

/** An unambiguous name for an item (LangGraph's in-memory store joins with `:`, which lets `["a"], "b:c"` meet `["a","b"], "c"`). */
function itemId(namespace: readonly string[], key: string): string {
  return JSON.stringify([namespace, key]);
}

/** The steps of one kind, with their positions in the batch. */
function indexed<S extends Step>(steps: readonly Step[], accept: (step: Step) => step is S): [number, S][] {
  return steps.flatMap((step, position) => (accept(step) ? [[position, step] as [number, S]] : []));
}

function groupByNamespace<S extends { namespace: string[] }>(steps: readonly S[]): Map<string, { namespace: string[]; steps: S[] }> {
  const groups = new Map<string, { namespace: string[]; steps: S[] }>();
  for (const step of steps) {
    const name = namespaceName(step.namespace);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, { namespace: step.namespace, steps: [step] });
    else group.steps.push(step);
  }
  return groups;
}
