import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { DEFAULT_COLLECTION, hasCapability, type AsyncKeyValue, type Closeable, type JsonObject, type TtlResult } from "@kv/core";
import { describeWithPyKeyValue } from "@kv/test-servers";
import { runPyKeyValue, type PyOperation, type PyRead, type PyStore } from "./pykv.js";

export interface InteropOptions {
  name: string;
  /** py-key-value's store with its default options, on the same server, database, table or index as `createStore`. Called inside tests. */
  python(): PyStore;
  /** A @kv store with its default options. Called inside tests. */
  createStore(): AsyncKeyValue & Closeable;
  /** Unusual keys the backend holds as they are: py-key-value writes them unchanged and @kv's default strategy must keep them too. */
  keys: readonly string[];
  /** Unusual collection names of the same kind. */
  collections: readonly string[];
  /** Why @kv, not py-key-value, creates the table or collections the entries go to, if it must. */
  kvCreatesFirst?: string;
}

type Side = "py" | "kv";

/** One write: `put` for a single entry, `putMany`/`put_many` for several; no collection means the default collection. */
interface Write {
  collection?: string;
  ttl?: number;
  entries: [string, JsonObject][];
}

interface Entry {
  collection?: string;
  key: string;
  value: JsonObject;
  ttl?: number;
}

/** Remaining TTL read on the other side may be this much below the one written: a Python process starts in between. */
const TTL_TOLERANCE_S = 30;
/** Over a second: py-key-value's ValkeyStore sends `int(remaining TTL)` as the expiry, and 0 is refused. */
const SHORT_TTL_S = 1.5;

const NESTED: JsonObject = {
  profile: { name: "Alice", tags: ["admin", "ops"], address: { city: "Zürich", zip: "8001" } },
  items: [{ id: 1, done: true }, { id: 2, done: false }],
  active: true,
  nothing: null,
  empty: {},
  none: [],
};
const UNICODE: JsonObject = {
  text: "ünïcödé 日本語 🎉",
  escapes: 'quote" backslash\\ slash/ newline\n tab\t',
  "clé": "välue",
};
const NUMBERS: JsonObject = { int: 10, negative: -42, float: 1.5, small: 1e-7, big: 1e21, zero: 0, maxSafe: Number.MAX_SAFE_INTEGER, mixed: [1, 2.5, -3] };

/** Every write one side makes: the default collection, several collections, with and without TTL, single and batch, the unusual names. */
function writesOf(side: Side, options: InteropOptions): Write[] {
  const users = `${side}_users`;
  return [
    { entries: [[`${side}_default`, NESTED]] },
    { ttl: 3600, entries: [[`${side}_batch_1`, NUMBERS], [`${side}_batch_2`, UNICODE]] },
    { collection: users, ttl: 600, entries: [["alice", UNICODE]] },
    { collection: users, entries: [["bob", NESTED], ["carol", NUMBERS]] },
    { collection: users, entries: [["to-delete", { doomed: true }], ["to-overwrite", { version: 1, by: side }]] },
    { collection: `${side}_names`, entries: options.keys.map((key): [string, JsonObject] => [key, { key }]) },
    ...options.collections.map((collection): Write => ({ collection: `${side}_${collection}`, ttl: 900, entries: [["entry", { collection }]] })),
  ];
}

/** The entry that expires before the last test reads it. */
function expiringWrite(side: Side): Write {
  return { collection: `${side}_users`, ttl: SHORT_TTL_S, entries: [["expiring", { short: true }]] };
}

function entriesOf(writes: readonly Write[]): Entry[] {
  return writes.flatMap(({ collection, ttl, entries }) => entries.map(([key, value]) => ({ collection, key, value, ttl })));
}

function pyWrite({ collection, ttl, entries }: Write): PyOperation {
  return entries.length === 1 ? { op: "put", collection, ttl, key: entries[0]![0], value: entries[0]![1] } : { op: "put_many", collection, ttl, entries };
}

async function kvWrite(store: AsyncKeyValue, { collection, ttl, entries }: Write): Promise<void> {
  if (entries.length === 1) await store.put(entries[0]![0], entries[0]![1], { collection, ttl });
  else await store.putMany(entries, { collection, ttl });
}

