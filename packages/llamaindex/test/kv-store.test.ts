import { runInNewContext } from "node:vm";
import { describe, expect, it } from "@jest/globals";
import {
  InvalidArgumentError,
  InvalidKeyError,
  NullStore,
  SerializationError,
  type AsyncKeyValue,
  type EnumerateKeys,
  type JsonObject,
  type KeysOptions,
  type KeyValueOptions,
  type PutOptions,
} from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { IndexDict, jsonToIndexStruct } from "@llamaindex/core/data-structs";
import { Document, NodeRelationship, TextNode } from "@llamaindex/core/schema";
import { KVDocumentStore } from "@llamaindex/core/storage/doc-store";
import { KVIndexStore } from "@llamaindex/core/storage/index-store";
import { BaseKVStore, SimpleKVStore } from "@llamaindex/core/storage/kv-store";
import { DEFAULT_BATCH_SIZE, KeyValueKVStore } from "../src/index.js";
import { omitUndefinedProperties } from "../src/stored-value.js";

/** A MemoryStore that records the calls made to it, to check how the adapter batches. */
class RecordingStore implements AsyncKeyValue, EnumerateKeys {
  readonly calls: string[] = [];
  readonly batches: number[] = [];

  constructor(readonly inner = new MemoryStore()) {}

  get(key: string, options?: KeyValueOptions) {
    this.calls.push("get");
    return this.inner.get(key, options);
  }
  getMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push("getMany");
    this.batches.push(keys.length);
    return this.inner.getMany(keys, options);
  }
  ttl(key: string, options?: KeyValueOptions) {
    this.calls.push("ttl");
    return this.inner.ttl(key, options);
  }
  ttlMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push("ttlMany");
    return this.inner.ttlMany(keys, options);
  }
  put(key: string, value: JsonObject, options?: PutOptions) {
    this.calls.push("put");
    return this.inner.put(key, value, options);
  }
  putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions) {
    this.calls.push("putMany");
    this.batches.push(entries.length);
    return this.inner.putMany(entries, options);
  }
  delete(key: string, options?: KeyValueOptions) {
    this.calls.push("delete");
    return this.inner.delete(key, options);
  }
  deleteMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push("deleteMany");
    return this.inner.deleteMany(keys, options);
  }
  keys(options?: KeysOptions) {
    this.calls.push("keys");
    return this.inner.keys(options);
  }
}

/** A MemoryStore whose clock the test sets. */
class ClockedMemoryStore extends MemoryStore {
  time = Date.UTC(2026, 0, 1);
  protected override now(): number {
    return this.time;
  }
}

const pairs = (count: number, collection = "c"): [string, JsonObject][] =>
  Array.from({ length: count }, (_, index) => [`key-${index}`, { index, collection }]);

