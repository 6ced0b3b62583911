import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, NullStore, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { SingleCollectionWrapper } from "../src/index.js";
import { ALL_CAPABILITIES, Offering, collect, full } from "./fixtures.js";

let shared: MemoryStore;

describeConformance({
  name: "SingleCollectionWrapper",
  createStore: () => new SingleCollectionWrapper((shared = new MemoryStore()), { collection: "everything" }),
  // Other collections of the wrapped store are not the wrapper's: destroy must leave them alone.
  createForeignStore: () => shared,
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("SingleCollectionWrapper", () => {
  it("keeps every collection in one, keyed collection__key as py-key-value does", async () => {
    const memory = new MemoryStore();
    const store = full(new SingleCollectionWrapper(memory, { collection: "all" }));
    await store.put("alice", { v: 1 }, { collection: "users" });
    await store.put("d", { v: 2 });
    expect((await collect(memory.keys({ collection: "all" }))).sort()).toEqual(["default_collection__d", "users__alice"]);
    expect((await collect(store.collections())).sort()).toEqual(["default_collection", "users"]);
    await expect(collect(memory.collections())).resolves.toEqual(["all"]);
  });

  it("writes a collection that holds the separator in hex, so no two pairs collide", async () => {
    const memory = new MemoryStore();
    const store = full(new SingleCollectionWrapper(memory, { collection: "all" }));
    await store.put("b__c", { pair: 1 }, { collection: "a" });
    await store.put("c", { pair: 2 }, { collection: "a__b" });
    await store.put("k", { pair: 3 }, { collection: "~x" });
    await expect(store.getMany(["b__c"], { collection: "a" })).resolves.toEqual([{ pair: 1 }]);
    await expect(store.get("c", { collection: "a__b" })).resolves.toEqual({ pair: 2 });
    expect((await collect(memory.keys({ collection: "all" }))).sort()).toEqual(["a__b__c", "~615f5f62__c", "~7e78__k"]);
    expect((await collect(store.collections())).sort()).toEqual(["a", "a__b", "~x"]);
    await expect(collect(store.keys({ collection: "a__b" }))).resolves.toEqual(["c"]);
  });

  it("skips keys of the backing collection it did not write", async () => {
    const memory = new MemoryStore();
    await memory.putMany([["no-separator", { v: 1 }], ["~zz__k", { v: 2 }]], { collection: "all" });
    const store = full(new SingleCollectionWrapper(memory, { collection: "all" }));
    await expect(collect(store.collections())).resolves.toEqual([]);
  });

  it("destroy clears the backing collection through a key scan when the store cannot destroy collections", async () => {
    const memory = new MemoryStore();
    const store = new SingleCollectionWrapper(new Offering(memory, ["keys"]), { collection: "all" });
    await store.put("k", { v: 1 }, { collection: "c" });
    await memory.put("k", { v: 2 }, { collection: "c" });
    expect(hasCapability(store, "destroy")).toBe(true);
    expect(hasCapability(store, "cull")).toBe(false);
    await expect(full(store).destroy()).resolves.toBe(true);
    await expect(store.get("k", { collection: "c" })).resolves.toBeUndefined();
    await expect(memory.get("k", { collection: "c" })).resolves.toEqual({ v: 2 });
  });

  it("offers nothing over a store that can neither list keys nor destroy collections, and refuses a bad separator", () => {
    expect(ALL_CAPABILITIES.some((capability) => hasCapability(new SingleCollectionWrapper(new NullStore(), { collection: "all" }), capability))).toBe(false);
    for (const separator of ["", "0", "a~"]) expect(() => new SingleCollectionWrapper(new MemoryStore(), { collection: "all", separator })).toThrow(InvalidArgumentError);
  });
});
