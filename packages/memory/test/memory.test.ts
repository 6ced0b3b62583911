import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, SerializationError } from "@kv/core";
import { MemoryStore } from "../src/index.js";

async function keysOf(store: MemoryStore, collection?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.keys({ collection })) keys.push(key);
  return keys;
}

describe("MemoryStore", () => {
  it("evicts the least recently used entry past maxEntriesPerCollection", async () => {
    const store = new MemoryStore({ maxEntriesPerCollection: 3 });
    await store.putMany([
      ["a", { v: 1 }],
      ["b", { v: 2 }],
      ["c", { v: 3 }],
    ]);
    await store.get("a");
    await store.put("d", { v: 4 });
    expect((await keysOf(store)).sort()).toEqual(["a", "c", "d"]);
  });

  it("evicts an expired entry before the least recently used one", async () => {
    let now = 1_000_000;
    const store = new (class extends MemoryStore {
      protected override now(): number {
        return now;
      }
    })({ maxEntriesPerCollection: 3 });
    await store.put("old", { v: 1 });
    await store.put("short", { v: 2 }, { ttl: 1 });
    await store.put("recent", { v: 3 });
    now += 2_000;
    await store.put("new", { v: 4 });
    await expect(store.getMany(["old", "short", "recent", "new"])).resolves.toEqual([{ v: 1 }, undefined, { v: 3 }, { v: 4 }]);
  });

  it("bounds each collection separately", async () => {
    const store = new MemoryStore({ maxEntriesPerCollection: 2 });
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]], { collection: "one" });
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]], { collection: "two" });
    expect(await keysOf(store, "one")).toHaveLength(2);
    expect(await keysOf(store, "two")).toHaveLength(2);
  });

  it("overwriting a key in a full collection evicts nothing", async () => {
    const store = new MemoryStore({ maxEntriesPerCollection: 2 });
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]]);
    await store.put("a", { v: 3 });
    await expect(store.getMany(["a", "b"])).resolves.toEqual([{ v: 3 }, { v: 2 }]);
  });

  it("starts with the seed entries, copied", async () => {
    const seedValue = { name: "Alice" };
    const store = new MemoryStore({ seed: { users: { alice: seedValue }, other: { x: { n: 1 } } } });
    seedValue.name = "changed";
    await expect(store.get("alice", { collection: "users" })).resolves.toEqual({ name: "Alice" });
    await expect(store.ttl("x", { collection: "other" })).resolves.toEqual({ value: { n: 1 }, ttl: undefined });
  });

  it("refuses a bad seed and a bad bound", () => {
    expect(() => new MemoryStore({ seed: { users: { alice: { d: new Date() } as never } } })).toThrow(SerializationError);
    expect(() => new MemoryStore({ maxEntriesPerCollection: 0 })).toThrow(InvalidArgumentError);
    expect(() => new MemoryStore({ maxEntriesPerCollection: 1.5 })).toThrow(InvalidArgumentError);
  });

  it("keeps memory bounded under many overwrites with TTLs", async () => {
    const store = new MemoryStore({ maxEntriesPerCollection: 10 });
    for (let round = 0; round < 2_000; round++) await store.put(`k${round % 20}`, { round }, { ttl: 60 });
    expect(await keysOf(store)).toHaveLength(10);
  });
});
