import { InvalidArgumentError, type JsonObject } from "@kv/core";

/** Refuses a batch of keys that is not an array, as a store would, before a wrapper maps it. */
export function assertKeyArray(keys: unknown): asserts keys is readonly string[] {
  if (!Array.isArray(keys)) throw new InvalidArgumentError("expected an array of keys");
}

/** Refuses a `putMany` batch that is not an array of `[key, value]` pairs, as a store would, before a wrapper maps it. */
export function assertEntryArray(entries: unknown): asserts entries is readonly (readonly [string, JsonObject])[] {
  const malformed = !Array.isArray(entries) || entries.some((pair: unknown) => !Array.isArray(pair) || pair.length !== 2);
  if (malformed) throw new InvalidArgumentError("putMany takes an array of [key, value] pairs");
}
