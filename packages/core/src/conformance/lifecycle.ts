import { describe, expect, it } from "@jest/globals";
import { StoreClosedError } from "../errors.js";
import type { JsonObject } from "../types.js";
import { collect, type ConformanceStore, type SuiteContext } from "./context.js";

const CONCURRENT_OPERATIONS = 300;

type Operation = readonly [string, (store: ConformanceStore) => Promise<unknown>];

const EVERY_OPERATION: readonly Operation[] = [
  ["get", (store) => store.get("k")],
  ["getMany", (store) => store.getMany(["k"])],
  ["ttl", (store) => store.ttl("k")],
  ["ttlMany", (store) => store.ttlMany(["k"])],
  ["put", (store) => store.put("k", { v: 1 })],
  ["putMany", (store) => store.putMany([["k", { v: 1 }]])],
  ["delete", (store) => store.delete("k")],
  ["deleteMany", (store) => store.deleteMany(["k"])],
];

const CAPABILITY_OPERATIONS: Record<string, (store: Record<string, (...args: unknown[]) => unknown>) => Promise<unknown>> = {
  keys: (store) => collect(store.keys!() as AsyncIterable<string>),
  collections: (store) => collect(store.collections!() as AsyncIterable<string>),
  destroyCollection: (store) => store.destroyCollection!("c") as Promise<unknown>,
  destroy: (store) => store.destroy!() as Promise<unknown>,
  cull: (store) => store.cull!() as Promise<unknown>,
};

export function describeLifecycle(context: SuiteContext): void {
  describe("concurrency", () => {
    it(`${CONCURRENT_OPERATIONS} concurrent puts on different keys all land`, async () => {
      const store = context.store();
      const collection = context.collection();
      const keys = Array.from({ length: CONCURRENT_OPERATIONS }, (_, index) => `k${index}`);
      await Promise.all(keys.map((key, index) => store.put(key, { index }, { collection })));
      await expect(store.getMany(keys, { collection })).resolves.toEqual(keys.map((_, index) => ({ index })));
    });

    it(`${CONCURRENT_OPERATIONS} concurrent mixed operations on the same key settle on a value that was written`, async () => {
      const store = context.store();
      const collection = context.collection();
      const operations = Array.from({ length: CONCURRENT_OPERATIONS }, (_, index) => {
        switch (index % 5) {
          case 0:
            return store.get("hot", { collection });
          case 1:
            return store.getMany(["hot", "cold"], { collection });
          case 2:
            return store.putMany([["hot", { index }]], { collection });
          case 3:
            return store.ttl("hot", { collection });
          default:
            return store.put("hot", { index }, { collection });
        }
      });
      const results = await Promise.allSettled(operations);
      expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      const final = (await store.get("hot", { collection })) as { index: number };
      expect([2, 4]).toContain(final.index % 5);
    });

    it("concurrent batches over overlapping keys stay consistent", async () => {
      const store = context.store();
      const collection = context.collection();
      const batches = Array.from({ length: 20 }, (_, batch) =>
        Array.from({ length: 25 }, (_, index) => [`k${(batch * 7 + index) % 60}`, { batch }] as [string, JsonObject]),
      );
      await Promise.all(batches.map((batch) => store.putMany(batch, { collection })));
      const values = await store.getMany(
        Array.from({ length: 60 }, (_, index) => `k${index}`),
        { collection },
      );
      for (const value of values) {
        if (value !== undefined) expect(typeof value.batch).toBe("number");
      }
      expect(values.filter((value) => value !== undefined).length).toBe(60);
    });

    it("concurrent putMany and deleteMany over overlapping keys in different orders all succeed", async () => {
      const store = context.store();
      const collection = context.collection();
      // Each batch starts at another key and wraps around; every other one runs backwards, every fourth deletes.
      const batches = Array.from({ length: 20 }, (_, batch) => {
        const keys = Array.from({ length: 25 }, (_, index) => `k${(batch * 7 + index) % 60}`);
        return batch % 2 === 0 ? keys : keys.reverse();
      });
      const results = await Promise.allSettled(
        batches.map((keys, batch) =>
          batch % 4 === 3
            ? store.deleteMany(keys, { collection })
            : store.putMany(
                keys.map((key): [string, JsonObject] => [key, { batch }]),
                { collection },
              ),
        ),
      );
      expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      const keys = Array.from({ length: 60 }, (_, index) => `k${index}`);
      const values = await store.getMany(keys, { collection });
      values.forEach((value, index) => {
        if (value === undefined) return;
        const batch = value.batch as number;
        expect(batch % 4).not.toBe(3);
        expect(batches[batch]).toContain(keys[index]);
      });
    });

    it("first operations racing on a fresh store all succeed (setup runs once)", async () => {
      const store = await context.openStore();
      const collection = context.collection();
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, index) =>
          index % 2 === 0 ? store.put(`k${index}`, { index }, { collection }) : store.get(`k${index - 1}`, { collection }),
        ),
      );
      expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      const keys = Array.from({ length: 50 }, (_, index) => `k${index * 2}`);
      await expect(store.getMany(keys, { collection })).resolves.toEqual(keys.map((_, index) => ({ index: index * 2 })));
    });
  });

  describe("close", () => {
    it("after close every operation rejects with StoreClosedError; close is idempotent", async () => {
      const store = await context.openStore();
      await store.put("k", { v: 1 }, { collection: context.collection() });
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      for (const [, operation] of EVERY_OPERATION) {
        await expect(operation(store)).rejects.toBeInstanceOf(StoreClosedError);
      }
      const withCapabilities = store as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const capability of context.options.capabilities) {
        await expect(CAPABILITY_OPERATIONS[capability]!(withCapabilities)).rejects.toBeInstanceOf(StoreClosedError);
      }
    });

    it("a store never used can be closed", async () => {
      const store = await context.openStore();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.get("k")).rejects.toBeInstanceOf(StoreClosedError);
    });

    it("Symbol.asyncDispose closes the store (await using)", async () => {
      const store = await context.openStore();
      expect(typeof store[Symbol.asyncDispose]).toBe("function");
      await store[Symbol.asyncDispose]!();
      await expect(store.get("k")).rejects.toBeInstanceOf(StoreClosedError);
    });
  });

  if (context.options.persistent ?? true) {
    describe("persistence", () => {
      it("data written by one instance is read by a fresh instance", async () => {
        const collection = context.collection();
        const writer = await context.openStore();
        await writer.putMany(
          [
            ["a", { v: "a" }],
            ["b", { v: "b", nested: { list: [1, 2, 3] } }],
          ],
          { collection },
        );
        await writer.put("ttl", { v: "ttl" }, { collection, ttl: 120 });
        await writer.close();
        const reader = await context.openStore();
        await expect(reader.getMany(["a", "b"], { collection })).resolves.toEqual([{ v: "a" }, { v: "b", nested: { list: [1, 2, 3] } }]);
        const ttl = await reader.ttl("ttl", { collection });
        expect(ttl?.value).toEqual({ v: "ttl" });
        expect(ttl?.ttl).toBeGreaterThan(120 - (context.options.limits?.ttlToleranceSeconds ?? 2) - 1);
      });
    });
  }
}
