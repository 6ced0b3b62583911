import { describe, expect, it } from "@jest/globals";
import { MemoryStore } from "@kv/memory";
import { LangGraphStore } from "../src/index.js";

type Call = [method: string, collection: string | undefined, size: number];

/** A MemoryStore behind a wrapper that records each protocol call: method, collection and batch size. */
class CountingStore {
  readonly calls: Call[] = [];
  readonly store: MemoryStore;

  constructor() {
    const calls = this.calls;
    this.store = new Proxy(new MemoryStore(), {
      get(target, property, receiver) {
        const member: unknown = Reflect.get(target, property, receiver);
        if (typeof member !== "function" || typeof property !== "string" || !PROTOCOL.has(property)) return member;
        return (...args: unknown[]) => {
          const options = args.find((arg): arg is { collection?: string } => typeof arg === "object" && arg !== null && !Array.isArray(arg));
          calls.push([property, options?.collection, Array.isArray(args[0]) ? args[0].length : property === "keys" ? 0 : 1]);
          return (member as (...args: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  count(method: string): number {
    return this.calls.filter(([name]) => name === method).length;
  }

  reset(): void {
    this.calls.length = 0;
  }
}

const PROTOCOL = new Set(["get", "getMany", "ttl", "ttlMany", "put", "putMany", "delete", "deleteMany", "keys", "collections"]);

describe("LangGraphStore batching", () => {
  it("reads a batch's gets with one getMany per namespace, asking for each key once", async () => {
    const counting = new CountingStore();
    const store = new LangGraphStore({ store: counting.store });
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
    const store = new LangGraphStore({ store: counting.store });
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
    const store = new LangGraphStore({ store: counting.store });
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
