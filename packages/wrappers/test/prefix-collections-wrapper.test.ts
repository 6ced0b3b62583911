import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError, NullStore, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { PrefixCollectionsWrapper } from "../src/index.js";
import { ALL_CAPABILITIES, collect, full } from "./fixtures.js";

let shared: MemoryStore;

describeConformance({
  name: "PrefixCollectionsWrapper",
  createStore: () => new PrefixCollectionsWrapper((shared = new MemoryStore()), { prefix: "app" }),
  // The same collection names without the prefix: destroy must leave them alone.
  createForeignStore: () => shared,
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("PrefixCollectionsWrapper", () => {
  it("stores collections as prefix__collection, default included, and lists only its own", async () => {
    const memory = new MemoryStore();
    const store = full(new PrefixCollectionsWrapper(memory, { prefix: "app", defaultCollection: "main" }));
    await store.put("k", { v: 1 }, { collection: "users" });
    await store.put("d", { v: 2 });
    await memory.put("k", { v: 3 }, { collection: "users" });
    await expect(memory.get("k", { collection: "app__users" })).resolves.toEqual({ v: 1 });
    await expect(memory.get("d", { collection: "app__main" })).resolves.toEqual({ v: 2 });
    expect((await collect(store.collections())).sort()).toEqual(["main", "users"]);
    await expect(collect(store.keys({ collection: "users" }))).resolves.toEqual(["k"]);
    await expect(store.destroy()).resolves.toBe(true);
    await expect(memory.get("k", { collection: "users" })).resolves.toEqual({ v: 3 });
  });

  it("offers destroy only when it can find its collections and destroy them one by one", () => {
    expect(ALL_CAPABILITIES.some((capability) => hasCapability(new PrefixCollectionsWrapper(new NullStore(), { prefix: "p" }), capability))).toBe(false);
  });

  it("refuses an invalid collection before prefixing it", async () => {
    const store = full(new PrefixCollectionsWrapper(new MemoryStore(), { prefix: "p" }));
    await expect(store.get("k", { collection: "" })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.destroyCollection("")).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(collect(store.keys({ collection: "\uD800" }))).rejects.toBeInstanceOf(InvalidKeyError);
  });
});
