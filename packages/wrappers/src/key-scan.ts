import { assertValidLimit, batched, type AsyncKeyValue, type EnumerateKeys } from "@kv/core";

const DELETE_CHUNK = 500;

/**
 * Yields `map(item)` for each item of `source` where it is not `undefined`, at most
 * `limit` of them (validated first), and stops the source as soon as the limit is met.
 */
export async function* mapUntil<T>(
  source: AsyncIterable<T>,
  map: (item: T) => string | undefined | Promise<string | undefined>,
  limit: number | undefined,
): AsyncGenerator<string> {
  assertValidLimit(limit);
  if (limit === 0) return;
  let count = 0;
  for await (const item of source) {
    const mapped = await map(item);
    if (mapped === undefined) continue;
    yield mapped;
    if (++count === limit) return;
  }
}

/** Deletes the keys of `collection` that `matches` accepts, a chunk of the scan at a time; resolves how many live entries it removed. */
export async function deleteMatchingKeys(store: AsyncKeyValue & EnumerateKeys, collection: string, matches: (key: string) => boolean): Promise<number> {
  let removed = 0;
  for await (const scanned of batched(store.keys({ collection }), DELETE_CHUNK)) {
    const doomed = scanned.filter(matches);
    if (doomed.length > 0) removed += await store.deleteMany(doomed, { collection });
  }
  return removed;
}

/** True when `collection` holds at least one key that `matches` accepts. */
export async function hasMatchingKey(store: EnumerateKeys, collection: string, matches: (key: string) => boolean): Promise<boolean> {
  for await (const key of store.keys({ collection })) if (matches(key)) return true;
  return false;
}

/**
 * Iterates `open()`; when the source fails before yielding anything, `recover(error,
 * attempt)` either throws or names a source to start over with. Failures after the
 * first item propagate: starting over then would repeat items.
 */
export async function* recoverFirstStep<T>(
  open: () => AsyncIterable<T>,
  recover: (error: unknown, attempt: number) => Promise<() => AsyncIterable<T>>,
): AsyncGenerator<T> {
  let source = open;
  for (let attempt = 1; ; attempt++) {
    const iterator = source()[Symbol.asyncIterator]();
    let first: IteratorResult<T>;
    try {
      first = await iterator.next();
    } catch (error) {
      source = await recover(error, attempt);
      continue;
    }
    if (first.done) return;
    try {
      yield first.value;
      yield* { [Symbol.asyncIterator]: () => iterator };
    } finally {
      await iterator.return?.();
    }
    return;
  }
}
