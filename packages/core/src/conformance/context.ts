import { randomUUID } from "node:crypto";
import type { AsyncKeyValue, Capability, Closeable, JsonObject } from "../types.js";

/** What the conformance suite needs of a store: the protocol plus `close`. */
export type ConformanceStore = AsyncKeyValue & Pick<Closeable, "close"> & Partial<Pick<Closeable, typeof Symbol.asyncDispose>>;

export interface ConformanceLimits {
  /**
   * The largest entry the backend holds, in bytes of the stored envelope. When
   * set, the suite stores a value just under it and expects `ValueTooLargeError`
   * just over it; when absent, it round-trips a 2 MB value.
   */
  maxEntryBytes?: number;
  /** How far a reported remaining TTL may stray from the expected one, in seconds. Default 2. */
  ttlToleranceSeconds?: number;
}

export interface ConformanceOptions<S extends ConformanceStore = ConformanceStore> {
  /** Shown in the test names, e.g. `"RedisStore (cluster)"`. */
  name: string;
  /** A new store instance over the shared backend: every instance sees the same data. */
  createStore: () => S | Promise<S>;
  /**
   * A store over the same backend that owns other data (another table, prefix or
   * directory). When given, the suite proves that `destroy` leaves its data alone.
   */
  createForeignStore?: () => ConformanceStore | Promise<ConformanceStore>;
  /** The optional capabilities the store declares; the suite checks it has exactly these. */
  capabilities: readonly Capability[];
  /** Whether data outlives a store instance (false for an in-process store). Default true. */
  persistent?: boolean;
  limits?: ConformanceLimits;
  /** Runs before the suite, e.g. to start a server or make a directory. */
  setup?: () => void | Promise<void>;
  /** Runs after the suite. */
  teardown?: () => void | Promise<void>;
  /** Runs of each property-based test. Default 40. */
  propertyRuns?: number;
}

/** Shared by the parts of the suite: the current store and helpers. */
export interface SuiteContext {
  readonly options: ConformanceOptions;
  /** The store made for the current test. */
  store(): ConformanceStore;
  /** Another instance over the same backend, closed after the test. */
  openStore(): Promise<ConformanceStore>;
  /** A collection name no other test uses. */
  collection(label?: string): string;
  has(capability: Capability): boolean;
}

export function uniqueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** What a value looks like after the JSON round trip every backend applies. */
export function roundTripped(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