/** Groups entries by collection (`undefined` for the default one), in first-seen order. */
function byCollection(entries: readonly Entry[]): [string | undefined, Entry[]][] {
  const groups = new Map<string | undefined, Entry[]>();
  for (const entry of entries) groups.set(entry.collection, [...(groups.get(entry.collection) ?? []), entry]);
  return [...groups];
}

function describeEntry({ collection, key }: Entry): string {
  return `${JSON.stringify(key)} in ${collection === undefined ? "the default collection" : JSON.stringify(collection)}`;
}

/** What is wrong with a read of `entry` on the other side, if anything: its value, or its remaining TTL beyond the tolerance. */
function mismatch(entry: Entry, value: JsonObject | undefined, ttl: number | undefined): string | undefined {
  if (value === undefined) return `${describeEntry(entry)}: not found`;
  try {
    expect(value).toEqual(entry.value);
  } catch {
    return `${describeEntry(entry)}: read ${JSON.stringify(value)}, wrote ${JSON.stringify(entry.value)}`;
  }
  if (entry.ttl === undefined) return ttl === undefined ? undefined : `${describeEntry(entry)}: written without TTL, read with ${ttl} s left`;
  // A side may floor the expiry to whole seconds (DynamoDB's ttl attribute); it never extends it beyond a second.
  if (ttl === undefined || ttl <= entry.ttl - TTL_TOLERANCE_S || ttl > entry.ttl + 1) {
    return `${describeEntry(entry)}: written with TTL ${entry.ttl} s, read with ${String(ttl)} s left`;
  }
  return undefined;
}

function fromPy(read: PyRead): [JsonObject | undefined, number | undefined] {
  return [read.value ?? undefined, read.ttl ?? undefined];
}

function fromKv(read: TtlResult | undefined): [JsonObject | undefined, number | undefined] {
  return [read?.value, read?.ttl];
}

/** py-key-value's reads of `entries`: `get_many` per collection, and `get` for each entry of the default collection. */
function pyReads(entries: readonly Entry[]): { operations: PyOperation[]; check(results: unknown[]): string[] } {
  const groups = byCollection(entries);
  const singles = entries.filter((entry) => entry.collection === undefined);
  const operations: PyOperation[] = [
    ...groups.map(([collection, group]): PyOperation => ({ op: "get_many", collection, keys: group.map(({ key }) => key) })),
    ...singles.map(({ key }): PyOperation => ({ op: "get", key })),
  ];
  return {
    operations,
    check: (results) => {
      const batches = results.slice(0, groups.length) as PyRead[][];
      const problems = groups.flatMap(([, group], index) => group.map((entry, position) => mismatch(entry, ...fromPy(batches[index]![position]!))));
      const single = results.slice(groups.length, groups.length + singles.length) as PyRead[];
      problems.push(...singles.map((entry, index) => mismatch(entry, ...fromPy(single[index]!))));
      return problems.filter((problem): problem is string => problem !== undefined);
    },
  };
}

/** @kv's reads of `entries`: `ttlMany` per collection, and `ttl` for each entry of the default collection. */
async function kvReads(store: AsyncKeyValue, entries: readonly Entry[]): Promise<string[]> {
  const problems: (string | undefined)[] = [];
  for (const [collection, group] of byCollection(entries)) {
    const reads = await store.ttlMany(
      group.map(({ key }) => key),
      { collection },
    );
    problems.push(...group.map((entry, index) => mismatch(entry, ...fromKv(reads[index]))));
  }
  for (const entry of entries.filter(({ collection }) => collection === undefined)) problems.push(mismatch(entry, ...fromKv(await store.ttl(entry.key))));
  return problems.filter((problem): problem is string => problem !== undefined);
}

async function collect(names: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const name of names) all.push(name);
  return all.sort();
}

