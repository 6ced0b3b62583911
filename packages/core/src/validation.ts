import { InvalidArgumentError, InvalidKeyError, InvalidTtlError } from "./errors.js";
import { isWellFormedString } from "./values.js";

/**
 * Refuses, with `InvalidKeyError`, a key or collection that is not a non-empty string
 * that encodes as UTF-8. `BaseStore` runs this before its sanitization strategy's own
 * check; wrappers that rewrite names run it before rewriting them.
 */
export function assertValidName(name: unknown, kind: "key" | "collection"): asserts name is string {
  if (typeof name !== "string") throw new InvalidKeyError(`${kind} must be a string, got ${typeof name}`);
  if (name === "") throw new InvalidKeyError(`${kind} must not be empty`);
  if (!isWellFormedString(name)) throw new InvalidKeyError(`${kind} ${JSON.stringify(name)} contains a lone UTF-16 surrogate`);
}

/** The last instant an envelope can name: Python's datetime stops at year 9999. */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Refuses, with `InvalidTtlError`, a TTL that is neither `undefined` nor a finite
 * number of seconds > 0, or that reaches (from `now`, epoch milliseconds) past the
 * latest time the stored format can hold.
 */
export function assertValidTtl(ttl: unknown, now: number = Date.now()): asserts ttl is number | undefined {
  if (ttl === undefined) return;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw new InvalidTtlError(`ttl must be a finite number of seconds greater than 0, got ${typeof ttl === "number" ? ttl : typeof ttl}`);
  }
  if (now + ttl * 1000 > LATEST_EXPIRY) {
    throw new InvalidTtlError(`ttl ${ttl} reaches past 9999-12-31, the latest time the stored format (and Python) can hold`);
  }
}

/** Refuses, with `InvalidArgumentError`, an enumeration `limit` that is neither `undefined` nor a whole number ≥ 0. */
export function assertValidLimit(limit: unknown): asserts limit is number | undefined {
  if (limit === undefined) return;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`limit must be a whole number ≥ 0, got ${String(limit)}`);
  }
}
