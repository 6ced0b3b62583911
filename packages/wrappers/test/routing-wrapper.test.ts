import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, NullStore, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { CollectionRoutingWrapper, RoutingWrapper } from "../src/index.js";
import { ALL_CAPABILITIES, collect, full } from "./fixtures.js";

function byPrefix() {
  const left = new MemoryStore();
  const right = new MemoryStore();
  const store = new RoutingWrapper({ route: (collection) => (collection.startsWith("left") ? left : undefined), stores: [left], defaultStore: right });
  return { left, right, store };
}

describeConformance({ name: "RoutingWrapper", createStore: () => byPrefix().store, capabilities: ALL_CAPABILITIES, persistent: false });

describeConformance({
  name: "CollectionRoutingWrapper",
  createStore: () => new CollectionRoutingWrapper({ byCollection: { default_collection: new MemoryStore() }, defaultStore: new MemoryStore() }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("RoutingWrapper", () => {
  it("sends each collection to its store, naming the collection explicitly", async () => {
    const { left, right, store } = byPrefix();
    await store.put("k", { v: "l" }, { collection: "left-1" });
    await store.put("k", { v: "r" }, { collection: "other" });
    await store.put("d", { v: "d" });
    await expect(left.get("k", { collection: "left-1" })).resolves.toEqual({ v: "l" });
    await expect(right.getMany(["k", "d"], { collection: "other" })).resolves.toEqual([{ v: "r" }, undefined]);
    await expect(right.get("d", { collection: "default_collection" })).resolves.toEqual({ v: "d" });
  });

  it("lists from each store only the collections that route to it", async () => {
    const { left, right, store } = byPrefix();
    await left.put("k", { v: 1 }, { collection: "left-a" });
    await left.put("k", { v: 1 }, { collection: "stray" });
    await right.put("k", { v: 1 }, { collection: "b" });
    expect((await collect(full(store).collections())).sort()).toEqual(["b", "left-a"]);
    await expect(collect(full(store).collections({ limit: 1 }))).resolves.toHaveLength(1);
  });

  it("destroy and close reach every store", async () => {
    const { left, right, store } = byPrefix();
    await store.put("k", { v: 1 }, { collection: "left-1" });
    await store.put("k", { v: 1 }, { collection: "r" });
    await expect(full(store).destroy()).resolves.toBe(true);
    await expect(Promise.all([left.get("k", { collection: "left-1" }), right.get("k", { collection: "r" })])).resolves.toEqual([undefined, undefined]);
    await store.close();
    expect([left.closed, right.closed]).toEqual([true, true]);
  });

  it("offers what every store offers, and refuses a route to a store it was not told about", async () => {
    const partial = new RoutingWrapper({ route: () => undefined, stores: [new NullStore()], defaultStore: new MemoryStore() });
    expect(ALL_CAPABILITIES.some((capability) => hasCapability(partial, capability))).toBe(false);
    const stray = new RoutingWrapper({ route: () => new MemoryStore(), stores: [], defaultStore: new MemoryStore() });
    await expect(stray.get("k")).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("CollectionRoutingWrapper", () => {
  it("routes the named collections and sends the rest to the default store", async () => {
    const sessions = new MemoryStore();
    const rest = new MemoryStore();
    const store = new CollectionRoutingWrapper({ byCollection: { sessions }, defaultStore: rest });
    await store.put("s1", { user: "a" }, { collection: "sessions" });
    await store.put("u1", { name: "A" }, { collection: "users" });
    await expect(sessions.get("s1", { collection: "sessions" })).resolves.toEqual({ user: "a" });
    await expect(rest.get("u1", { collection: "users" })).resolves.toEqual({ name: "A" });
    await expect(rest.get("s1", { collection: "sessions" })).resolves.toBeUndefined();
  });
});