/** Where @kv enumerates, it lists the keys and collections py-key-value wrote by their original names. */
async function kvEnumerationProblems(store: AsyncKeyValue, writes: readonly Write[]): Promise<string[]> {
  const problems: string[] = [];
  if (hasCapability(store, "keys")) {
    for (const { collection, entries } of writes.filter((write) => write.collection?.endsWith("_names"))) {
      const expected = entries.map(([key]) => key).sort();
      const listed = await collect(store.keys({ collection }));
      if (JSON.stringify(listed) !== JSON.stringify(expected)) problems.push(`keys() of ${collection} listed ${JSON.stringify(listed)}`);
    }
  }
  if (hasCapability(store, "collections")) {
    const listed = new Set(await collect(store.collections()));
    const missing = [...new Set(writes.map(({ collection }) => collection ?? DEFAULT_COLLECTION))].filter((name) => !listed.has(name));
    if (missing.length > 0) problems.push(`collections() left out ${JSON.stringify(missing)}`);
  }
  return problems;
}

const sleepUntil = async (time: number): Promise<void> => {
  const wait = time - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
};

/**
 * The interop scenario for one backend: py-key-value writes and @kv reads, @kv
 * writes and py-key-value reads, then each side deletes, overwrites and lets
 * expire entries the other wrote. Without the py-key-value venv the block is
 * skipped loudly; under CI=true that is a failure.
 */
export function describeInterop(options: InteropOptions): void {
  describeWithPyKeyValue(options.name, () => describeScenario(options));
}

function describeScenario(options: InteropOptions): void {
  const pyWrites = writesOf("py", options);
  const kvWrites = writesOf("kv", options);
  const pyEntries = entriesOf(pyWrites);
  const kvEntries = entriesOf(kvWrites);

  let store: AsyncKeyValue & Closeable;
  /** When the short-lived entries were written, at the latest. */
  const expiringWritten: Record<Side, number> = { py: 0, kv: 0 };

  beforeAll(() => {
    store = options.createStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it(`@kv reads (and lists) the ${pyEntries.length} entries py-key-value wrote: values, TTLs, collections, the default collection, unusual names`, async () => {
    if (options.kvCreatesFirst !== undefined) {
      for (const collection of new Set([...pyWrites, expiringWrite("py")].map((write) => write.collection))) await store.get("-", { collection });
    }
    await runPyKeyValue(options.python(), [...pyWrites, expiringWrite("py")].map(pyWrite));
    expiringWritten.py = Date.now();
    expect([...(await kvReads(store, pyEntries)), ...(await kvEnumerationProblems(store, pyWrites))]).toEqual([]);
  });

  it(`py-key-value reads the ${kvEntries.length} entries @kv wrote: values, TTLs, collections, the default collection, unusual names`, async () => {
    for (const write of kvWrites) await kvWrite(store, write);
    await kvWrite(store, expiringWrite("kv"));
    expiringWritten.kv = Date.now();
    const reads = pyReads(kvEntries);
    expect(reads.check(await runPyKeyValue(options.python(), reads.operations))).toEqual([]);
  });

  it("each side sees the other's deletes and overwrites, and neither returns the other's expired entries", async () => {
    expect(await store.delete("to-delete", { collection: "py_users" })).toBe(true);
    await store.put("to-overwrite", { version: 2, by: "kv" }, { collection: "py_users" });
    await sleepUntil(Math.max(expiringWritten.py, expiringWritten.kv) + SHORT_TTL_S * 1000 + 100);
    expect(await store.get("expiring", { collection: "py_users" })).toBeUndefined();
    expect(await store.ttl("expiring", { collection: "py_users" })).toBeUndefined();

    const results = await runPyKeyValue(options.python(), [
      { op: "get", collection: "py_users", key: "to-delete" },
      { op: "get", collection: "py_users", key: "to-overwrite" },
      { op: "get", collection: "kv_users", key: "expiring" },
      { op: "delete", collection: "kv_users", key: "to-delete" },
      { op: "put", collection: "kv_users", key: "to-overwrite", value: { version: 2, by: "py" } },
    ]);
    expect(results.slice(0, 4)).toEqual([{ value: null, ttl: null }, { value: { version: 2, by: "kv" }, ttl: null }, { value: null, ttl: null }, true]);

    expect(await store.get("to-delete", { collection: "kv_users" })).toBeUndefined();
    expect(await store.get("to-overwrite", { collection: "kv_users" })).toEqual({ version: 2, by: "py" });
  });
}
