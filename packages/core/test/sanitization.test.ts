import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AcceptOrMapStrategy,
  AlwaysHashStrategy,
  HashExcessLengthStrategy,
  HybridSanitizationStrategy,
  InvalidArgumentError,
  InvalidKeyError,
  PassthroughStrategy,
  type HybridSanitizationOptions,
  type SanitizationStrategy,
} from "../src/index.js";

interface Vector {
  strategy: string;
  options: Record<string, unknown>;
  input: string;
  output: string;
  refused: boolean;
}

/** Written by py-key-value's own strategies: tooling/interop/sanitization_vectors.py. */
const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "sanitization-vectors.json"), "utf8")) as {
  allowed: Record<string, string>;
  vectors: Vector[];
};

function build(vector: Vector): SanitizationStrategy {
  const options = vector.options;
  switch (vector.strategy) {
    case "PassthroughStrategy":
      return new PassthroughStrategy();
    case "AlwaysHashStrategy":
      return new AlwaysHashStrategy(options as { hashLength?: number });
    case "HashExcessLengthStrategy":
      return new HashExcessLengthStrategy(options as { maxLength?: number });
    default: {
      const hybrid = { ...options } as HybridSanitizationOptions;
      if (typeof options.allowedCharacters === "string") hybrid.allowedCharacters = fixture.allowed[options.allowedCharacters];
      return new HybridSanitizationStrategy(hybrid);
    }
  }
}

describe("sanitization strategies match py-key-value byte for byte", () => {
  it(`covers ${fixture.vectors.length} vectors`, () => {
    expect(fixture.vectors.length).toBeGreaterThan(400);
  });

  it.each(fixture.vectors.map((vector) => [vector.strategy, JSON.stringify(vector.options), JSON.stringify(vector.input).slice(0, 40), vector] as const))(
    "%s %s over %s",
    (_strategy, _options, _input, vector) => {
      const strategy = build(vector);
      expect(strategy.sanitize(vector.input)).toBe(vector.output);
      if (vector.refused) expect(() => strategy.validate(vector.input)).toThrow(InvalidKeyError);
      else expect(() => strategy.validate(vector.input)).not.toThrow();
    },
  );

  it("gives the documented example S_test_key-a2bc4860", () => {
    const strategy = new HybridSanitizationStrategy({ allowedCharacters: fixture.allowed.ALNUM_, hashFragmentLength: 8 });
    expect(strategy.sanitize("test::key")).toBe("S_test_key-a2bc4860");
  });

  it("refuses a hash length outside 9..64", () => {
    for (const hashLength of [0, 8, 65, 10.5]) expect(() => new AlwaysHashStrategy({ hashLength })).toThrow(InvalidArgumentError);
  });
});

describe("AcceptOrMapStrategy", () => {
  const strategy = new AcceptOrMapStrategy({
    accepts: (name) => /^[a-z]{1,10}$/.test(name),
    mapper: new HybridSanitizationStrategy({ allowedCharacters: "abcdefghijklmnopqrstuvwxyz", hashFragmentMode: "always", hashFragmentLength: 16, maxLength: 40 }),
  });

  it("keeps accepted names and maps the rest with a 64-bit hash fragment", () => {
    expect(strategy.sanitize("plain")).toBe("plain");
    expect(strategy.sanitize("a/b")).toMatch(/^S_a_b-[0-9a-f]{16}$/);
    expect(strategy.sanitize("waytoolongname")).toMatch(/^S_waytoolongname-[0-9a-f]{16}$/);
  });

  it("maps names that look mapped, so a kept name never equals a mapped one", () => {
    const mapped = strategy.sanitize("a/b");
    expect(strategy.sanitize(mapped)).not.toBe(mapped);
    expect(strategy.sanitize("H_x")).not.toBe("H_x");
  });

  it("refuses nothing", () => {
    expect(() => strategy.validate("S_abc")).not.toThrow();
  });
});
