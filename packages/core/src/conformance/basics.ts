import { describe, expect, it } from "@jest/globals";
import { DEFAULT_COLLECTION } from "../types.js";
import type { SuiteContext } from "./context.js";

export function describeBasics(context: SuiteContext): void {
  describe("every method", () => {
    it("get of a missing key resolves to undefined", async () => {
      const collection = context.collection();
      await expect(context.store().get("missing", { collection })).resolves.toBeUndefined();
      await expect(context.store().ttl("missing", { collection })).resolves.toBeUndefined();
    });

    it("put then get returns the value; put replaces value and expiry", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.put("k", { v: 1 }, { collection, ttl: 60 });
      await expect(store.get("k", { collection })).resolves.toEqual({ v: 1 });
      await store.put("k", { v: 2, extra: [true] }, { collection });
      await expect(store.get("k", { collection })).resolves.toEqual({ v: 2, extra: [true] });
      await expect(store.ttl("k", { collection })).resolves.toEqual({ value: { v: 2, extra: [true] }, ttl: undefined });
    });

    it("get returns a fresh object: mutating the put or the returned object changes nothing stored", async () => {
      const store = context.store();
      const collection = context.collection();
      const value = { nested: { list: [1, 2] }, n: 1 };
      await store.put("k", value, { collection });
      value.nested.list.push(3);
      value.n = 99;
      const first = await store.get("k", { collection });
      expect(first).toEqual({ nested: { list: [1, 2] }, n: 1 });
      (first as { n: number }).n = 42;
      ((first as { nested: { list: number[] } }).nested.list as number[]).length = 0;
      await expect(store.get("k", { collection })).resolves.toEqual({ nested: { list: [1, 2] }, n: 1 });
      const second = await store.get("k", { collection });
      expect(second).not.toBe(await store.get("k", { collection }));
    });

    it("getMany and ttlMany answer one slot per key in request order, duplicates twice, missing as undefined", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.putMany(
        [
          ["a", { n: "a" }],
          ["b", { n: "b" }],
        ],
        { collection },
      );
      await expect(store.getMany(["b", "missing", "a", "b"], { collection })).resolves.toEqual([{ n: "b" }, undefined, { n: "a" }, { n: "b" }]);
      await expect(store.ttlMany(["a", "missing", "a"], { collection })).resolves.toEqual([
        { value: { n: "a" }, ttl: undefined },
        undefined,
        { value: { n: "a" }, ttl: undefined },
      ]);
      const many = await store.getMany(["a", "a"], { collection });
      expect(many[0]).not.toBe(many[1]);
    });

    it("empty batches resolve at once", async () => {
      const store = context.store();
      const collection = context.collection();
      await expect(store.getMany([], { collection })).resolves.toEqual([]);
      await expect(store.ttlMany([], { collection })).resolves.toEqual([]);
      await expect(store.putMany([], { collection })).resolves.toBeUndefined();
      await expect(store.deleteMany([], { collection })).resolves.toBe(0);
    });

    it("putMany with a key twice keeps the last value", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.putMany(
        [
          ["dup", { n: 1 }],
          ["other", { n: 2 }],
          ["dup", { n: 3 }],
        ],
        { collection },
      );
      await expect(store.getMany(["dup", "other"], { collection })).resolves.toEqual([{ n: 3 }, { n: 2 }]);
    });

    it("delete resolves true for a live entry and false otherwise", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.put("k", { v: 1 }, { collection });
      await expect(store.delete("k", { collection })).resolves.toBe(true);
      await expect(store.get("k", { collection })).resolves.toBeUndefined();
      await expect(store.delete("k", { collection })).resolves.toBe(false);
      await expect(store.delete("never-there", { collection })).resolves.toBe(false);
    });

    it("deleteMany counts the live entries removed, each key once", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.putMany(
        [
          ["a", { v: 1 }],
          ["b", { v: 2 }],
          ["c", { v: 3 }],
        ],
        { collection },
      );
      await expect(store.deleteMany(["a", "b", "a", "missing"], { collection })).resolves.toBe(2);
      await expect(store.getMany(["a", "b", "c"], { collection })).resolves.toEqual([undefined, undefined, { v: 3 }]);
      await expect(store.deleteMany(["a", "b"], { collection })).resolves.toBe(0);
    });

    it("an operation without a collection uses the default collection", async () => {
      const store = context.store();
      const key = context.collection("default-key");
      const defaultCollection = (store as { defaultCollection?: string }).defaultCollection ?? DEFAULT_COLLECTION;
      await store.put(key, { where: "default" });
      await expect(store.get(key, { collection: defaultCollection })).resolves.toEqual({ where: "default" });
      await expect(store.get(key)).resolves.toEqual({ where: "default" });
      await expect(store.delete(key)).resolves.toBe(true);
    });

    it("collections are isolated", async () => {
      const store = context.store();
      const left = context.collection("left");
      const right = context.collection("right");
      await store.put("same", { side: "left" }, { collection: left });
      await store.put("same", { side: "right" }, { collection: right });
      await expect(store.get("same", { collection: left })).resolves.toEqual({ side: "left" });
      await expect(store.get("same", { collection: right })).resolves.toEqual({ side: "right" });
      await expect(store.delete("same", { collection: left })).resolves.toBe(true);
      await expect(store.get("same", { collection: right })).resolves.toEqual({ side: "right" });
      await expect(store.deleteMany(["same"], { collection: left })).resolves.toBe(0);
    });
  });
}
