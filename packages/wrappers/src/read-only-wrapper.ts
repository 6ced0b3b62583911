import {
  ReadOnlyError,
  assertJsonObject,
  assertValidName,
  assertValidTtl,
  hasCapability,
  type AsyncKeyValue,
  type Capability,
  type JsonObject,
  type KeyValueOptions,
  type PutOptions,
} from "@kv/core";
import { assertEntryArray, assertKeyArray } from "./batch-arguments.js";
import { KeyValueWrapper } from "./wrapper.js";

export interface ReadOnlyWrapperOptions {
  /** `"throw"` (default): writes reject with `ReadOnlyError`. `"ignore"`: they resolve without writing (`delete` → false, `deleteMany` → 0). */
  onWrite?: "throw" | "ignore";
}

/**
 * Lets reads through and refuses writes. Arguments are still validated first, so a
 * bad key is an `InvalidKeyError` either way. Only the reading capabilities (`keys`,
 * `collections`) are offered: `destroy`, `destroyCollection` and `cull` change the store.
 */
export class ReadOnlyWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  readonly onWrite: "throw" | "ignore";

  constructor(inner: S, options: ReadOnlyWrapperOptions = {}) {
    super(inner, (["keys", "collections"] as Capability[]).filter((capability) => hasCapability(inner, capability)));
    this.onWrite = options.onWrite ?? "throw";
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    this.refuse(options, [key], [value]);
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    assertEntryArray(entries);
    this.refuse(
      options,
      entries.map(([key]) => key),
      entries.map(([, value]) => value),
    );
  }

  override async delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    this.refuse(options, [key]);
    return false;
  }

  override async deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    assertKeyArray(keys);
    this.refuse(options, keys);
    return 0;
  }

  /** Validates a write's arguments, then throws `ReadOnlyError` or, when ignoring writes, returns. */
  private refuse(options: PutOptions | undefined, keys: readonly string[], values?: readonly unknown[]): void {
    const collection = this.collectionOf(options);
    assertValidName(collection, "collection");
    assertValidTtl(options?.ttl);
    keys.forEach((key, index) => {
      assertValidName(key, "key");
      if (values !== undefined) assertJsonObject(values[index], { key, collection });
    });
    if (this.onWrite === "throw") throw new ReadOnlyError(`cannot write to collection ${JSON.stringify(collection)}: the store is read-only`, { collection });
  }
}
