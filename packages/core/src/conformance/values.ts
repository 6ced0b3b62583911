import { describe, expect, it } from "@jest/globals";
import * as fc from "fast-check";
import { SerializationError, ValueTooLargeError } from "../errors.js";
import type { JsonObject } from "../types.js";
import { BAD_VALUES, VALUE_CORPUS } from "./corpus.js";
import { roundTripped, type SuiteContext } from "./context.js";

const UNBOUNDED_LARGE_VALUE_BYTES = 2 * 1024 * 1024;
/** Room left for the envelope (times, names, version) beside the value. */
const ENVELOPE_ALLOWANCE_BYTES = 2 * 1024;

function valueOfSize(bytes: number): JsonObject {
  return { blob: "v".repeat(Math.max(0, bytes - 12)) };
}

export function describeValues(context: SuiteContext): void {
  describe("values", () => {
    it.each(VALUE_CORPUS.map(([name, value]) => [name, value] as const))("round-trips %s", async (_name, value) => {
      const store = context.store();
      const collection = context.collection();
      await store.put("value", value, { collection });
      await expect(store.get("value", { collection })).resolves.toEqual(roundTripped(value));
    });

    it("round-trips the whole corpus in one putMany/getMany", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.putMany(VALUE_CORPUS, { collection });
      const values = await store.getMany(
        VALUE_CORPUS.map(([name]) => name),
        { collection },
      );
      expect(values).toEqual(VALUE_CORPUS.map(([, value]) => roundTripped(value)));
    });

    const maxEntryBytes = context.options.limits?.maxEntryBytes;
    if (maxEntryBytes === undefined) {
      it("round-trips a 2 MB value", async () => {
        const store = context.store();
        const collection = context.collection();
        const value = valueOfSize(UNBOUNDED_LARGE_VALUE_BYTES);
        await store.put("large", value, { collection });
        await expect(store.get("large", { collection })).resolves.toEqual(value);
      });
    } else {
      it(`round-trips a value just under the backend's limit of ${maxEntryBytes} bytes`, async () => {
        const store = context.store();
        const collection = context.collection();
        const value = valueOfSize(maxEntryBytes - ENVELOPE_ALLOWANCE_BYTES);
        await store.put("near-limit", value, { collection });
        await expect(store.get("near-limit", { collection })).resolves.toEqual(value);
      });

      it("refuses a value over the backend's limit with ValueTooLargeError, writing nothing", async () => {
        const store = context.store();
        const collection = context.collection();
        const value = valueOfSize(maxEntryBytes + 1024);
        await expect(store.put("too-large", value, { collection })).rejects.toBeInstanceOf(ValueTooLargeError);
        await expect(store.get("too-large", { collection })).resolves.toBeUndefined();
        await expect(
          store.putMany(
            [
              ["fits", { small: true }],
              ["too-large", value],
            ],
            { collection },
          ),
        ).rejects.toBeInstanceOf(ValueTooLargeError);
        await expect(store.get("too-large", { collection })).resolves.toBeUndefined();
      });
    }

    it("round-trips arbitrary JSON objects (property-based)", async () => {
      const store = context.store();
      const collection = context.collection();
      const objects = fc.dictionary(fc.string({ unit: "grapheme", maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });
      let counter = 0;
      await fc.assert(
        fc.asyncProperty(objects, async (value) => {
          const key = `prop-${counter++}`;
          await store.put(key, value as JsonObject, { collection });
          expect(await store.get(key, { collection })).toEqual(roundTripped(value as JsonObject));
          const [many] = await store.getMany([key], { collection });
          expect(many).toEqual(roundTripped(value as JsonObject));
        }),
        { numRuns: context.options.propertyRuns ?? 40 },
      );
    });
  });

  describe("bad values", () => {
    it.each(BAD_VALUES.map(([name, make]) => [name, make] as const))("put refuses %s with SerializationError", async (_name, make) => {
      const store = context.store();
      const collection = context.collection();
      await expect(store.put("bad", make() as JsonObject, { collection })).rejects.toBeInstanceOf(SerializationError);
      await expect(store.get("bad", { collection })).resolves.toBeUndefined();
    });

    it.each(BAD_VALUES.map(([name, make]) => [name, make] as const))(
      "putMany with one value that is %s writes nothing",
      async (_name, make) => {
        const store = context.store();
        const collection = context.collection();
        const batch: [string, JsonObject][] = [
          ["good-1", { ok: 1 }],
          ["bad", make() as JsonObject],
          ["good-2", { ok: 2 }],
        ];
        await expect(store.putMany(batch, { collection })).rejects.toBeInstanceOf(SerializationError);
        await expect(store.getMany(["good-1", "bad", "good-2"], { collection })).resolves.toEqual([undefined, undefined, undefined]);
      },
    );

    it("a refused put leaves the previous value in place", async () => {
      const store = context.store();
      const collection = context.collection();
      await store.put("k", { before: true }, { collection });
      await expect(store.put("k", { n: Number.NaN }, { collection })).rejects.toBeInstanceOf(SerializationError);
      await expect(store.get("k", { collection })).resolves.toEqual({ before: true });
    });
  });
}
