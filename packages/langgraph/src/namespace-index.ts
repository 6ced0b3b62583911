import type { AsyncKeyValue, EnumerateKeys, JsonObject } from "@kv/core";
import { formatMicroseconds, parseMicroseconds, type MonotonicClock } from "./clock.js";
import { namespaceFromName, namespaceName } from "./names.js";

/** Keys per `getMany` when reading a whole collection. */
export const READ_CHUNK = 500;

/**
 * With a TTL, index entries outlive the items written with them by this much:
 * the index entry is written first, and a slow item write must not expire after it.
 */
const INDEX_TTL_MARGIN_SECONDS = 60;

export interface IndexedNamespace {
  namespace: string[];
  /** When the namespace was first written to, in epoch microseconds. */
  createdAt: number;
}

/**
 * The namespaces in use, one @kv entry each (`{namespace, created_at}` under the
 * joined labels) in a collection of the adapter's own. It lets `listNamespaces`
 * and `search` work over stores that cannot enumerate collections (Redis,
 * DynamoDB), and its creation times give namespaces the order of LangGraph's
 * in-memory store. Like that store, a namespace stays listed once written to,
 * even when its items are deleted; with a TTL, its entry expires with them.
 */
export class NamespaceIndex {
  /** Creation times of the namespaces this instance has registered. */
  private readonly registered = new Map<string, number>();

  constructor(
    private readonly store: AsyncKeyValue & EnumerateKeys,
    private readonly collection: string,
    private readonly clock: MonotonicClock,
    private readonly ttl: number | undefined,
  ) {}

  /**
   * Registers namespaces about to be written to, in the order given (which is
   * their order when new). With a TTL every entry is rewritten, so that it
   * lives as long as the items written after it.
   */
  async touch(namespaces: readonly (readonly string[])[]): Promise<void> {
    const names = namespaces.map(namespaceName);
    const unknown = names.filter((name) => !this.registered.has(name));
    const found = await this.store.ttlMany(unknown, { collection: this.collection });
    const createdAt = new Map(names.filter((name) => this.registered.has(name)).map((name) => [name, this.registered.get(name)!]));
    const toWrite = new Set(this.ttl === undefined ? [] : names);
    unknown.forEach((name, index) => {
      const entry = found[index];
      const stored = entry === undefined ? undefined : readCreatedAt(entry.value);
      // A missing entry, an unreadable one, or one that would expire while this adapter writes without a TTL.
      if (stored === undefined || (this.ttl === undefined && entry?.ttl !== undefined)) toWrite.add(name);
      createdAt.set(name, stored ?? this.clock.now());
    });
    if (toWrite.size > 0) {
      const entries = [...toWrite].map((name) => [name, { namespace: namespaceFromName(name), created_at: formatMicroseconds(createdAt.get(name)!) }] as const);
      const ttl = this.ttl === undefined ? undefined : this.ttl + INDEX_TTL_MARGIN_SECONDS;
      await this.store.putMany(entries, { collection: this.collection, ttl });
    }
    // Only once written: a failed write leaves the namespaces to be registered by the next one.
    for (const [name, time] of createdAt) this.registered.set(name, time);
  }

  /** Every indexed namespace, oldest first. */
  async list(): Promise<IndexedNamespace[]> {
    const names: string[] = [];
    for await (const name of this.store.keys({ collection: this.collection })) names.push(name);
    const listed: IndexedNamespace[] = [];
    for (let start = 0; start < names.length; start += READ_CHUNK) {
      const chunk = names.slice(start, start + READ_CHUNK);
      const values = await this.store.getMany(chunk, { collection: this.collection });
      chunk.forEach((name, index) => {
        const value = values[index];
        const createdAt = value === undefined ? undefined : readCreatedAt(value);
        if (createdAt !== undefined) listed.push({ namespace: namespaceFromName(name), createdAt });
      });
    }
    return listed.sort((a, b) => a.createdAt - b.createdAt || compareText(namespaceName(a.namespace), namespaceName(b.namespace)));
  }
}

function readCreatedAt(value: JsonObject): number | undefined {
  return typeof value.created_at === "string" ? parseMicroseconds(value.created_at) : undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
