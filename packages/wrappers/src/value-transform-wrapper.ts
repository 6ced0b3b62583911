import {
  assertJsonObject,
  assertValidName,
  assertValidTtl,
  type AsyncKeyValue,
  type Capability,
  type JsonObject,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { assertEntryArray } from "./batch-arguments.js";
import { KeyValueWrapper } from "./wrapper.js";

/**
 * A wrapper that changes values on their way into the store and back
 * (compression, encryption, size limits). A subclass implements two hooks:
 *
 * - `encodeValue(value, key, collection)` turns a caller's value into the one to
 *   store. `value` is already validated as a plain JSON object (a bad value is a
 *   `SerializationError` before any hook runs) and belongs to the caller: do not
 *   mutate it. Return the object to store, or `undefined` to write nothing for this
 *   entry (any previous entry stays). Throw a `KeyValueError` to refuse the write.
 * - `decodeValue(stored, key, collection)` turns what the store returned into the
 *   caller's value. `stored` is a fresh object the hook may reuse. Return the value,
 *   or `undefined` to report the entry as missing. Throw a `KeyValueError`
 *   (`DecryptionError`, `DeserializationError`) for data that cannot be read.
 *
 * Keys, collection and TTL are validated before `encodeValue` runs, so the hooks see
 * only well-formed names. Both hooks may be async. `collection` is the resolved
 * name (the default applied). TTLs
 * pass through unchanged: `ttl`/`ttlMany` decode the value and keep the remaining TTL.
 * `putMany` keeps the last value of a repeated key, then validates and encodes every
 * entry before the wrapped store sees any, so a refused entry means nothing is written.
 * `delete`, `deleteMany` and the optional capabilities are forwarded untouched.
 */
export abstract class ValueTransformWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  protected constructor(inner: S, capabilities?: readonly Capability[]) {
    super(inner, capabilities);
  }

  protected abstract encodeValue(value: JsonObject, key: string, collection: string): JsonObject | undefined | Promise<JsonObject | undefined>;

  protected abstract decodeValue(stored: JsonObject, key: string, collection: string): JsonObject | undefined | Promise<JsonObject | undefined>;

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    const stored = await this.inner.get(key, options);
    return stored === undefined ? undefined : this.decodeValue(stored, key, this.collectionOf(options));
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    const stored = await this.inner.getMany(keys, options);
    const collection = this.collectionOf(options);
    return Promise.all(stored.map((value, index) => (value === undefined ? undefined : this.decodeValue(value, keys[index]!, collection))));
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    const stored = await this.inner.ttl(key, options);
    return stored === undefined ? undefined : this.decodeTtlResult(stored, key, this.collectionOf(options));
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    const stored = await this.inner.ttlMany(keys, options);
    const collection = this.collectionOf(options);
    return Promise.all(stored.map((result, index) => (result === undefined ? undefined : this.decodeTtlResult(result, keys[index]!, collection))));
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    const collection = this.validWriteTarget(options);
    assertValidName(key, "key");
    assertJsonObject(value, { key, collection });
    const encoded = await this.encodeValue(value, key, collection);
    if (encoded !== undefined) await this.inner.put(key, encoded, options);
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    const collection = this.validWriteTarget(options);
    const lastByKey = new Map<string, JsonObject>();
    assertEntryArray(entries);
    for (const [key, value] of entries) {
      assertValidName(key, "key");
      assertJsonObject(value, { key, collection });
      lastByKey.delete(key);
      lastByKey.set(key, value);
    }
    const encoded = await Promise.all(Array.from(lastByKey, async ([key, value]) => [key, await this.encodeValue(value, key, collection)] as const));
    const kept = encoded.filter((entry): entry is readonly [string, JsonObject] => entry[1] !== undefined);
    if (kept.length > 0) await this.inner.putMany(kept, options);
  }

  /** Refuses a bad collection or TTL before any hook runs, since an encoder may drop the entry before the store would see them. */
  private validWriteTarget(options: PutOptions | undefined): string {
    const collection = this.collectionOf(options);
    assertValidName(collection, "collection");
    assertValidTtl(options?.ttl);
    return collection;
  }

  private async decodeTtlResult(stored: TtlResult, key: string, collection: string): Promise<TtlResult | undefined> {
    const value = await this.decodeValue(stored.value, key, collection);
    return value === undefined ? undefined : { value, ttl: stored.ttl };
  }
}
