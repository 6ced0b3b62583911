import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError } from "../errors.js";
import { CAPABILITIES, type JsonObject } from "../types.js";
import { collect, sleep, type ConformanceStore, type SuiteContext } from "./context.js";

type FullStore = ConformanceStore & {
  keys(options?: { collection?: string; limit?: number }): AsyncIterable<string>;
  collections(options?: { limit?: number }): AsyncIterable<string>;
  destroyCollection(collection: string): Promise<boolean>;
  destroy(): Promise<boolean>;
  cull(): Promise<void>;
};

const PAGED_KEY_COUNT = 1_234;

export function describeCapabilities(context: SuiteContext): void {
  const store = (): FullStore => context.store() as FullStore;

  describe("optional capabilities", () => {
    it(`offers exactly the declared capabilities: ${context.options.capabilities.join(", ") || "none"}`, () => {
      for (const capability of CAPABILITIES) {
        const offered = typeof (context.store() as unknown as Record<string, unknown>)[capability] === "function";
        expect({ capability, offered }).toEqual({ capability, offered: context.has(capability) });
      }
    });

    if (context.has("keys")) {
      it(`keys pages through ${PAGED_KEY_COUNT} entries, yielding each once`, async () => {
        const collection = context.collection();
        const keys = Array.from({ length: PAGED_KEY_COUNT }, (_, index) => `key-${index}`);
        await store().putMany(
          keys.map((key) => [key, { key }] as [string, JsonObject]),
          { collection },
        );
        const listed = await collect(store().keys({ collection }));
        expect(listed.length).toBe(PAGED_KEY_COUNT);
        expect(new Set(listed)).toEqual(new Set(keys));
      });

      it("keys honours limit, and refuses a bad limit", async () => {
        const collection = context.collection();
        await store().putMany(
          Array.from({ length: 30 }, (_, index) => [`k${index}`, { index }] as [string, JsonObject]),
          { collection },
        );
        const limited = await collect(store().keys({ collection, limit: 10 }));
        expect(limited.length).toBe(10);
        expect(new Set(limited).size).toBe(10);
        await expect(collect(store().keys({ collection, limit: 0 }))).resolves.toEqual([]);
        await expect(collect(store().keys({ collection, limit: 100 }))).resolves.toHaveLength(30);
        await expect(collect(store().keys({ collection, limit: -1 }))).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(collect(store().keys({ collection, limit: 1.5 }))).rejects.toBeInstanceOf(InvalidArgumentError);
      });

      it("keys of an empty collection yields nothing; keys are isolated per collection", async () => {
        const empty = context.collection("empty");
        const left = context.collection("left");
        const right = context.collection("right");
        await expect(collect(store().keys({ collection: empty }))).resolves.toEqual([]);
        await store().put("only-left", { v: 1 }, { collection: left });
        await store().put("only-right", { v: 1 }, { collection: right });
        await expect(collect(store().keys({ collection: left }))).resolves.toEqual(["only-left"]);
      });
    }

    if (context.has("collections")) {
      it("collections lists the collections that hold entries, and honours limit", async () => {
        const names = [context.collection("c1"), context.collection("c2"), context.collection("c3")];
        await Promise.all(names.map((collection) => store().put("k", { v: 1 }, { collection })));
        const listed = await collect(store().collections());
        for (const name of names) expect(listed).toContain(name);
        expect(new Set(listed).size).toBe(listed.length);
        await expect(collect(store().collections({ limit: 2 }))).resolves.toHaveLength(2);
        await expect(collect(store().collections({ limit: 0 }))).resolves.toEqual([]);
        await expect(collect(store().collections({ limit: -3 }))).rejects.toBeInstanceOf(InvalidArgumentError);
        await Promise.all(names.map((collection) => store().delete("k", { collection })));
      });
    }

    if (context.has("destroyCollection")) {
      it("destroyCollection removes one collection and everything in it, and nothing else", async () => {
        const doomed = context.collection("doomed");
        const kept = context.collection("kept");
        await store().putMany(
          [
            ["a", { v: 1 }],
            ["b", { v: 2 }],
          ],
          { collection: doomed },
        );
        await store().put("a", { v: "kept" }, { collection: kept });
        await expect(store().destroyCollection(doomed)).resolves.toBe(true);
        await expect(store().getMany(["a", "b"], { collection: doomed })).resolves.toEqual([undefined, undefined]);
        await expect(store().get("a", { collection: kept })).resolves.toEqual({ v: "kept" });
        if (context.has("keys")) await expect(collect(store().keys({ collection: doomed }))).resolves.toEqual([]);
        if (context.has("collections")) expect(await collect(store().collections())).not.toContain(doomed);
        await store().put("again", { v: 3 }, { collection: doomed });
        await expect(store().get("again", { collection: doomed })).resolves.toEqual({ v: 3 });
      });
    }

    if (context.has("cull")) {
      it("cull removes expired entries and keeps live ones", async () => {
        const collection = context.collection();
        await store().put("expires", { v: 1 }, { collection, ttl: 0.3 });
        await store().put("lives", { v: 2 }, { collection, ttl: 600 });
        await store().put("forever", { v: 3 }, { collection });
        await sleep(450);
        await expect(store().cull()).resolves.toBeUndefined();
        await expect(store().getMany(["expires", "lives", "forever"], { collection })).resolves.toEqual([undefined, { v: 2 }, { v: 3 }]);
        if (context.has("keys")) expect((await collect(store().keys({ collection }))).sort()).toEqual(["forever", "lives"]);
      });
    }

    if (context.has("destroy")) {
      it("destroy removes everything the store owns, leaves foreign data alone, and the store stays usable", async () => {
        const collection = context.collection();
        const foreign = context.options.createForeignStore ? await context.options.createForeignStore() : undefined;
        try {
          await foreign?.put("foreign", { owner: "someone else" }, { collection });
          await store().putMany(
            [
              ["a", { v: 1 }],
              ["b", { v: 2 }],
            ],
            { collection },
          );
          await expect(store().destroy()).resolves.toBe(true);
          await expect(store().getMany(["a", "b"], { collection })).resolves.toEqual([undefined, undefined]);
          if (foreign) await expect(foreign.get("foreign", { collection })).resolves.toEqual({ owner: "someone else" });
          await store().put("after", { v: 3 }, { collection });
          await expect(store().get("after", { collection })).resolves.toEqual({ v: 3 });
        } finally {
          await foreign?.delete("foreign", { collection });
          await foreign?.close();
        }
      });
    }
  });
}
