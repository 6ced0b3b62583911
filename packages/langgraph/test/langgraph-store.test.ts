import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { InvalidArgumentError, InvalidKeyError, InvalidTtlError, SerializationError, StoreClosedError, StoreOperationError, type JsonObject, type PutOptions } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { MemoryStore } from "@kv/memory";
import { SyntheticEmbeddings } from "@langchain/core/utils/testing";
import {
  InMemoryStore,
  InvalidNamespaceError,
  type BaseStore,
  type GetOperation,
  type Operation,
  type PutOperation,
  type SearchOperation,
} from "@langchain/langgraph-checkpoint";
import { LangGraphStore } from "../src/index.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("LangGraphStore items", () => {
  it("returns items shaped like the in-memory store's, with dates", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.put(["users", "alice"], "prefs", { theme: "dark" });
    const item = await store.get(["users", "alice"], "prefs");
    expect(Object.keys(item!)).toEqual(["value", "key", "namespace", "createdAt", "updatedAt"]);
    expect(item).toMatchObject({ value: { theme: "dark" }, key: "prefs", namespace: ["users", "alice"] });
    expect(item!.createdAt).toBeInstanceOf(Date);
    expect(item!.updatedAt.getTime()).toBe(item!.createdAt.getTime());
    expect(await store.get(["users", "alice"], "other")).toBeNull();
  });

  it("keeps createdAt through updates and changes updatedAt on every update, across instances", async () => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    await store.put(["docs"], "a", { version: 1 });
    const created = (await store.get(["docs"], "a"))!;
    const updates: number[] = [created.updatedAt.getTime()];
    for (let version = 2; version <= 5; version++) {
      // A new adapter each time: the times come from the stored item, not from memory.
      const writer = new LangGraphStore({ store: kv });
      await writer.put(["docs"], "a", { version });
      const item = (await writer.get(["docs"], "a"))!;
      expect(item.value).toEqual({ version });
      expect(item.createdAt).toEqual(created.createdAt);
      updates.push(item.updatedAt.getTime());
    }
    for (let index = 1; index < updates.length; index++) expect(updates[index]).toBeGreaterThan(updates[index - 1]!);
  });

  it("starts createdAt again when an item is deleted and put back, as it moves to the end of the insertion order", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.put(["docs"], "a", { n: 1 });
    await store.put(["docs"], "b", { n: 2 });
    await store.delete(["docs"], "a");
    await store.put(["docs"], "a", { n: 3 });
    expect((await store.search(["docs"])).map((item) => item.key)).toEqual(["b", "a"]);
  });

  it("takes any item key, the empty one and `~…` included, without clashes", async () => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    const keys = ["", "~", "~~", "~x", "x", "a.b", "a:b", "😀", " "];
    for (const [index, key] of keys.entries()) await store.put(["k"], key, { index });
    for (const [index, key] of keys.entries()) expect((await store.get(["k"], key))?.value).toEqual({ index });
    expect((await store.search(["k"], { limit: 20 })).map((item) => item.key)).toEqual(keys);
    expect(new Set(await collect(kv.keys({ collection: "langgraph:k" })))).toEqual(new Set(["~", "~~", "~~~", "~~x", "x", "a.b", "a:b", "😀", " "]));
  });

  it("answers every read of a batch from the state before the batch's writes", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.put(["docs"], "a", { n: 1 });
    const operations: [GetOperation, PutOperation, SearchOperation] = [
      { namespace: ["docs"], key: "a" },
      { namespace: ["docs"], key: "a", value: { n: 2 } },
      { namespacePrefix: ["docs"] },
    ];
    const [before, , search] = await store.batch(operations);
    expect(before?.value).toEqual({ n: 1 });
    expect(search?.map((item) => item.value)).toEqual([{ n: 1 }]);
    expect((await store.get(["docs"], "a"))?.value).toEqual({ n: 2 });
  });

  it("keeps two puts of one batch apart whose namespace and key join to the same text", async () => {
    // InMemoryStore deduplicates a batch's puts by `namespace.join(":") + ":" + key`, which merges these two.
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.batch([
      { namespace: ["a"], key: "b:c", value: { n: 1 } },
      { namespace: ["a", "b"], key: "c", value: { n: 2 } },
    ]);
    expect((await store.get(["a"], "b:c"))?.value).toEqual({ n: 1 });
    expect((await store.get(["a", "b"], "c"))?.value).toEqual({ n: 2 });
  });

  it("lets the last put of an item in a batch win", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.batch([
      { namespace: ["docs"], key: "a", value: { n: 1 } },
      { namespace: ["docs"], key: "a", value: null },
      { namespace: ["docs"], key: "a", value: { n: 3 } },
    ]);
    expect((await store.get(["docs"], "a"))?.value).toEqual({ n: 3 });
  });
});

