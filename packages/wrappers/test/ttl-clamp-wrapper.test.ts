import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, InvalidTtlError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { TtlClampWrapper } from "../src/index.js";
import { ALL_CAPABILITIES } from "./fixtures.js";

describeConformance({
  name: "TtlClampWrapper",
  // Bounds that every TTL the suite uses fits between, so the suite sees the store unchanged.
  createStore: () => new TtlClampWrapper(new MemoryStore(), { minTtl: 0.1, maxTtl: 86_400 }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("TtlClampWrapper", () => {
  it("raises short TTLs, lowers long ones and gives entries without one the missing TTL", async () => {
    const memory = new MemoryStore();
    const store = new TtlClampWrapper(memory, { minTtl: 60, maxTtl: 3_600, missingTtl: 600 });
    await store.put("short", { v: 1 }, { ttl: 1 });
    await store.putMany([["long", { v: 2 }]], { ttl: 999_999 });
    await store.put("none", { v: 3 });
    const [short, long, none] = await memory.ttlMany(["short", "long", "none"]);
    expect(short?.ttl).toBeGreaterThan(58);
    expect(short?.ttl).toBeLessThanOrEqual(60);
    expect(long?.ttl).toBeGreaterThan(3_598);
    expect(long?.ttl).toBeLessThanOrEqual(3_600);
    expect(none?.ttl).toBeGreaterThan(598);
    expect(none?.ttl).toBeLessThanOrEqual(600);
  });

  it("without missingTtl, entries put without a TTL never expire", async () => {
    const store = new TtlClampWrapper(new MemoryStore(), { maxTtl: 10 });
    await store.put("k", { v: 1 });
    await expect(store.ttl("k")).resolves.toEqual({ value: { v: 1 }, ttl: undefined });
  });

  it("refuses a bad TTL instead of clamping it into range", async () => {
    const store = new TtlClampWrapper(new MemoryStore(), { minTtl: 1 });
    for (const ttl of [0, -5, Number.NaN, Infinity, "5"]) {
      await expect(store.put("k", { v: 1 }, { ttl: ttl as number })).rejects.toBeInstanceOf(InvalidTtlError);
      await expect(store.putMany([["k", { v: 1 }]], { ttl: ttl as number })).rejects.toBeInstanceOf(InvalidTtlError);
    }
    await expect(store.get("k")).resolves.toBeUndefined();
  });

  it("refuses bad options", () => {
    const memory = new MemoryStore();
    expect(() => new TtlClampWrapper(memory, { minTtl: 10, maxTtl: 5 })).toThrow(InvalidArgumentError);
    expect(() => new TtlClampWrapper(memory, { maxTtl: 0 })).toThrow(InvalidArgumentError);
    expect(() => new TtlClampWrapper(memory, { missingTtl: -1 })).toThrow(InvalidArgumentError);
  });
});
