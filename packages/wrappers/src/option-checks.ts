import { InvalidArgumentError, assertValidTtl } from "@kv/core";

/** Refuses, with `InvalidArgumentError` naming the option, a TTL option that is not `undefined` or seconds > 0. */
export function assertTtlOption(name: string, value: unknown): asserts value is number | undefined {
  try {
    assertValidTtl(value);
  } catch (error) {
    throw new InvalidArgumentError(`${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** `value`, refused with `InvalidArgumentError` unless it is a whole number ≥ `minimum`. */
export function wholeNumberOption(name: string, value: unknown, minimum = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${minimum}, got ${String(value)}`);
  }
  return value;
}