describe("LangGraphStore layout", () => {
  it("puts each namespace in a collection of its own and indexes the namespaces in another", async () => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    await store.put(["users", "alice"], "prefs", { theme: "dark" });
    await store.put(["users"], "count", { n: 1 });
    expect(new Set(await collect(kv.collections()))).toEqual(new Set(["langgraph", "langgraph:users.alice", "langgraph:users"]));
    expect(await kv.get("users.alice", { collection: "langgraph" })).toMatchObject({ namespace: ["users", "alice"] });
    expect(await kv.get("prefs", { collection: "langgraph:users.alice" })).toMatchObject({ value: { theme: "dark" } });
  });

  it("keeps stores with different collection prefixes apart", async () => {
    const kv = new MemoryStore();
    const first = new LangGraphStore({ store: kv, collectionPrefix: "app1" });
    const second = new LangGraphStore({ store: kv, collectionPrefix: "app2" });
    await first.put(["users"], "a", { n: 1 });
    expect(await second.get(["users"], "a")).toBeNull();
    expect(await second.listNamespaces()).toEqual([]);
    expect(await first.listNamespaces()).toEqual([["users"]]);
  });

  it("finds what another instance wrote, in the same order", async () => {
    const kv = new MemoryStore();
    const writer = new LangGraphStore({ store: kv });
    const reference = new InMemoryStore();
    for (const store of [writer, reference] as BaseStore[]) {
      await store.put(["b"], "x", { n: 1 });
      await store.put(["a"], "y", { n: 2 });
      await store.put(["b"], "w", { n: 3 });
      await store.put(["a", "c"], "z", { n: 4 });
    }
    const reader = new LangGraphStore({ store: kv });
    const strip = (items: { key: string; namespace: string[] }[]) => items.map(({ key, namespace }) => [namespace, key]);
    expect(strip(await reader.search([]))).toEqual(strip(await reference.search([])));
    expect(await reader.listNamespaces()).toEqual(await reference.listNamespaces());
  });

  it("ignores entries of its collections that no item maps to", async () => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    await store.put(["docs"], "a", { n: 1 });
    await kv.put("~meta", { other: true }, { collection: "langgraph:docs" });
    expect((await store.search(["docs"])).map((item) => item.key)).toEqual(["a"]);
  });

  it("holds long labels and many levels over DiskStore", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kv-langgraph-"));
    try {
      const store = new LangGraphStore({ store: new DiskStore({ directory }) });
      const namespace = ["x".repeat(300), "ü".repeat(300), "3", "4", "5", "6"];
      await store.put(namespace, "k".repeat(500), { deep: true });
      expect((await store.get(namespace, "k".repeat(500)))?.value).toEqual({ deep: true });
      expect(await store.listNamespaces({ suffix: ["6"] })).toEqual([namespace]);
      await (store.store as DiskStore).close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("LangGraphStore validation", () => {
  const invalidNamespaces = [[], [""], ["a.b"], ["a:b"], ["a\0b"], ["ok", ""]];

  it.each(invalidNamespaces.map((namespace) => ({ shown: JSON.stringify(namespace), namespace })))("refuses namespace $shown as InMemoryStore does", async ({ namespace }) => {
    const reference = await failure(new InMemoryStore().batch([{ namespace, key: "k" }]));
    const error = await failure(new LangGraphStore({ store: new MemoryStore() }).batch([{ namespace, key: "k" }]));
    expect(reference).toBeInstanceOf(InvalidNamespaceError);
    expect(error).toBeInstanceOf(InvalidNamespaceError);
    expect(error.message).toBe(reference.message);
  });

  it("refuses the reserved root label in put, not in batch, as InMemoryStore does", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await expect(store.put(["langgraph", "x"], "k", {})).rejects.toBeInstanceOf(InvalidNamespaceError);
    await store.batch([{ namespace: ["langgraph", "x"], key: "k", value: { n: 1 } }]);
    expect((await store.get(["langgraph", "x"], "k"))?.value).toEqual({ n: 1 });
  });

  it("refuses a label or key that does not encode as UTF-8", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await expect(store.put(["a\uD800"], "k", {})).rejects.toBeInstanceOf(InvalidNamespaceError);
    await expect(store.put(["a"], "k\uDC00", {})).rejects.toBeInstanceOf(InvalidKeyError);
  });

  const badOperations: [string, Operation, new (...args: never[]) => Error][] = [
    ["a value that is not JSON", { namespace: ["a"], key: "k", value: { when: new Date() } }, SerializationError],
    ["an undefined property", { namespace: ["a"], key: "k", value: { gone: undefined } }, SerializationError],
    ["a key that is not a string", { namespace: ["a"], key: 7 as unknown as string }, InvalidKeyError],
    ["an index that is not a list of paths", { namespace: ["a"], key: "k", value: {}, index: "text" as unknown as string[] }, InvalidArgumentError],
    ["a negative search limit", { namespacePrefix: ["a"], limit: -1 }, InvalidArgumentError],
    ["a fractional search offset", { namespacePrefix: ["a"], offset: 1.5 }, InvalidArgumentError],
    ["a filter that is not an object", { namespacePrefix: ["a"], filter: "x" as unknown as JsonObject }, InvalidArgumentError],
    ["a maxDepth of 0", { matchConditions: [], maxDepth: 0, limit: 10, offset: 0 }, InvalidArgumentError],
    ["an unknown match type", { matchConditions: [{ matchType: "infix" as "prefix", path: ["a"] }], limit: 10, offset: 0 }, InvalidArgumentError],
    ["an operation of no known kind", { nothing: true } as unknown as Operation, InvalidArgumentError],
  ];

  it.each(badOperations)("refuses %s before writing anything", async (_, operation, type) => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    await expect(store.batch([{ namespace: ["a"], key: "first", value: { n: 1 } }, operation])).rejects.toBeInstanceOf(type);
    expect(await collect(kv.collections())).toEqual([]);
  });

  it("refuses a store without keys() and a TTL that is not a positive number of seconds", () => {
    const kv = new MemoryStore();
    const withoutKeys = { get: kv.get.bind(kv) } as unknown as MemoryStore;
    expect(() => new LangGraphStore({ store: withoutKeys })).toThrow(InvalidArgumentError);
    for (const defaultTtl of [0, -1, Number.NaN, Infinity]) {
      expect(() => new LangGraphStore({ store: kv, ttl: { defaultTtl } })).toThrow(InvalidTtlError);
    }
  });

  it("refuses an empty collection prefix", () => {
    expect(() => new LangGraphStore({ store: new MemoryStore(), collectionPrefix: "" })).toThrow(InvalidArgumentError);
  });

  it("registers a namespace again after its first registration failed", async () => {
    class FlakyIndex extends MemoryStore {
      failures = 1;
      override putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
        if (options?.collection === "langgraph" && this.failures-- > 0) return Promise.reject(new StoreOperationError("index write failed"));
        return super.putMany(entries, options);
      }
    }
    const store = new LangGraphStore({ store: new FlakyIndex() });
    await expect(store.put(["docs"], "a", { n: 1 })).rejects.toBeInstanceOf(StoreOperationError);
    await store.put(["docs"], "a", { n: 1 });
    expect(await store.listNamespaces()).toEqual([["docs"]]);
    expect((await store.search(["docs"])).map((item) => item.key)).toEqual(["a"]);
  });

  it("passes the @kv store's typed errors on", async () => {
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv });
    await kv.close();
    await expect(store.get(["a"], "k")).rejects.toBeInstanceOf(StoreClosedError);
  });
});

