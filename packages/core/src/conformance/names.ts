import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError } from "../errors.js";
import type { AsyncKeyValue, JsonObject, KeyValueOptions } from "../types.js";
import { ANY_NAMES, INVALID_NAMES } from "./corpus.js";
import { collect, uniqueName, type SuiteContext } from "./context.js";

type Call = (store: AsyncKeyValue, name: never, options: KeyValueOptions) => Promise<unknown>;

const KEY_CALLS: readonly (readonly [string, Call])[] = [
  ["get", (store, key, options) => store.get(key, options)],
  ["getMany", (store, key, options) => store.getMany(["ok", key], options)],
  ["ttl", (store, key, options) => store.ttl(key, options)],
  ["ttlMany", (store, key, options) => store.ttlMany([key], options)],
  ["put", (store, key, options) => store.put(key, { v: 1 }, options)],
  ["putMany", (store, key, options) => store.putMany([["ok", { v: 1 }], [key, { v: 1 }]], options)],
  ["delete", (store, key, options) => store.delete(key, options)],
  ["deleteMany", (store, key, options) => store.deleteMany(["ok", key], options)],
];

const COLLECTION_CALLS: readonly (readonly [string, Call])[] = [
  ["get", (store, collection) => store.get("ok", { collection })],
  ["getMany", (store, collection) => store.getMany(["ok"], { collection })],
  ["ttl", (store, collection) => store.ttl("ok", { collection })],
  ["ttlMany", (store, collection) => store.ttlMany(["ok"], { collection })],
  ["put", (store, collection) => store.put("ok", { v: 1 }, { collection })],
  ["putMany", (store, collection) => store.putMany([["ok", { v: 1 }]], { collection })],
  ["delete", (store, collection) => store.delete("ok", { collection })],
  ["deleteMany", (store, collection) => store.deleteMany(["ok"], { collection })],
];

export function describeNames(context: SuiteContext): void {
  describe("keys and collections", () => {
    it("holds any key up to 1,000 characters and returns it unchanged", async () => {
      const store = context.store();
      const collection = context.collection();
      const entries = ANY_NAMES.map((key, index) => [key, { index, key }] as [string, JsonObject]);
      await store.putMany(entries, { collection });
      await expect(store.getMany(ANY_NAMES, { collection })).resolves.toEqual(entries.map(([, value]) => value));
      for (const [key, value] of entries) {
        await expect(store.get(key, { collection })).resolves.toEqual(value);
      }
      if (context.has("keys")) {
        const keys = await collect((store as unknown as { keys(o: object): AsyncIterable<string> }).keys({ collection }));
        expect([...keys].sort()).toEqual([...ANY_NAMES].sort());
      }
      await expect(store.deleteMany(ANY_NAMES, { collection })).resolves.toBe(ANY_NAMES.length);
    });

    it("holds any collection name up to 1,000 characters and returns it unchanged", async () => {
      const store = context.store();
      const key = uniqueName("key");
      await Promise.all(ANY_NAMES.map((collection, index) => store.put(key, { index }, { collection })));
      const values = await Promise.all(ANY_NAMES.map((collection) => store.get(key, { collection })));
      expect(values).toEqual(ANY_NAMES.map((_, index) => ({ index })));
      if (context.has("keys")) {
        for (const collection of ANY_NAMES) {
          const keys = await collect((store as unknown as { keys(o: object): AsyncIterable<string> }).keys({ collection }));
          expect(keys).toContain(key);
        }
      }
      if (context.has("collections")) {
        const collections = await collect((store as unknown as { collections(): AsyncIterable<string> }).collections());
        for (const collection of ANY_NAMES) expect(collections).toContain(collection);
      }
      const removed = await Promise.all(ANY_NAMES.map((collection) => store.delete(key, { collection })));
      expect(removed.every(Boolean)).toBe(true);
    });

    it("no choice of key and collection makes two pairs collide", async () => {
      const store = context.store();
      const base = context.collection("a");
      // Whatever separator a layout joins collection and key with, these pairs would meet there.
      const separators = ["::", ":", "/", "\\", "|", "#", ".", "-", "_", " ", "\u0000", "::/"];
      const pairs: [string, string][] = separators.flatMap((separator) => [
        [base, `b${separator}c`],
        [`${base}${separator}b`, "c"],
      ]);
      pairs.push([`${base}::`, "b::c"], [`${base}::b::c`, "x"], [base, "B::C"]);
      await Promise.all(pairs.map(([collection, key], index) => store.put(key, { index }, { collection })));
      const values = await Promise.all(pairs.map(([collection, key]) => store.get(key, { collection })));
      expect(values).toEqual(pairs.map((_, index) => ({ index })));
    });

    it("keys that differ only in case are distinct", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.putMany(
        [
          ["Key", { v: "upper" }],
          ["key", { v: "lower" }],
          ["KEY", { v: "all" }],
        ],
        { collection },
      );
      await expect(store.getMany(["Key", "key", "KEY"], { collection })).resolves.toEqual([{ v: "upper" }, { v: "lower" }, { v: "all" }]);
    });

    for (const [callName, call] of KEY_CALLS) {
      it(`${callName} refuses every invalid key with InvalidKeyError before writing`, async () => {
        const store = context.store();
        const collection = context.collection();
        for (const [, key] of INVALID_NAMES) {
          await expect(call(store, key as never, { collection })).rejects.toBeInstanceOf(InvalidKeyError);
        }
        await expect(store.get("ok", { collection })).resolves.toBeUndefined();
      });

      const [, collectionCall] = COLLECTION_CALLS.find(([name]) => name === callName)!;
      it(`${callName} refuses every invalid collection with InvalidKeyError before writing`, async () => {
        const store = context.store();
        // `collection: null` means "no collection", as in py-key-value, so it is not among these.
        for (const [, collection] of INVALID_NAMES.filter(([, name]) => name !== null)) {
          await expect(collectionCall(store, collection as never, {})).rejects.toBeInstanceOf(InvalidKeyError);
        }
      });
    }
  });
}
