import { describe, expect, it } from "@jest/globals";
import { ANY_NAMES } from "@kv/core/conformance";
import * as fc from "fast-check";
import { MemcachedCollectionSanitizationStrategy, MemcachedKeySanitizationStrategy, MemcachedV1KeySanitizationStrategy, isMemcachedKey } from "../src/sanitization.js";

const keys = new MemcachedKeySanitizationStrategy();
const collections = new MemcachedCollectionSanitizationStrategy();
const storageKey = (collection: string, key: string): string => keys.sanitize(`${collections.sanitize(collection)}::${key}`);

describe("isMemcachedKey", () => {
  it("takes up to 250 UTF-8 bytes without whitespace or control characters", () => {
    expect(isMemcachedKey("x".repeat(250))).toBe(true);
    expect(isMemcachedKey("x".repeat(251))).toBe(false);
    expect(isMemcachedKey("é".repeat(125))).toBe(true);
    expect(isMemcachedKey(`${"é".repeat(125)}x`)).toBe(false);
    expect(isMemcachedKey("日本語::🎉")).toBe(true);
    for (const bad of ["", "a b", "a\tb", "a\u0000b", "a\u007fb", "a\u0085b", "a\u00a0b", "a\u3000b", "a\u2028b"]) expect(isMemcachedKey(bad)).toBe(false);
  });
});

describe("MemcachedKeySanitizationStrategy", () => {
  it("gives a valid memcached key for every name in the conformance corpus", () => {
    for (const collection of ANY_NAMES) for (const key of ANY_NAMES) expect(isMemcachedKey(storageKey(collection, key))).toBe(true);
  });

  it("gives valid, distinct keys for arbitrary (collection, key) pairs (property-based)", () => {
    // A small alphabet of separators and marker letters makes near-collisions (a::b + c, a + b::c) likely.
    const tricky = fc.string({ unit: fc.constantFrom("a", ":", " ", "S", "H", "_", "-", "é"), minLength: 1, maxLength: 12 });
    const name = fc.oneof(tricky, fc.string({ unit: "binary", minLength: 1, maxLength: 300 }));
    fc.assert(
      fc.property(name, name, name, name, (c1, k1, c2, k2) => {
        expect(isMemcachedKey(storageKey(c1, k1))).toBe(true);
        if (c1 !== c2 || k1 !== k2) expect(storageKey(c1, k1)).not.toBe(storageKey(c2, k2));
      }),
      { numRuns: 2_000 },
    );
  });

  it("never changes an acceptable name, and never refuses one", () => {
    expect(keys.sanitize("default_collection::k")).toBe("default_collection::k");
    expect(() => keys.validate("H_anything")).not.toThrow();
  });
});

describe("MemcachedV1KeySanitizationStrategy", () => {
  it("is py-key-value's HashExcessLengthStrategy(240)", () => {
    const v1 = new MemcachedV1KeySanitizationStrategy();
    expect(v1.sanitize("x".repeat(240))).toBe("x".repeat(240));
    expect(v1.sanitize("x".repeat(241))).toBe("H_7dbf05774ebc8b0213e8f74d789e344714ca95a03e019d92c8d48365045b7989");
    expect(() => v1.validate("S_abc")).toThrow();
  });
});
