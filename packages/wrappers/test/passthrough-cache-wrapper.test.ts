import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { PassthroughCacheWrapper, StatisticsWrapper } from "../src/index.js";
import { ALL_CAPABILITIES, FaultyStore, Offering } from "./fixtures.js";

describeConformance({
  name: "PassthroughCacheWrapper",
  createStore: () => new PassthroughCacheWrapper(new MemoryStore(), { cache: new MemoryStore() }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

function cached() {
  const primary = new StatisticsWrapper(new MemoryStore());
  const cache = new MemoryStore();
  return { primary, cache, store: new PassthroughCacheWrapper(primary, { cache, maxTtl: 600 }) };
}

describe("PassthroughCacheWrapper", () => {
  it("reads through once, then answers from the cache", async () => {
    const { primary, store } = cached();
    await store.put("k", { v: 1 });
    await expect(store.get("k")).resolves.toEqual({ v: 1 });
    await expect(store.get("k")).resolves.toEqual({ v: 1 });
    await expect(store.getMany(["k", "k", "missing"])).resolves.toEqual([{ v: 1 }, { v: 1 }, undefined]);
    expect(primary.statistics().total).toMatchObject({ hits: 1, misses: 1 });
  });

  it("caches for no longer than the entry's remaining TTL, capped at maxTtl", async () => {
    const { primary, cache, store } = cached();
    await primary.put("short", { v: 1 }, { ttl: 30 });
    await primary.put("long", { v: 2 }, { ttl: 86_400 });
    await primary.put("forever", { v: 3 });
    await store.getMany(["short", "long", "forever"]);
    const [short, long, forever] = await cache.ttlMany(["short", "long", "forever"]);
    expect(short!.ttl).toBeLessThanOrEqual(30);
    expect(long!.ttl).toBeLessThanOrEqual(600);
    expect(forever!.ttl).toBeLessThanOrEqual(600);
    // The entry's own TTL is still reported exactly, from the cache.
    await expect(store.ttl("forever")).resolves.toEqual({ value: { v: 3 }, ttl: undefined });
    expect((await store.ttl("long"))!.ttl).toBeGreaterThan(86_000);
  });

  it("writes and deletes invalidate the cache", async () => {
    const { cache, store } = cached();
    await store.put("k", { v: 1 });
    await store.get("k");
    await store.putMany([["k", { v: 2 }]]);
    await expect(cache.get("k")).resolves.toBeUndefined();
    await expect(store.get("k")).resolves.toEqual({ v: 2 });
    await store.delete("k");
    await expect(store.get("k")).resolves.toBeUndefined();
  });

  it("a read that races with a write of its key does not cache what it read", async () => {
    const primary = new FaultyStore();
    const cache = new MemoryStore();
    const store = new PassthroughCacheWrapper(primary, { cache });
    await primary.put("k", { v: "old" });
    primary.hold = true;
    const read = store.get("k");
    await new Promise((resolve) => setImmediate(resolve));
    const write = store.put("k", { v: "new" });
    primary.release();
    await Promise.all([read, write]);
    await expect(cache.get("k")).resolves.toBeUndefined();
    await expect(store.get("k")).resolves.toEqual({ v: "new" });
  });

  it("offers destroy and destroyCollection only when the cache can be cleared too", () => {
    const store = new PassthroughCacheWrapper(new MemoryStore(), { cache: new Offering(new MemoryStore(), []) });
    expect([hasCapability(store, "keys"), hasCapability(store, "destroy"), hasCapability(store, "destroyCollection")]).toEqual([true, false, false]);
    expect(() => new PassthroughCacheWrapper(new MemoryStore(), { cache: new MemoryStore(), maxTtl: 0 })).toThrow(InvalidArgumentError);
  });
});
