import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, InvalidKeyError, NullStore, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { PrefixKeysWrapper } from "../src/index.js";
import { ALL_CAPABILITIES, Offering, collect, full } from "./fixtures.js";

let shared: MemoryStore;

describeConformance({
  name: "PrefixKeysWrapper",
  createStore: () => new PrefixKeysWrapper((shared = new MemoryStore()), { prefix: "app" }),
  // Unprefixed data in the same collections: destroy must leave it alone.
  createForeignStore: () => shared,
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("PrefixKeysWrapper", () => {
  it("stores keys as prefix__key, as py-key-value does, and lists only its own keys", async () => {
    const memory = new MemoryStore();
    const store = full(new PrefixKeysWrapper(memory, { prefix: "app" }));
    await store.put("alice", { v: 1 }, { collection: "users" });
    await memory.put("bob", { v: 2 }, { collection: "users" });
    await memory.put("other__carol", { v: 3 }, { collection: "users" });
    await expect(memory.get("app__alice", { collection: "users" })).resolves.toEqual({ v: 1 });
    await expect(collect(store.keys({ collection: "users" }))).resolves.toEqual(["alice"]);
    await memory.put("x", { v: 4 }, { collection: "foreign-only" });
    expect(await collect(store.collections())).toEqual(["users"]);
  });

  it("honours a custom separator", async () => {
    const memory = new MemoryStore();
    await new PrefixKeysWrapper(memory, { prefix: "tenant-1", separator: ":" }).put("k", { v: 1 });
    await expect(memory.get("tenant-1:k")).resolves.toEqual({ v: 1 });
  });

  it("destroyCollection removes only prefixed keys", async () => {
    const memory = new MemoryStore();
    const store = full(new PrefixKeysWrapper(memory, { prefix: "app" }));
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]], { collection: "c" });
    await memory.put("foreign", { v: 3 }, { collection: "c" });
    await expect(store.destroyCollection("c")).resolves.toBe(true);
    await expect(collect(memory.keys({ collection: "c" }))).resolves.toEqual(["foreign"]);
    await expect(store.destroyCollection("c")).resolves.toBe(false);
  });

  it("offers what it can do with the wrapped store's capabilities", () => {
    const keysOnly = new PrefixKeysWrapper(new Offering(new MemoryStore(), ["keys"]), { prefix: "p" });
    expect(["keys", "destroyCollection"].every((capability) => hasCapability(keysOnly, capability as "keys"))).toBe(true);
    expect(hasCapability(keysOnly, "collections") || hasCapability(keysOnly, "destroy") || hasCapability(keysOnly, "cull")).toBe(false);
    const none = new PrefixKeysWrapper(new NullStore(), { prefix: "p" });
    expect(ALL_CAPABILITIES.some((capability) => hasCapability(none, capability))).toBe(false);
  });

  it("refuses a bad prefix or separator", () => {
    expect(() => new PrefixKeysWrapper(new MemoryStore(), { prefix: "" })).toThrow(InvalidArgumentError);
    expect(() => new PrefixKeysWrapper(new MemoryStore(), { prefix: "p", separator: "" })).toThrow(InvalidArgumentError);
  });

  it("refuses an empty key although the prefixed one would be valid", async () => {
    const store = new PrefixKeysWrapper(new MemoryStore(), { prefix: "p" });
    await expect(store.put("", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.getMany([""])).rejects.toBeInstanceOf(InvalidKeyError);
  });
});
