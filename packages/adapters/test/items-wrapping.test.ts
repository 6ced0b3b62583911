import { describe, expect, it } from "@jest/globals";
import { DeserializationError, InvalidArgumentError, SerializationError, type JsonObject } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";
import { detectItemsWrapping, TypedAdapter, type StandardSchemaV1 } from "../src/index.js";

/** A validator written by hand, with no library: anything with `~standard` works. */
const evenNumber: StandardSchemaV1<number> = {
  "~standard": {
    version: 1,
    vendor: "hand-written",
    validate: (value) =>
      typeof value === "number" && value % 2 === 0 ? { value } : { issues: [{ message: "expected an even number", path: [] }] },
  },
};

const throwing: StandardSchemaV1<JsonObject> = {
  "~standard": {
    version: 1,
    vendor: "broken",
    validate: () => {
      throw new Error("validator bug");
    },
  },
};

describe("detectItemsWrapping (PydanticAdapter's rule, from the output's JSON Schema)", () => {
  it.each([
    ["a zod object", "never", z.object({ a: z.string() })],
    ["a zod record", "never", z.record(z.string(), z.number())],
    ["a refined zod object", "never", z.object({ a: z.number() }).refine((x) => x.a > 0)],
    ["a zod array", "always", z.array(z.number())],
    ["a zod string", "always", z.string()],
    ["a zod union of objects", "always", z.union([z.object({ a: z.string() }), z.object({ b: z.string() })])],
    ["z.unknown()", "always", z.unknown()],
    ["a zod transform (no JSON Schema)", "non-objects", z.string().transform((s) => ({ s }))],
    ["an arktype object", "never", type({ a: "string" })],
    ["an arktype morph (output unknown to JSON Schema)", "always", type({ a: "string" }).pipe((x) => x.a)],
    ["a plain valibot object (no JSON Schema)", "non-objects", v.object({ a: v.string() })],
    ["a hand-written validator", "non-objects", evenNumber],
  ] as [string, string, StandardSchemaV1][])("%s → %s", (_name, expected, schema) => {
    expect(detectItemsWrapping(schema)).toBe(expected);
  });
});

describe("TypedAdapter layout options and edge cases", () => {
  it("wrap: true wraps even an object type; wrap: false stores as it is", async () => {
    const store = new MemoryStore();
    const wrapped = new TypedAdapter(store, z.object({ a: z.string() }), { wrap: true });
    expect(wrapped.wrapping).toBe("always");
    await wrapped.put("k", { a: "x" });
    await expect(store.get("k")).resolves.toEqual({ items: { a: "x" } });
    await expect(wrapped.get("k")).resolves.toEqual({ a: "x" });
    const bare = new TypedAdapter(store, z.array(z.number()), { wrap: false });
    expect(bare.wrapping).toBe("never");
    // An array cannot be stored bare: the store refuses it before writing.
    await expect(bare.put("list", [1])).rejects.toThrow(SerializationError);
    await expect(store.get("list")).resolves.toBeUndefined();
    expect(() => new TypedAdapter(store, z.string(), { wrap: "yes" as never })).toThrow(InvalidArgumentError);
  });

  it("decides per value for a schema without a JSON Schema, and reads both layouts", async () => {
    const store = new MemoryStore();
    const list = new TypedAdapter(store, v.array(v.number()));
    const withItemsField = new TypedAdapter(store, v.object({ items: v.array(v.number()) }));
    await list.put("list", [1, 2]);
    await withItemsField.put("object", { items: [3] });
    await expect(store.getMany(["list", "object"])).resolves.toEqual([{ items: [1, 2] }, { items: [3] }]);
    await expect(list.get("list")).resolves.toEqual([1, 2]);
    await expect(withItemsField.get("object")).resolves.toEqual({ items: [3] });
    await store.put("bad", { items: [1, "two"] });
    const error = await list.get("bad").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeserializationError);
    expect((error as Error).message).toContain("value[1]");
  });

  it("works with a hand-written Standard Schema validator", async () => {
    const store = new MemoryStore();
    const adapter = new TypedAdapter(store, evenNumber);
    await adapter.put("n", 4);
    await expect(store.get("n")).resolves.toEqual({ items: 4 });
    await expect(adapter.get("n")).resolves.toBe(4);
    await expect(adapter.put("n", 3)).rejects.toThrow(SerializationError);
  });

  it("wraps an error the validator throws, with its vendor named and the error as cause", async () => {
    const store = new MemoryStore({ seed: { default_collection: { k: { a: 1 } } } });
    const adapter = new TypedAdapter(store, throwing);
    const writeError = await adapter.put("k", { a: 2 }).catch((e: unknown) => e);
    expect(writeError).toBeInstanceOf(SerializationError);
    expect((writeError as Error).message).toContain("broken");
    expect(((writeError as Error).cause as Error).message).toBe("validator bug");
    const readError = await adapter.get("k").catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(DeserializationError);
    expect(readError).toMatchObject({ key: "k", collection: "default_collection" });
    await expect(store.get("k")).resolves.toEqual({ a: 1 });
  });

  it("refuses a putMany batch that is not an array of [key, value] pairs, before any write", async () => {
    const store = new MemoryStore();
    const adapter = new TypedAdapter(store, z.object({ a: z.string() }));
    await expect(adapter.putMany({} as never)).rejects.toThrow(InvalidArgumentError);
    await expect(adapter.putMany([["k", { a: "x" }], ["lonely"]] as never)).rejects.toThrow(InvalidArgumentError);
    await expect(store.get("k")).resolves.toBeUndefined();
  });

  it("refuses anything that is not a Standard Schema V1 validator", () => {
    const store = new MemoryStore();
    for (const notASchema of [undefined, null, {}, { "~standard": { version: 2, validate: () => ({ value: 1 }) } }, { parse: () => 1 }]) {
      expect(() => new TypedAdapter(store, notASchema as never)).toThrow(InvalidArgumentError);
    }
  });

  it("is loud about a schema whose output it does not accept again (a type-changing transform)", async () => {
    const store = new MemoryStore();
    const adapter = new TypedAdapter(store, z.object({ tags: z.string().transform((s) => s.split(",")) }));
    await adapter.put("k", { tags: "a,b" });
    await expect(store.get("k")).resolves.toEqual({ tags: ["a", "b"] });
    await expect(adapter.get("k")).rejects.toThrow(DeserializationError);
  });

  it("refuses an output that is not JSON with SerializationError, before any write", async () => {
    const store = new MemoryStore();
    const adapter = new TypedAdapter(store, z.object({ at: z.string().transform((s) => new Date(s)) }));
    await expect(adapter.put("k", { at: "2026-01-02T03:04:05Z" })).rejects.toThrow(SerializationError);
    await expect(store.get("k")).resolves.toBeUndefined();
  });
});
