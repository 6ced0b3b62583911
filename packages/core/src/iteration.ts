import { InvalidArgumentError } from "./errors.js";

/**
 * Groups an async iterable into arrays of `size` items, the last one possibly
 * shorter (Python's `itertools.batched`): how a caller streams `keys()` into
 * `getMany` or `deleteMany` without holding a whole collection in memory.
 */
export async function* batched<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(`batch size must be a whole number ≥ 1, got ${String(size)}`);
  }
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