describe("LangGraphStore semantic search", () => {
  const embeddings = new SyntheticEmbeddings({ vectorSize: 4 });

  it("ranks by the fields it is told to embed, and leaves items it did not embed unscored", async () => {
    const store = new LangGraphStore({ store: new MemoryStore(), index: { dims: 4, embeddings, fields: ["text"] } });
    const reference = new InMemoryStore({ index: { dims: 4, embeddings, fields: ["text"] } });
    for (const target of [store, reference] as BaseStore[]) {
      await target.put(["docs"], "cat", { text: "the cat sat" });
      await target.put(["docs"], "dog", { text: "dogs bark loudly" });
      await target.put(["docs"], "none", { other: "no text field" });
      await target.put(["docs"], "skipped", { text: "the cat sat" }, false);
    }
    const strip = (items: { key: string; score?: number }[]) => items.map(({ key, score }) => [key, score]);
    const ranked = await store.search(["docs"], { query: "cat sat" });
    expect(strip(ranked)).toEqual(strip(await reference.search(["docs"], { query: "cat sat" })));
    expect(ranked.map((item) => item.key)).toEqual(["cat", "dog", "none", "skipped"]);
    expect(ranked[2]!.score).toBeUndefined();
  });

  it("embeds every text of a path that names many, each under its own field", async () => {
    const store = new LangGraphStore({ store: new MemoryStore(), index: { dims: 4, embeddings, fields: ["chapters[*].text", "{title,meta.tag}"] } });
    await store.put(["books"], "b", { title: "blue sky", meta: { tag: "red apple" }, chapters: [{ text: "cat" }, { text: "dog" }] });
    const record = await store.store.get("b", { collection: "langgraph:books" });
    expect(Object.keys(record!.vectors as object).sort()).toEqual(["chapters[*].text.0", "chapters[*].text.1", "{title,meta.tag}.0", "{title,meta.tag}.1"]);
  });

  it("replaces an item's vectors when it is written again (InMemoryStore keeps the old ones)", async () => {
    const store = new LangGraphStore({ store: new MemoryStore(), index: { dims: 4, embeddings } });
    await store.put(["docs"], "a", { text: "the cat sat" });
    await store.put(["docs"], "a", { text: "the cat sat" }, false);
    expect((await store.search(["docs"], { query: "the cat sat" }))[0]!.score).toBeUndefined();
  });

  it("ignores the query without an index configuration, as InMemoryStore does", async () => {
    const store = new LangGraphStore({ store: new MemoryStore() });
    await store.put(["docs"], "a", { text: "the cat sat" });
    expect((await store.search(["docs"], { query: "cat" })).map((item) => item.score)).toEqual([undefined]);
  });

  it("wraps a failing embeddings model", async () => {
    const failing = new SyntheticEmbeddings();
    failing.embedDocuments = () => Promise.reject(new Error("model unavailable"));
    const store = new LangGraphStore({ store: new MemoryStore(), index: { dims: 4, embeddings: failing } });
    const error = await failure(store.put(["docs"], "a", { text: "x" }));
    expect(error).toBeInstanceOf(StoreOperationError);
    expect(error.message).toContain("model unavailable");
  });
});

