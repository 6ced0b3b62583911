import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError, StoreConnectionError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { FallbackWrapper, type FallbackEvent } from "../src/index.js";
import { ALL_CAPABILITIES, FaultyStore, collect, full } from "./fixtures.js";

describeConformance({
  name: "FallbackWrapper",
  createStore: () => new FallbackWrapper(new MemoryStore(), { fallback: new MemoryStore() }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

async function stores() {
  const primary = new FaultyStore();
  const fallback = new MemoryStore();
  await primary.put("k", { from: "primary" });
  await fallback.put("k", { from: "fallback" });
  return { primary, fallback };
}

describe("FallbackWrapper", () => {
  it("reads from the fallback store while the primary fails", async () => {
    const { primary, fallback } = await stores();
    const events: FallbackEvent[] = [];
    const store = new FallbackWrapper(primary, { fallback, onFallback: (event) => events.push(event) });
    await expect(store.get("k")).resolves.toEqual({ from: "primary" });
    primary.failNext = 2;
    await expect(store.get("k")).resolves.toEqual({ from: "fallback" });
    await expect(store.getMany(["k"])).resolves.toEqual([{ from: "fallback" }]);
    expect(events.map(({ operation, error }) => [operation, error instanceof StoreConnectionError])).toEqual([
      ["get", true],
      ["getMany", true],
    ]);
  });

  it("writes fail with the primary unless writeToFallback", async () => {
    const { primary, fallback } = await stores();
    primary.failNext = 1;
    await expect(new FallbackWrapper(primary, { fallback }).put("w", { v: 1 })).rejects.toBeInstanceOf(StoreConnectionError);
    primary.failNext = 1;
    await new FallbackWrapper(primary, { fallback, writeToFallback: true }).put("w", { v: 2 });
    await expect(fallback.get("w")).resolves.toEqual({ v: 2 });
    await expect(primary.get("w")).resolves.toBeUndefined();
  });

  it("never falls back on the caller's own mistakes", async () => {
    const { primary, fallback } = await stores();
    const events: FallbackEvent[] = [];
    await expect(new FallbackWrapper(primary, { fallback, onFallback: (event) => events.push(event) }).get("")).rejects.toBeInstanceOf(InvalidKeyError);
    expect(events).toEqual([]);
  });

  it("falls back for an enumeration that fails before its first key, and closes both stores", async () => {
    const { primary, fallback } = await stores();
    await fallback.put("only-in-fallback", { v: 1 });
    const store = full(new FallbackWrapper(primary, { fallback }));
    primary.failNext = 1;
    expect((await collect(store.keys())).sort()).toEqual(["k", "only-in-fallback"]);
    await store.close();
    expect([primary.inner.closed, fallback.closed]).toEqual([true, true]);
  });
});
