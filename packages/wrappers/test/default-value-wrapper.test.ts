import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, SerializationError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { DefaultValueWrapper } from "../src/index.js";
import { ALL_CAPABILITIES } from "./fixtures.js";

describeConformance({
  name: "DefaultValueWrapper",
  // Defaults only for a collection the suite never uses, so the suite sees misses as misses.
  createStore: () => new DefaultValueWrapper(new MemoryStore(), { value: (_key, collection) => (collection === "with-defaults" ? { fallback: true } : undefined) }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("DefaultValueWrapper", () => {
  it("answers missing keys with a fresh copy of the default and its TTL, and stores nothing", async () => {
    const memory = new MemoryStore();
    const store = new DefaultValueWrapper(memory, { value: { theme: "light", tags: [] }, ttl: 30 });
    await store.put("set", { theme: "dark", tags: ["x"] });
    const first = await store.get("missing");
    expect(first).toEqual({ theme: "light", tags: [] });
    (first!.tags as string[]).push("mutated");
    await expect(store.getMany(["set", "missing"])).resolves.toEqual([{ theme: "dark", tags: ["x"] }, { theme: "light", tags: [] }]);
    await expect(store.ttl("missing")).resolves.toEqual({ value: { theme: "light", tags: [] }, ttl: 30 });
    await expect(store.ttlMany(["set", "missing"])).resolves.toEqual([
      { value: { theme: "dark", tags: ["x"] }, ttl: undefined },
      { value: { theme: "light", tags: [] }, ttl: 30 },
    ]);
    await expect(store.delete("missing")).resolves.toBe(false);
    await expect(memory.get("missing")).resolves.toBeUndefined();
  });

  it("a default function sees key and collection, and may decline", async () => {
    const store = new DefaultValueWrapper(new MemoryStore({ defaultCollection: "dc" }), {
      value: (key, collection) => (key.startsWith("user:") ? { key, collection } : undefined),
    });
    await expect(store.getMany(["user:1", "other"])).resolves.toEqual([{ key: "user:1", collection: "dc" }, undefined]);
  });

  it("refuses a default that is not a plain JSON object, and a bad TTL", async () => {
    expect(() => new DefaultValueWrapper(new MemoryStore(), { value: { when: new Date() } as never })).toThrow(SerializationError);
    expect(() => new DefaultValueWrapper(new MemoryStore(), { value: {}, ttl: 0 })).toThrow(InvalidArgumentError);
    const store = new DefaultValueWrapper(new MemoryStore(), { value: () => ({ n: Number.NaN }) });
    await expect(store.get("k")).rejects.toBeInstanceOf(SerializationError);
  });
});
