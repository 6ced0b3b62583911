import { runInNewContext } from "node:vm";
import { describe, expect, it } from "@jest/globals";
import { SerializationError, assertJsonObject, isWellFormedString } from "../src/index.js";
import { BAD_VALUES, VALUE_CORPUS } from "../src/conformance/corpus.js";

describe("assertJsonObject", () => {
  it.each(VALUE_CORPUS.map(([name, value]) => [name, value] as const))("accepts %s", (_name, value) => {
    expect(() => assertJsonObject(value)).not.toThrow();
  });

  it.each(BAD_VALUES.map(([name, make]) => [name, make] as const))("refuses %s", (_name, make) => {
    expect(() => assertJsonObject(make())).toThrow(SerializationError);
  });

  it("accepts null-prototype objects and -0", () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1, b: -0 });
    expect(() => assertJsonObject(bare)).not.toThrow();
  });

  it("accepts plain objects and arrays of another realm, and refuses its class instances and maps", () => {
    const foreign = runInNewContext('({ plain: { a: 1, list: [1, { b: "x" }] }, instance: new (class Point { constructor() { this.x = 1; } })(), map: new Map(), date: new Date(0), inheriting: Object.create({ inherited: 1 }) })') as Record<string, object>;
    expect(Object.getPrototypeOf(foreign.plain)).not.toBe(Object.prototype);
    expect(() => assertJsonObject(foreign.plain)).not.toThrow();
    expect(() => assertJsonObject({ nested: foreign.plain })).not.toThrow();
    for (const name of ["instance", "map", "date", "inheriting"]) expect(() => assertJsonObject(foreign[name])).toThrow(SerializationError);
  });

  it("accepts the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(() => assertJsonObject({ a: shared, b: shared, list: [shared, shared] })).not.toThrow();
  });

  it("names the path of the offending value and the key and collection", () => {
    let thrown: unknown;
    try {
      assertJsonObject({ outer: { list: [1, { bad: Number.NaN }] } }, { key: "k", collection: "c" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as Error).message).toContain('["outer"]["list"][1]["bad"]');
    expect((thrown as SerializationError).key).toBe("k");
    expect((thrown as SerializationError).collection).toBe("c");
  });
});

describe("isWellFormedString", () => {
  it("finds lone surrogates and accepts pairs", () => {
    expect(isWellFormedString("🎉 ok")).toBe(true);
    expect(isWellFormedString("\uD83C")).toBe(false);
    expect(isWellFormedString("\uDF89x")).toBe(false);
    expect(isWellFormedString("\uD83C\uD83C\uDF89")).toBe(false);
  });
});
