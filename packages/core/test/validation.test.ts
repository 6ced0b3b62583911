import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, InvalidKeyError, InvalidTtlError, assertValidLimit, assertValidName, assertValidTtl } from "../src/index.js";

describe("argument validation shared by stores and wrappers", () => {
  it("assertValidName accepts any non-empty well-formed string and refuses the rest", () => {
    expect(() => assertValidName("a::b/🎉", "key")).not.toThrow();
    for (const bad of ["", "\uD800", 42, null, undefined]) expect(() => assertValidName(bad, "collection")).toThrow(InvalidKeyError);
  });

  it("assertValidTtl accepts undefined and finite positive seconds", () => {
    for (const good of [undefined, 0.001, 60]) expect(() => assertValidTtl(good)).not.toThrow();
    for (const bad of [0, -1, Number.NaN, Infinity, "5", true, null, 1e12]) expect(() => assertValidTtl(bad)).toThrow(InvalidTtlError);
  });

  it("assertValidLimit accepts undefined and whole numbers ≥ 0", () => {
    for (const good of [undefined, 0, 10]) expect(() => assertValidLimit(good)).not.toThrow();
    for (const bad of [-1, 1.5, "3", Number.NaN]) expect(() => assertValidLimit(bad)).toThrow(InvalidArgumentError);
  });
});
