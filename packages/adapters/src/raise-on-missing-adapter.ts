import {
  MissingKeyError,
  type AsyncKeyValue,
  type JsonObject,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { collectionAddressed } from "./collection-name.js";

export interface RaiseOnMissingOptions extends KeyValueOptions {
  /** `false` resolves `undefined` for a missing key, as the inner store does. Default `true`. */
  raiseOnMissing?: boolean;
}

type Raising = KeyValueOptions & { raiseOnMissing?: true };
type Lenient = KeyValueOptions & { raiseOnMissing: false };

/**
 * An `AsyncKeyValue` whose reads reject with `MissingKeyError` (naming the key and
 * collection) where the inner store would resolve `undefined`: a missing or expired
 * key. So `get` resolves a `JsonObject`, never `undefined`. Writes and deletes pass
 * through unchanged.
 */
export class RaiseOnMissingAdapter implements AsyncKeyValue {
  readonly store: AsyncKeyValue;

  constructor(store: AsyncKeyValue) {
    this.store = store;
  }

  get(key: string, options?: Raising): Promise<JsonObject>;
  get(key: string, options: Lenient | RaiseOnMissingOptions): Promise<JsonObject | undefined>;
  async get(key: string, options?: RaiseOnMissingOptions): Promise<JsonObject | undefined> {
    const value = await this.store.get(key, address(options));
    if (value === undefined) this.raise([key], [value], options);
    return value;
  }

  /** Rejects naming the first missing key, in request order. */
  getMany(keys: readonly string[], options?: Raising): Promise<JsonObject[]>;
  getMany(keys: readonly string[], options: Lenient | RaiseOnMissingOptions): Promise<(JsonObject | undefined)[]>;
  async getMany(keys: readonly string[], options?: RaiseOnMissingOptions): Promise<(JsonObject | undefined)[]> {
    const values = await this.store.getMany(keys, address(options));
    this.raise(keys, values, options);
    return values;
  }

  ttl(key: string, options?: Raising): Promise<TtlResult>;
  ttl(key: string, options: Lenient | RaiseOnMissingOptions): Promise<TtlResult | undefined>;
  async ttl(key: string, options?: RaiseOnMissingOptions): Promise<TtlResult | undefined> {
    const result = await this.store.ttl(key, address(options));
    this.raise([key], [result], options);
    return result;
  }

  /** Rejects naming the first missing key, in request order. */
  ttlMany(keys: readonly string[], options?: Raising): Promise<TtlResult[]>;
  ttlMany(keys: readonly string[], options: Lenient | RaiseOnMissingOptions): Promise<(TtlResult | undefined)[]>;
  async ttlMany(keys: readonly string[], options?: RaiseOnMissingOptions): Promise<(TtlResult | undefined)[]> {
    const results = await this.store.ttlMany(keys, address(options));
    this.raise(keys, results, options);
    return results;
  }

  put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.store.put(key, value, options);
  }

  putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.store.putMany(entries, options);
  }

  delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.store.delete(key, options);
  }

  deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.store.deleteMany(keys, options);
  }

  private raise(keys: readonly string[], found: readonly unknown[], options: RaiseOnMissingOptions | undefined): void {
    if (options?.raiseOnMissing === false) return;
    const missing = found.indexOf(undefined);
    if (missing >= 0) throw new MissingKeyError(keys[missing]!, collectionAddressed(this.store, options?.collection));
  }
}

/** The options the inner store understands: `raiseOnMissing` is this adapter's own. */
function address(options: RaiseOnMissingOptions | undefined): KeyValueOptions | undefined {
  return options === undefined ? undefined : { collection: options.collection };
}