describe("KeyValueKVStore, like SimpleKVStore", () => {
  it("is a LlamaIndex BaseKVStore", () => {
    expect(new KeyValueKVStore(new MemoryStore())).toBeInstanceOf(BaseKVStore);
  });

  it('uses LlamaIndex\'s default collection, "data"', async () => {
    const memory = new MemoryStore();
    const kv = new KeyValueKVStore(memory);
    await kv.put("k", { v: 1 });
    expect(await memory.get("k", { collection: "data" })).toEqual({ v: 1 });
    expect(await kv.get("k", "data")).toEqual({ v: 1 });
    expect(await kv.getAll()).toEqual({ k: { v: 1 } });
    expect(await kv.delete("k")).toBe(true);
    expect(await memory.get("k", { collection: "data" })).toBeUndefined();
  });

  it("reads a missing key as null, a missing collection as {}, and deletes report whether a key was there", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    expect(await kv.get("nothing")).toBeNull();
    expect(await kv.get("nothing", "no-such-collection")).toBeNull();
    expect(await kv.getAll("no-such-collection")).toEqual({});
    await kv.put("k", { v: 1 }, "c");
    expect(await kv.delete("k", "c")).toBe(true);
    expect(await kv.delete("k", "c")).toBe(false);
    // SimpleKVStore throws a TypeError here (it reads `key in undefined`); a missing collection simply holds nothing.
    expect(await kv.delete("k", "never-written")).toBe(false);
  });

  it("stores and returns copies, as SimpleKVStore's structuredClone does", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    const value = { nested: { list: [1, 2] } };
    await kv.put("k", value);
    value.nested.list.push(3);
    const first = (await kv.get("k"))!;
    expect(first).toEqual({ nested: { list: [1, 2] } });
    (first.nested as { list: number[] }).list.push(4);
    const all = await kv.getAll();
    expect(all).toEqual({ k: { nested: { list: [1, 2] } } });
    all.k!.extra = true;
    expect(await kv.get("k")).toEqual({ nested: { list: [1, 2] } });
  });

  it("treats names that are Object.prototype properties as ordinary keys and collections", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(await kv.get(name)).toBeNull();
      await kv.put(name, { name }, name);
      await kv.put(name, { name });
      expect(await kv.get(name, name)).toEqual({ name });
    }
    const all = await kv.getAll();
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(Object.keys(all).sort()).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString"]);
    expect(Object.getOwnPropertyDescriptor(all, "__proto__")?.value).toEqual({ name: "__proto__" });
  });

  it("leaves out properties set to undefined, as LlamaIndex's JSON persistence does", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    await kv.put("k", { a: 1, summary: undefined, nested: { b: undefined, c: [{ d: undefined, e: 2 }] } });
    expect(await kv.get("k")).toStrictEqual({ a: 1, nested: { c: [{ e: 2 }] } });
  });

  it("stores plain objects of another realm, such as structuredClone's answers in a vm context", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    await kv.put("k", runInNewContext("({ nested: { list: [{ a: 1 }] } })") as JsonObject);
    expect(await kv.get("k")).toEqual({ nested: { list: [{ a: 1 }] } });
  });

  it("refuses what JSON cannot hold with SerializationError, writing nothing", async () => {
    const memory = new MemoryStore();
    const kv = new KeyValueKVStore(memory);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const refused: unknown[] = [
      null,
      [1],
      { when: new Date(0) },
      { n: Number.NaN },
      { list: [undefined] },
      { map: new Map() },
      cyclic,
      { [Symbol("s")]: 1, a: 1 },
    ];
    for (const value of refused) await expect(kv.put("k", value as JsonObject)).rejects.toThrow(SerializationError);
    expect(await kv.getAll()).toEqual({});
  });

  it("refuses bad keys and collections with InvalidKeyError", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    await expect(kv.put("", { v: 1 })).rejects.toThrow(InvalidKeyError);
    await expect(kv.get("k", "")).rejects.toThrow(InvalidKeyError);
    await expect(kv.getAll("")).rejects.toThrow(InvalidKeyError);
    await expect(kv.delete("\uD800")).rejects.toThrow(InvalidKeyError);
  });

  it("refuses a batchSize that is not a whole number ≥ 1", async () => {
    for (const batchSize of [0, -1, 1.5, Number.NaN, Infinity, "10"]) {
      expect(() => new KeyValueKVStore(new MemoryStore(), { batchSize: batchSize as number })).toThrow(InvalidArgumentError);
      await expect(new KeyValueKVStore(new MemoryStore()).putAll([["k", {}]], { batchSize: batchSize as number })).rejects.toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe("KeyValueKVStore.putAll", () => {
  it(`writes with putMany, ${DEFAULT_BATCH_SIZE} pairs per call by default`, async () => {
    const recording = new RecordingStore();
    const kv = new KeyValueKVStore(recording);
    await kv.putAll(pairs(250), { collection: "c" });
    expect(recording.calls).toEqual(["putMany", "putMany", "putMany"]);
    expect(recording.batches).toEqual([100, 100, 50]);
    expect(Object.keys(await kv.getAll("c"))).toHaveLength(250);
  });

  it("takes batchSize per call or per store, and LlamaIndex's default collection", async () => {
    const recording = new RecordingStore();
    const kv = new KeyValueKVStore(recording, { batchSize: 4 });
    await kv.putAll(pairs(10));
    await kv.putAll(pairs(10), { batchSize: 3 });
    expect(recording.batches).toEqual([4, 4, 2, 3, 3, 3, 1]);
    expect(await kv.get("key-9")).toEqual({ index: 9, collection: "c" });
  });

  it("keeps the last value of a key given twice, across batches too", async () => {
    const kv = new KeyValueKVStore(new MemoryStore(), { batchSize: 2 });
    await kv.putAll([
      ["a", { v: 1 }],
      ["a", { v: 2 }],
      ["b", { v: 1 }],
      ["a", { v: 3 }],
    ]);
    expect(await kv.getAll()).toEqual({ a: { v: 3 }, b: { v: 1 } });
  });

  it("makes no call for no pairs", async () => {
    const recording = new RecordingStore();
    await new KeyValueKVStore(recording).putAll([]);
    expect(recording.calls).toEqual([]);
  });

  it("validates every pair before the first batch, so bad input in a later batch writes nothing", async () => {
    const recording = new RecordingStore();
    const kv = new KeyValueKVStore(recording, { batchSize: 2 });
    const bad: [unknown, Error["constructor"]][] = [
      [[...pairs(5), ["late", { when: new Date(0) }]], SerializationError],
      [[...pairs(5), ["late", null]], SerializationError],
      [[...pairs(5), ["", {}]], InvalidKeyError],
      [[...pairs(5), [42, {}]], InvalidKeyError],
      [[...pairs(5), ["\uDC00", {}]], InvalidKeyError],
      [[...pairs(5), ["k"]], InvalidArgumentError],
      [[...pairs(5), "k"], InvalidArgumentError],
      ["not an array", InvalidArgumentError],
    ];
    for (const [input, type] of bad) {
      await expect(kv.putAll(input as [string, JsonObject][])).rejects.toThrow(type);
    }
    await expect(kv.putAll(pairs(5), { collection: "" })).rejects.toThrow(InvalidKeyError);
    expect(recording.calls.filter((call) => call !== "putMany")).toEqual([]);
    expect(await recording.inner.getMany(["key-0"], { collection: "data" })).toEqual([undefined]);
  });

  it("leaves out properties set to undefined", async () => {
    const kv = new KeyValueKVStore(new MemoryStore());
    await kv.putAll([["k", { a: 1, b: undefined }]]);
    expect(await kv.get("k")).toStrictEqual({ a: 1 });
  });
});

describe("KeyValueKVStore.getAll and entries", () => {
  it("read through keys and one getMany per batchSize keys", async () => {
    const recording = new RecordingStore();
    const kv = new KeyValueKVStore(recording, { batchSize: 7 });
    await recording.inner.putMany(pairs(20), { collection: "c" });
    const all = await kv.getAll("c");
    expect(all).toEqual(Object.fromEntries(pairs(20)));
    expect(recording.calls).toEqual(["keys", "getMany", "getMany", "getMany"]);
    expect(recording.batches).toEqual([7, 7, 6]);
  });

  it("read a key listed twice once, within a batch and across batches (SCAN may list a key again)", async () => {
    const recording = new RecordingStore();
    await recording.inner.putMany(pairs(5), { collection: "c" });
    const listed = ["key-0", "key-1", "key-0", "key-2", "key-1", "key-3", "key-4", "key-4"];
    recording.keys = async function* () {
      yield* listed;
    };
    const kv = new KeyValueKVStore(recording, { batchSize: 3 });
    const entries: [string, JsonObject][] = [];
    for await (const entry of kv.entries("c")) entries.push(entry);
    expect(entries).toEqual(pairs(5));
    expect(recording.batches).toEqual([2, 2, 1]);
  });

  it("stream entries page by page", async () => {
    const kv = new KeyValueKVStore(new MemoryStore(), { batchSize: 3 });
    await kv.putAll(pairs(8, "s"), { collection: "s" });
    const seen: string[] = [];
    for await (const [key, value] of kv.entries("s")) {
      expect(value).toEqual({ index: Number(key.slice(4)), collection: "s" });
      seen.push(key);
    }
    expect(seen.sort()).toEqual(pairs(8).map(([key]) => key).sort());
  });

  it("end on a bounded MemoryStore, whose reads reorder the keys it is enumerating", async () => {
    const kv = new KeyValueKVStore(new MemoryStore({ maxEntriesPerCollection: 1_000 }), { batchSize: 10 });
    await kv.putAll(pairs(95), { collection: "c" });
    expect(Object.keys(await kv.getAll("c"))).toHaveLength(95);
  });

  it("leave out expired entries", async () => {
    const clocked = new ClockedMemoryStore();
    const kv = new KeyValueKVStore(clocked);
    await clocked.put("short", { v: 1 }, { collection: "data", ttl: 10 });
    await kv.put("long", { v: 2 });
    expect(await kv.getAll()).toEqual({ short: { v: 1 }, long: { v: 2 } });
    clocked.time += 11_000;
    expect(await kv.getAll()).toEqual({ long: { v: 2 } });
    expect(await kv.get("short")).toBeNull();
    expect(await kv.delete("short")).toBe(false);
  });

  it("need the keys capability: InvalidArgumentError otherwise, while put, get and delete still work", async () => {
    const kv = new KeyValueKVStore(new NullStore());
    await expect(kv.getAll()).rejects.toThrow(InvalidArgumentError);
    await expect(kv.getAll()).rejects.toThrow("getAll and entries need a store that enumerates keys (the keys capability), which NullStore does not");
    await expect(kv.entries().next()).rejects.toThrow(InvalidArgumentError);
    await kv.put("k", { v: 1 });
    expect(await kv.get("k")).toBeNull();
    expect(await kv.delete("k")).toBe(false);
  });
});

describe("LlamaIndex's own stores over KeyValueKVStore", () => {
  /** The same calls on a document store over SimpleKVStore and over KeyValueKVStore, compared. */
  async function documentStoreRun(kv: BaseKVStore) {
    const docs = new KVDocumentStore(kv, "docstore");
    const source = new Document({ text: "a source document", id_: "source", metadata: { author: "Ada" } });
    const nodes = ["one", "two", "three"].map(
      (text) => new TextNode({ text, id_: `node-${text}`, relationships: { [NodeRelationship.SOURCE]: source.asRelatedNodeInfo() } }),
    );
    await docs.addDocuments([source, ...nodes], true);
    const before = {
      all: Object.fromEntries(Object.entries(await docs.docs()).map(([id, doc]) => [id, doc.toJSON()])),
      node: (await docs.getDocument("node-two"))?.toJSON(),
      refDoc: await docs.getRefDocInfo("source"),
      allRefDocs: await docs.getAllRefDocInfo(),
      hashes: await docs.getAllDocumentHashes(),
      exists: [await docs.documentExists("node-one"), await docs.documentExists("missing")],
    };
    await docs.deleteDocument("node-one");
    await docs.setDocumentHash("source", "changed");
    await docs.deleteRefDoc("source", false);
    const after = {
      ids: Object.keys(await docs.docs()).sort(),
      hash: await docs.getDocumentHash("source"),
      missing: await docs.getDocument("node-one", false),
    };
    return { before, after };
  }

  it("KVDocumentStore gives the same answers as over SimpleKVStore", async () => {
    const expected = await documentStoreRun(new SimpleKVStore());
    expect(expected.before.all).toHaveProperty("node-three");
    expect(await documentStoreRun(new KeyValueKVStore(new MemoryStore()))).toEqual(expected);
  });

  it("KVIndexStore keeps index structs whose summary is unset", async () => {
    const indexId = "00000000-0000-4000-8000-000000000001";
    const kv = new KeyValueKVStore(new MemoryStore());
    const indexes = new KVIndexStore(kv, "index_store");
    const struct = new IndexDict(indexId);
    struct.addNode(new TextNode({ text: "hello", id_: "n1" }), "t1");
    await indexes.addIndexStruct(struct);
    const stored = await indexes.getIndexStruct(indexId);
    expect(stored).toBeInstanceOf(IndexDict);
    expect(stored?.toJson()).toEqual(jsonToIndexStruct(JSON.parse(JSON.stringify(struct.toJson()))).toJson());
    expect(await indexes.getIndexStructs()).toHaveLength(1);
    await indexes.deleteIndexStruct(indexId);
    expect(await indexes.getIndexStruct(indexId)).toBeUndefined();
  });
});

describe("omitUndefinedProperties", () => {
  it("copies, dropping only properties set to undefined", () => {
    const value = { a: undefined, b: [1, { c: undefined, d: null }], e: { f: "g" } };
    const copied = omitUndefinedProperties(value) as Record<string, unknown>;
    expect(copied).toStrictEqual({ b: [1, { d: null }], e: { f: "g" } });
    expect(copied.e).not.toBe(value.e);
  });

  it("turns another realm's plain objects into this realm's", () => {
    const foreign = runInNewContext('({ a: { b: [1, { c: "d" }] }, e: undefined })') as object;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    const copied = omitUndefinedProperties(foreign) as { a: { b: [number, object] } };
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copied.a.b[1])).toBe(Object.prototype);
    expect(copied).toStrictEqual({ a: { b: [1, { c: "d" }] } });
    const foreignDate = runInNewContext("({ when: new Date(0) })") as { when: object };
    expect((omitUndefinedProperties(foreignDate) as { when: object }).when).toBe(foreignDate.when);
  });

  it("keeps an own __proto__ key as a key", () => {
    const value = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    value.y = undefined;
    const copied = omitUndefinedProperties(value) as object;
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copied, "__proto__")?.value).toEqual({ x: 1 });
  });

  it("passes through what the store's validation refuses", () => {
    const date = new Date(0);
    const cyclic: Record<string, unknown> = { a: undefined };
    cyclic.self = cyclic;
    expect((omitUndefinedProperties({ date }) as { date: Date }).date).toBe(date);
    expect(omitUndefinedProperties(null)).toBeNull();
    const copied = omitUndefinedProperties(cyclic) as Record<string, unknown>;
    expect(copied).not.toHaveProperty("a");
    expect(copied.self).toBe(cyclic);
    const sparse: number[] = [];
    sparse[2] = 3;
    expect(1 in (omitUndefinedProperties(sparse) as unknown[])).toBe(false);
  });
});
