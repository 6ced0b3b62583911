import { describe, expect, it } from "@jest/globals";
import { InvalidTtlError } from "../errors.js";
import type { JsonObject } from "../types.js";
import { INVALID_TTLS } from "./corpus.js";
import { collect, sleep, type SuiteContext } from "./context.js";

/** Long enough to be seen alive on a slow backend, short enough to keep the suite fast. */
const SHORT_TTL_SECONDS = 2;
/** How early before expiry a read still has to see an entry alive: a loaded machine may read late. */
const ALIVE_MARGIN_MS = 300;

export function describeTtl(context: SuiteContext): void {
  const tolerance = context.options.limits?.ttlToleranceSeconds ?? 2;

  describe("time to live", () => {
    it("reports the remaining TTL within tolerance, and undefined for entries that never expire", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.put("ttl", { v: 1 }, { collection, ttl: 100 });
      await store.put("fraction", { v: 2 }, { collection, ttl: 12.5 });
      await store.put("forever", { v: 3 }, { collection });
      const [ttl, fraction, forever] = await store.ttlMany(["ttl", "fraction", "forever"], { collection });
      expect(ttl?.value).toEqual({ v: 1 });
      expect(ttl?.ttl).toBeLessThanOrEqual(100);
      expect(ttl?.ttl).toBeGreaterThan(100 - tolerance);
      expect(fraction?.ttl).toBeLessThanOrEqual(12.5);
      expect(fraction?.ttl).toBeGreaterThan(12.5 - tolerance);
      expect(forever).toEqual({ value: { v: 3 }, ttl: undefined });
      const single = await store.ttl("ttl", { collection });
      expect(single?.ttl).toBeGreaterThan(100 - tolerance);
    });

    it("a putMany batch shares one expiry", async () => {
      const store = context.store();
      const collection = context.collection();
      const keys = Array.from({ length: 50 }, (_, index) => `k${index}`);
      await store.putMany(
        keys.map((key) => [key, { key }] as [string, JsonObject]),
        { collection, ttl: 300 },
      );
      const results = await store.ttlMany(keys, { collection });
      const remaining = results.map((result) => result?.ttl ?? Number.NaN);
      expect(remaining.every((ttl) => ttl > 300 - tolerance && ttl <= 300)).toBe(true);
      expect(Math.max(...remaining) - Math.min(...remaining)).toBeLessThan(0.05);
    });

    it("an expired entry is seen by no read method, and deleting it returns false", async () => {
      const store = context.store();
      const collection = context.collection("expiring");
      const onlyExpired = context.collection("only-expired");
      const start = Date.now();
      await store.putMany(
        [
          ["a", { v: "a" }],
          ["b", { v: "b" }],
          ["c", { v: "c" }],
          ["d", { v: "d" }],
        ],
        { collection, ttl: SHORT_TTL_SECONDS },
      );
      await store.put("single", { v: "single" }, { collection, ttl: SHORT_TTL_SECONDS });
      await store.put("replaced", { v: "old" }, { collection, ttl: SHORT_TTL_SECONDS });
      await store.put("replaced", { v: "new" }, { collection });
      await store.put("stays", { v: "stays" }, { collection, ttl: 600 });
      await store.put("gone", { v: "gone" }, { collection: onlyExpired, ttl: SHORT_TTL_SECONDS });
      const lastShortWrite = Date.now();
      const alive = await Promise.all([store.get("a", { collection }), store.get("single", { collection })]);
      // Seen alive only while certainly before expiry; on a machine so loaded that the writes took the whole TTL, only expiry is checked.
      if (Date.now() - start < SHORT_TTL_SECONDS * 1000 - ALIVE_MARGIN_MS) expect(alive).toEqual([{ v: "a" }, { v: "single" }]);

      // Every short-lived entry was written by now, so every one of them has expired 150 ms after its TTL from here.
      await sleep(Math.max(0, lastShortWrite + SHORT_TTL_SECONDS * 1000 + 150 - Date.now()));

      await expect(store.get("a", { collection })).resolves.toBeUndefined();
      await expect(store.get("single", { collection })).resolves.toBeUndefined();
      await expect(store.getMany(["a", "b", "stays"], { collection })).resolves.toEqual([undefined, undefined, { v: "stays" }]);
      await expect(store.ttl("b", { collection })).resolves.toBeUndefined();
      await expect(store.ttlMany(["b", "stays"], { collection })).resolves.toEqual([undefined, expect.objectContaining({ value: { v: "stays" } })]);
      await expect(store.get("replaced", { collection })).resolves.toEqual({ v: "new" });
      await expect(store.delete("c", { collection })).resolves.toBe(false);
      await expect(store.deleteMany(["d", "single", "stays"], { collection })).resolves.toBe(1);
      if (context.has("keys")) {
        const keys = await collect((store as unknown as { keys(o: object): AsyncIterable<string> }).keys({ collection }));
        expect(keys.sort()).toEqual(["replaced"]);
        await expect(collect((store as unknown as { keys(o: object): AsyncIterable<string> }).keys({ collection: onlyExpired }))).resolves.toEqual([]);
      }
      if (context.has("collections")) {
        const collections = await collect((store as unknown as { collections(): AsyncIterable<string> }).collections());
        expect(collections).toContain(collection);
        expect(collections).not.toContain(onlyExpired);
      }
    });

    for (const [name, ttl] of INVALID_TTLS) {
      it(`put and putMany refuse a TTL that is ${name} with InvalidTtlError, writing nothing`, async () => {
        const store = context.store();
        const collection = context.collection();
        await expect(store.put("k", { v: 1 }, { collection, ttl: ttl as number })).rejects.toBeInstanceOf(InvalidTtlError);
        await expect(store.putMany([["k", { v: 1 }]], { collection, ttl: ttl as number })).rejects.toBeInstanceOf(InvalidTtlError);
        await expect(store.get("k", { collection })).resolves.toBeUndefined();
      });
    }
  });
}
