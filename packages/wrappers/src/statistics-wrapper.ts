import type { AsyncKeyValue } from "@kv/core";
import { OperationWrapper, type Operation } from "./operation-wrapper.js";

/** What happened in one collection (or in all of them) since the wrapper was made or last reset. */
export interface CollectionStatistics {
  /** Keys read (by `get`, `getMany`, `ttl`, `ttlMany`) that held a live entry. */
  hits: number;
  /** Keys read that held none. */
  misses: number;
  /** Entries written by `put` and `putMany` (a key repeated in one batch counts once). */
  puts: number;
  /** Live entries removed by `delete` and `deleteMany`. */
  deletes: number;
}

export interface StoreStatistics {
  total: CollectionStatistics;
  /** By collection name, for every collection used so far. */
  collections: Record<string, CollectionStatistics>;
}

const zero = (): CollectionStatistics => ({ hits: 0, misses: 0, puts: 0, deletes: 0 });

/**
 * Counts hits, misses, puts and deletes per collection. Only operations that succeed
 * are counted. Read the counts at any time with `statistics()` (a snapshot).
 */
export class StatisticsWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends OperationWrapper<S> {
  private counts = new Map<string, CollectionStatistics>();

  constructor(inner: S) {
    super(inner);
  }

  /** A copy of the counts so far. */
  statistics(): StoreStatistics {
    const total = zero();
    const collections: Record<string, CollectionStatistics> = {};
    for (const [collection, counts] of this.counts) {
      collections[collection] = { ...counts };
      for (const name of ["hits", "misses", "puts", "deletes"] as const) total[name] += counts[name];
    }
    return { total, collections };
  }

  /** Starts counting from zero. */
  resetStatistics(): void {
    this.counts = new Map();
  }

  protected async around<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    const result = await call();
    switch (operation.name) {
      case "get":
      case "ttl":
        this.countReads(operation, [result]);
        break;
      case "getMany":
      case "ttlMany":
        this.countReads(operation, result as unknown[]);
        break;
      case "put":
      case "putMany":
        if (operation.keys?.length) this.countsFor(operation).puts += new Set(operation.keys).size;
        break;
      case "delete":
        if (result === true) this.countsFor(operation).deletes += 1;
        break;
      case "deleteMany":
        this.countsFor(operation).deletes += result as number;
        break;
    }
    return result;
  }

  protected aroundScan(_operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    return open();
  }

  private countReads(operation: Operation, results: readonly unknown[]): void {
    if (results.length === 0) return;
    const counts = this.countsFor(operation);
    for (const result of results) {
      if (result === undefined) counts.misses += 1;
      else counts.hits += 1;
    }
  }

  private countsFor(operation: Operation): CollectionStatistics {
    const collection = operation.collection ?? this.defaultCollection;
    let counts = this.counts.get(collection);
    if (counts === undefined) {
      counts = zero();
      this.counts.set(collection, counts);
    }
    return counts;
  }
}
