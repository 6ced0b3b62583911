import { describe, expect, it } from "@jest/globals";
import { DeserializationError, ManagedEntry, formatTimestamp, parseEnvelope, parseTimestamp, serializeEnvelope } from "../src/index.js";

const created = new Date("2026-01-02T03:04:05.678Z");
const expires = new Date("2026-01-02T04:04:05.678Z");

describe("serializeEnvelope", () => {
  it("writes sorted keys, +00:00 timestamps with microsecond digits, and the version", () => {
    const text = serializeEnvelope(new ManagedEntry({ name: "Alice" }, created, expires), { key: "alice", collection: "users" });
    expect(text).toBe(
      '{"collection":"users","created_at":"2026-01-02T03:04:05.678000+00:00","expires_at":"2026-01-02T04:04:05.678000+00:00","key":"alice","value":{"name":"Alice"},"version":1}',
    );
  });

  it("leaves out expires_at for an entry that never expires, and names that are not given", () => {
    expect(serializeEnvelope(new ManagedEntry({ a: 1 }, created, undefined))).toBe(
      '{"created_at":"2026-01-02T03:04:05.678000+00:00","value":{"a":1},"version":1}',
    );
  });

  it("formats whole seconds with six fraction digits", () => {
    expect(formatTimestamp(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000000+00:00");
  });
});

describe("parseEnvelope", () => {
  it("reads what py-key-value writes (spaces, escaped unicode, microseconds)", () => {
    const python =
      '{"collection": "users", "created_at": "2026-01-02T03:04:05.678123+00:00", "expires_at": "2026-01-02T04:04:05.678000+00:00", "key": "alice", "value": {"s": "\\u00fcn\\u00ef \\u65e5\\u672c \\ud83c\\udf89", "small": 1e-07, "m": 1.0}, "version": 1}';
    const parsed = parseEnvelope(python);
    expect(parsed.key).toBe("alice");
    expect(parsed.collection).toBe("users");
    expect(parsed.entry.value).toEqual({ s: "ünï 日本 🎉", small: 1e-7, m: 1 });
    expect(parsed.entry.createdAt?.toISOString()).toBe("2026-01-02T03:04:05.678Z");
    expect(parsed.entry.expiresAt).toEqual(expires);
  });

  it("round-trips what serializeEnvelope writes", () => {
    const entry = new ManagedEntry({ nested: { list: [1, "two", null] } }, created, expires);
    const parsed = parseEnvelope(serializeEnvelope(entry, { key: "k", collection: "c" }));
    expect(parsed).toEqual({ entry, key: "k", collection: "c" });
  });

  it.each([
    ["Z offset", '{"created_at": "2026-01-02T03:04:05Z", "value": {"a": 1}}', new Date("2026-01-02T03:04:05Z")],
    ["no fraction, +00:00", '{"created_at": "2026-01-02T03:04:05+00:00", "value": {"a": 1}}', new Date("2026-01-02T03:04:05Z")],
    ["one fraction digit", '{"created_at": "2026-01-02T03:04:05.5+00:00", "value": {"a": 1}}', new Date("2026-01-02T03:04:05.500Z")],
    ["nine fraction digits", '{"created_at": "2026-01-02T03:04:05.123456789Z", "value": {"a": 1}}', new Date("2026-01-02T03:04:05.123Z")],
    ["another offset", '{"created_at": "2026-01-02T05:04:05+02:00", "value": {"a": 1}}', new Date("2026-01-02T03:04:05Z")],
    ["no version, key or collection", '{"value": {"a": 1}}', undefined],
  ])("accepts %s", (_name, text, createdAt) => {
    const parsed = parseEnvelope(text);
    expect(parsed.entry.value).toEqual({ a: 1 });
    expect(parsed.entry.createdAt).toEqual(createdAt);
  });

  it("accepts the value as a JSON string", () => {
    expect(parseEnvelope('{"value": "{\\"a\\": 1}"}').entry.value).toEqual({ a: 1 });
  });

  it("accepts an already parsed envelope (document stores)", () => {
    expect(parseEnvelope({ value: { a: 1 }, expires_at: "2026-01-02T04:04:05.678000+00:00" }).entry.expiresAt).toEqual(expires);
  });

  it.each([
    ["not JSON", "{nope"],
    ["an empty string", ""],
    ["JSON that is not an object", "[1,2]"],
    ["null", "null"],
    ["a missing value", '{"created_at": "2026-01-02T03:04:05Z"}'],
    ["a value that is an array", '{"value": [1]}'],
    ["a value that is a number", '{"value": 5}'],
    ["a value string that is not JSON", '{"value": "{oops"}'],
    ["a value string that is not an object", '{"value": "[1]"}'],
    ["a bad timestamp", '{"value": {}, "expires_at": "yesterday"}'],
    ["a numeric timestamp", '{"value": {}, "created_at": 12345}'],
    ["a month 13 timestamp", '{"value": {}, "created_at": "2026-13-02T03:04:05Z"}'],
    ["a key that is not a string", '{"value": {}, "key": 5}'],
    ["an unknown version", '{"value": {}, "version": 2}'],
  ])("refuses %s with DeserializationError naming key and collection", (_name, text) => {
    let thrown: unknown;
    try {
      parseEnvelope(text, { key: "the-key", collection: "the-collection" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeserializationError);
    expect((thrown as DeserializationError).message).toContain("the-key");
    expect((thrown as DeserializationError).message).toContain("the-collection");
    expect((thrown as DeserializationError).key).toBe("the-key");
  });
});

describe("parseTimestamp", () => {
  it("returns undefined for malformed text instead of throwing", () => {
    for (const text of ["", "2026", "2026-01-02", "2026-01-02T03:04", "garbage", "2026-01-02T03:04:05+0"]) {
      expect(parseTimestamp(text)).toBeUndefined();
    }
  });
});

describe("ManagedEntry", () => {
  it("computes expiry and remaining TTL", () => {
    const entry = ManagedEntry.create({ a: 1 }, 1_000, 2.5);
    expect(entry.expiresAt?.getTime()).toBe(3_500);
    expect(entry.isExpired(3_499)).toBe(false);
    expect(entry.isExpired(3_500)).toBe(true);
    expect(entry.remainingTtl(2_000)).toBe(1.5);
    expect(ManagedEntry.create({ a: 1 }, 1_000, undefined).remainingTtl(5_000)).toBeUndefined();
  });
});

describe("parseTimestamp cache", () => {
  it("returns a fresh Date each time and remembers failures", () => {
    const first = parseTimestamp("2026-01-02T03:04:05.678000+00:00")!;
    first.setTime(0);
    expect(parseTimestamp("2026-01-02T03:04:05.678000+00:00")?.toISOString()).toBe("2026-01-02T03:04:05.678Z");
    expect(parseTimestamp("nope")).toBeUndefined();
    expect(parseTimestamp("nope")).toBeUndefined();
  });
});
