import { describe, expect, it } from "@jest/globals";
import type { AsyncKeyValue, EnumerateKeys, JsonObject, KeysOptions, KeyValueOptions, PutOptions } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { LangGraphStore } from "../src/index.js";

type Call = [method: string, collection: string | undefined, size: number];

/** Forwards to a MemoryStore and records each call: method, collection and batch size. */
class CountingStore implements AsyncKeyValue, EnumerateKeys {
  readonly calls: Call[] = [];
  private readonly inner = new MemoryStore();

  count(method: string): number {
    return this.calls.filter(([name]) => name === method).length;
  }

  reset(): void {
    this.calls.length = 0;
  }

  get(key: string, options?: KeyValueOptions) {
    this.calls.push(["get", options?.collection, 1]);
    return this.inner.get(key, options);
  }
  getMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push(["getMany", options?.collection, keys.length]);
    return this.inner.getMany(keys, options);
  }
  ttl(key: string, options?: KeyValueOptions) {
    this.calls.push(["ttl", options?.collection, 1]);
    return this.inner.ttl(key, options);
  }
  ttlMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push(["ttlMany", options?.collection, keys.length]);
    return this.inner.ttlMany(keys, options);
  }
  put(key: string, value: JsonObject, options?: PutOptions) {
    this.calls.push(["put", options?.collection, 1]);
    return this.inner.put(key, value, options);
  }
  putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions) {
    this.calls.push(["putMany", options?.collection, entries.length]);
    return this.inner.putMany(entries, options);
  }
  delete(key: string, options?: KeyValueOptions) {
    this.calls.push(["delete", options?.collection, 1]);
    return this.inner.delete(key, options);
  }
  deleteMany(keys: readonly string[], options?: KeyValueOptions) {
    this.calls.push(["deleteMany", options?.collection, keys.length]);
    return this.inner.deleteMany(keys, options);
  }
  keys(options?: KeysOptions) {
    this.calls.push(["keys", options?.collection, 0]);
    return this.inner.keys(options);
  }
}

describe("LangGraphStore batching", () => {
  it("reads a batch's gets with one getMany per namespace, asking for each key once", async () => {
    const counting = new CountingStore();
    const store = new LangGraphStore({ store: counting });
    await store.batch([
      { namespace: ["users", "alice"], key: "a", value: { n: 1 } },
      { namespace: ["users", "alice"], key: "b", value: { n: 2 } },
      { namespace: ["users", "bob"], key: "a", value: { n: 3 } },
    ]);
    counting.reset();

    const results = await store.batch([
      { namespace: ["users", "alice"], key: "a" },
      { namespace: ["users", "bob"], key: "a" },
      { namespace: ["users", "alice"], key: "b" },
      { namespace: ["users", "alice"], key: "missing" },
      { namespace: ["users", "carol"], key: "a" },
      { namespace: ["users", "alice"], key: "a" },
    ]);

    expect(results.map((item) => item?.value ?? null)).toEqual([{ n: 1 }, { n: 3 }, { n: 2 }, null, null, { n: 1 }]);
    expect(counting.count("get")).toBe(0);
    expect(counting.calls).toEqual(
      expect.arrayContaining([
        ["getMany", "langgraph:users.alice", 3],
        ["getMany", "langgraph:users.bob", 1],
        ["getMany", "langgraph:users.carol", 1],
      ]),
    );
    expect(counting.calls).toHaveLength(3);
  });

  it("writes a batch with one read of the index, then per namespace one getMany, one putMany and one deleteMany", async () => {
    const counting = new CountingStore();
    const store = new LangGraphStore({ store: counting });
    await store.put(["docs"], "old", { n: 0 });
    counting.reset();

    await store.batch([
      { namespace: ["docs"], key: "a", value: { n: 1 } },
      { namespace: ["docs"], key: "old", value: null },
      { namespace: ["notes"], key: "a", value: { n: 2 } },
      { namespace: ["docs"], key: "b", value: { n: 3 } },
      { namespace: ["docs"], key: "a", value: { n: 4 } },
    ]);

    // "docs" is known to this instance already; only "notes" is looked up in the index, then registered.
    expect(counting.calls.slice(0, 2)).toEqual([
      ["ttlMany", "langgraph", 1],
      ["putMany", "langgraph", 1],
    ]);
    // The namespaces are written side by side, so their calls may interleave.
    expect([...counting.calls.slice(2)].sort()).toEqual([
      ["deleteMany", "langgraph:docs", 1],
      ["getMany", "langgraph:docs", 2],
      ["getMany", "langgraph:notes", 1],
      ["putMany", "langgraph:docs", 2],
      ["putMany", "langgraph:notes", 1],
    ]);
    expect((await store.get(["docs"], "a"))?.value).toEqual({ n: 4 });
  });

  it("reads each namespace once for all the searches of a batch", async () => {
    const counting = new CountingStore();
    const store = new LangGraphStore({ store: counting });
    await store.put(["users", "alice"], "a", { n: 1 });
    await store.put(["users", "bob"], "a", { n: 2 });
    counting.reset();

    const [all, alice, none] = await store.batch([
      { namespacePrefix: [], limit: 10, offset: 0 },
      { namespacePrefix: ["users", "alice"], limit: 10, offset: 0 },
      { namespacePrefix: ["nobody"], limit: 10, offset: 0 },
    ]);

    expect(all).toHaveLength(2);
    expect(alice).toHaveLength(1);
    expect(none).toEqual([]);
    expect(counting.count("keys")).toBe(3);
    expect(counting.calls.filter(([method]) => method === "getMany").map(([, collection]) => collection)).toEqual([
      "langgraph",
      "langgraph:users.alice",
      "langgraph:users.bob",
    ]);
  });
});