describe("LangGraphStore TTL", () => {
  const start = Date.UTC(2026, 0, 1);

  afterEach(() => {
    jest.useRealTimers();
  });

  function at(milliseconds: number): void {
    jest.setSystemTime(start + milliseconds);
  }

  function useClock(): void {
    jest.useFakeTimers({ now: start, doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
  }

  it("expires items defaultTtl seconds after their last write", async () => {
    useClock();
    const kv = new MemoryStore();
    const store = new LangGraphStore({ store: kv, ttl: { defaultTtl: 60 } });
    await store.put(["docs"], "a", { n: 1 });
    expect((await kv.ttl("a", { collection: "langgraph:docs" }))?.ttl).toBe(60);
    at(50_000);
    await store.put(["docs"], "a", { n: 2 });
    at(100_000);
    expect((await store.get(["docs"], "a"))?.value).toEqual({ n: 2 });
    at(110_000);
    expect(await store.get(["docs"], "a")).toBeNull();
    expect(await store.search(["docs"])).toEqual([]);
  });

  it("starts the TTL again on each get with refreshOnRead, and not without", async () => {
    useClock();
    const kv = new MemoryStore();
    const refreshing = new LangGraphStore({ store: kv, collectionPrefix: "refreshing", ttl: { defaultTtl: 60, refreshOnRead: true } });
    const plain = new LangGraphStore({ store: kv, collectionPrefix: "plain", ttl: { defaultTtl: 60 } });
    for (const store of [refreshing, plain]) await store.put(["docs"], "a", { n: 1 });
    for (const time of [40_000, 80_000]) {
      at(time);
      expect(await refreshing.get(["docs"], "a")).not.toBeNull();
      await plain.get(["docs"], "a");
    }
    at(130_000);
    expect(await plain.get(["docs"], "a")).toBeNull();
    const kept = await refreshing.get(["docs"], "a");
    expect(kept?.value).toEqual({ n: 1 });
    expect(kept?.updatedAt.getTime()).toBe(start);
  });

  it("lists a namespace until a minute after its items expire, then forgets it", async () => {
    useClock();
    const store = new LangGraphStore({ store: new MemoryStore(), ttl: { defaultTtl: 60 } });
    await store.put(["docs"], "a", { n: 1 });
    at(61_000);
    expect(await store.search(["docs"])).toEqual([]);
    expect(await store.listNamespaces()).toEqual([["docs"]]);
    at(121_000);
    expect(await store.listNamespaces()).toEqual([]);
  });

  it("keeps a namespace indexed without expiry once an adapter without a TTL writes to it", async () => {
    useClock();
    const kv = new MemoryStore();
    await new LangGraphStore({ store: kv, ttl: { defaultTtl: 60 } }).put(["docs"], "a", { n: 1 });
    await new LangGraphStore({ store: kv }).put(["docs"], "b", { n: 2 });
    at(200_000);
    const store = new LangGraphStore({ store: kv });
    expect(await store.listNamespaces()).toEqual([["docs"]]);
    expect((await store.search(["docs"])).map((item) => item.key)).toEqual(["b"]);
  });
});
