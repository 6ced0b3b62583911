import {
  assertJsonObject,
  cloneJsonObject,
  type AsyncKeyValue,
  type JsonObject,
  type KeyValueOptions,
  type TtlResult,
} from "@kv/core";
import { assertTtlOption } from "./option-checks.js";
import { KeyValueWrapper } from "./wrapper.js";

/** The default for a missing key: one value for every key, or a function of key and collection (`undefined`: no default). */
export type DefaultValue = JsonObject | ((key: string, collection: string) => JsonObject | undefined);

export interface DefaultValueWrapperOptions {
  /** What reads of a missing or expired key return instead of `undefined`. */
  value: DefaultValue;
  /** The remaining TTL that `ttl`/`ttlMany` report with a default. Default `undefined` (never expires). */
  ttl?: number;
}

/**
 * Reads of a missing key return a default value (a fresh copy each time) instead of
 * `undefined`. Nothing is written: the default is not stored, so `delete` still
 * reports `false` and enumeration does not list the key.
 */
export class DefaultValueWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  private readonly value: DefaultValue;
  private readonly defaultTtl: number | undefined;

  constructor(inner: S, options: DefaultValueWrapperOptions) {
    super(inner);
    if (typeof options.value !== "function") assertJsonObject(options.value, {});
    assertTtlOption("ttl", options.ttl);
    this.value = typeof options.value === "function" ? options.value : cloneJsonObject(options.value);
    this.defaultTtl = options.ttl;
  }

  override async get(key: string, options?: KeyValueOptions): Promise<JsonObject | undefined> {
    return (await this.inner.get(key, options)) ?? this.defaultFor(key, options);
  }

  override async getMany(keys: readonly string[], options?: KeyValueOptions): Promise<(JsonObject | undefined)[]> {
    const values = await this.inner.getMany(keys, options);
    return values.map((value, index) => value ?? this.defaultFor(keys[index]!, options));
  }

  override async ttl(key: string, options?: KeyValueOptions): Promise<TtlResult | undefined> {
    return (await this.inner.ttl(key, options)) ?? this.defaultResult(key, options);
  }

  override async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TtlResult | undefined)[]> {
    const results = await this.inner.ttlMany(keys, options);
    return results.map((result, index) => result ?? this.defaultResult(keys[index]!, options));
  }

  private defaultFor(key: string, options: KeyValueOptions | undefined): JsonObject | undefined {
    if (typeof this.value !== "function") return cloneJsonObject(this.value);
    const value = this.value(key, this.collectionOf(options));
    if (value === undefined) return undefined;
    assertJsonObject(value, { key, collection: this.collectionOf(options) });
    return cloneJsonObject(value);
  }

  private defaultResult(key: string, options: KeyValueOptions | undefined): TtlResult | undefined {
    const value = this.defaultFor(key, options);
    return value === undefined ? undefined : { value, ttl: this.defaultTtl };
  }
}
