import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { StatisticsWrapper } from "../src/index.js";
import { ALL_CAPABILITIES } from "./fixtures.js";

describeConformance({
  name: "StatisticsWrapper",
  createStore: () => new StatisticsWrapper(new MemoryStore()),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("StatisticsWrapper", () => {
  it("counts hits, misses, puts and deletes per collection, readable at any time", async () => {
    const store = new StatisticsWrapper(new MemoryStore());
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }], ["a", { v: 3 }]], { collection: "users" });
    await store.put("x", { v: 1 });
    expect(store.statistics().collections.users).toEqual({ hits: 0, misses: 0, puts: 2, deletes: 0 });
    await store.get("a", { collection: "users" });
    await store.getMany(["a", "b", "missing"], { collection: "users" });
    await store.ttl("missing", { collection: "users" });
    await store.ttlMany(["x", "y"]);
    await store.delete("a", { collection: "users" });
    await store.delete("a", { collection: "users" });
    await store.deleteMany(["b", "missing"], { collection: "users" });
    expect(store.statistics()).toEqual({
      total: { hits: 4, misses: 3, puts: 3, deletes: 2 },
      collections: {
        users: { hits: 3, misses: 2, puts: 2, deletes: 2 },
        default_collection: { hits: 1, misses: 1, puts: 1, deletes: 0 },
      },
    });
  });

  it("counts only operations that succeed, hands out copies, and resets", async () => {
    const store = new StatisticsWrapper(new MemoryStore());
    await expect(store.put("", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
    await store.put("k", { v: 1 });
    const snapshot = store.statistics();
    snapshot.total.puts = 100;
    expect(store.statistics().total.puts).toBe(1);
    store.resetStatistics();
    expect(store.statistics()).toEqual({ total: { hits: 0, misses: 0, puts: 0, deletes: 0 }, collections: {} });
  });
});
