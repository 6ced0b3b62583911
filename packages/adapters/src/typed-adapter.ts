import {
  DeserializationError,
  InvalidArgumentError,
  SerializationError,
  type AsyncKeyValue,
  type JsonObject,
  type KeyValueError,
  type KeyValueOptions,
  type PutOptions,
  type TtlResult,
} from "@kv/core";
import { collectionAddressed } from "./collection-name.js";
import { detectItemsWrapping, hasItems, ITEMS, wrapItems, type ItemsWrapping } from "./items-wrapping.js";
import { describeIssues } from "./schema-issues.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

export interface TypedAdapterOptions {
  /** Collection for operations that name none. Default: the store's own default collection. */
  defaultCollection?: string;
  /**
   * What a read does with stored data the schema refuses: `true` (default) rejects
   * with `DeserializationError`; `false` treats the entry as missing (`undefined`,
   * or the `default` the read names), as py-key-value does by default.
   */
  raiseOnValidationError?: boolean;
  /**
   * `true` stores every value as `{"items": value}`, `false` stores it as it is.
   * Default: PydanticAdapter's rule, from the JSON Schema of the schema's output
   * (an object type is stored as it is, anything else wrapped); for a schema
   * without a JSON Schema, each value decides (objects as they are).
   */
  wrap?: boolean;
}

export interface TypedGetOptions<T> extends KeyValueOptions {
  /** Returned for a missing key (and, with `raiseOnValidationError: false`, for invalid stored data). */
  default?: T;
}

export interface TypedTtlResult<T> {
  value: T;
  /** Remaining seconds (> 0), or `undefined` for an entry that never expires. */
  ttl: number | undefined;
}

/** A value that passed the schema, boxed so that a valid `undefined` or `null` differs from "none". */
interface Valid<T> {
  value: T;
}

/**
 * Typed access to any `AsyncKeyValue` through a Standard Schema validator (zod,
 * valibot, arktype…): `put` validates before anything is written and stores the
 * schema's output; reads validate what is stored and resolve `T`. Values that are
 * not JSON objects are stored as `{"items": value}`, exactly as py-key-value's
 * PydanticAdapter stores them, so Python and TypeScript read each other's entries.
 */
export class TypedAdapter<T, I = T> {
  readonly store: AsyncKeyValue;
  readonly schema: StandardSchemaV1<I, T>;
  readonly defaultCollection: string | undefined;
  readonly raiseOnValidationError: boolean;
  /** How values are laid out in the store (see `ItemsWrapping`). */
  readonly wrapping: ItemsWrapping;

  constructor(store: AsyncKeyValue, schema: StandardSchemaV1<I, T>, options: TypedAdapterOptions = {}) {
    const standard = (schema as Partial<StandardSchemaV1> | undefined)?.["~standard"];
    if (standard?.version !== 1 || typeof standard.validate !== "function") {
      throw new InvalidArgumentError("TypedAdapter takes a Standard Schema V1 validator (zod, valibot, arktype…)");
    }
    if (options.wrap !== undefined && typeof options.wrap !== "boolean") throw new InvalidArgumentError("wrap must be a boolean");
    this.store = store;
    this.schema = schema;
    this.defaultCollection = options.defaultCollection;
    this.raiseOnValidationError = options.raiseOnValidationError ?? true;
    this.wrapping = options.wrap === undefined ? detectItemsWrapping(schema) : options.wrap ? "always" : "never";
  }

  get(key: string, options: KeyValueOptions & { default: T }): Promise<T>;
  get(key: string, options?: TypedGetOptions<T>): Promise<T | undefined>;
  async get(key: string, options?: TypedGetOptions<T>): Promise<T | undefined> {
    const stored = await this.store.get(key, this.address(options));
    const valid = stored === undefined ? undefined : await this.read(stored, key, options);
    return valid === undefined ? options?.default : valid.value;
  }

  getMany(keys: readonly string[], options: KeyValueOptions & { default: T }): Promise<T[]>;
  getMany(keys: readonly string[], options?: TypedGetOptions<T>): Promise<(T | undefined)[]>;
  async getMany(keys: readonly string[], options?: TypedGetOptions<T>): Promise<(T | undefined)[]> {
    const stored = await this.store.getMany(keys, this.address(options));
    return Promise.all(
      stored.map(async (value, index) => {
        const valid = value === undefined ? undefined : await this.read(value, keys[index]!, options);
        return valid === undefined ? options?.default : valid.value;
      }),
    );
  }

  /** The value and its remaining seconds; `undefined` when missing, expired or (without raising) invalid. */
  async ttl(key: string, options?: KeyValueOptions): Promise<TypedTtlResult<T> | undefined> {
    const found = await this.store.ttl(key, this.address(options));
    return found === undefined ? undefined : this.readTtlResult(found, key, options);
  }

  async ttlMany(keys: readonly string[], options?: KeyValueOptions): Promise<(TypedTtlResult<T> | undefined)[]> {
    const found = await this.store.ttlMany(keys, this.address(options));
    return Promise.all(found.map((entry, index) => (entry === undefined ? undefined : this.readTtlResult(entry, keys[index]!, options))));
  }

  /** Validates `value` (a failure is a `SerializationError`, before any write) and stores the schema's output. */
  async put(key: string, value: I, options?: PutOptions): Promise<void> {
    const stored = await this.write(value, key, options);
    await this.store.put(key, stored, { ...this.address(options), ttl: options?.ttl });
  }

  /** Validates every value first: one that fails means no entry of the batch is written. */
  async putMany(entries: readonly (readonly [string, I])[], options?: PutOptions): Promise<void> {
    if (!Array.isArray(entries)) throw new InvalidArgumentError("putMany takes an array of [key, value] pairs");
    const stored = await Promise.all(
      entries.map(async (pair): Promise<[string, JsonObject]> => {
        if (!Array.isArray(pair as unknown) || pair.length !== 2) {
          throw new InvalidArgumentError("putMany takes an array of [key, value] pairs");
        }
        const [key, value] = pair;
        return [key, await this.write(value, key, options)];
      }),
    );
    await this.store.putMany(stored, { ...this.address(options), ttl: options?.ttl });
  }

  delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.store.delete(key, this.address(options));
  }

  deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.store.deleteMany(keys, this.address(options));
  }

  private address(options: KeyValueOptions | undefined): KeyValueOptions {
    return { collection: options?.collection ?? this.defaultCollection };
  }

  private context(key: string, options: KeyValueOptions | undefined): { key: string; collection: string } {
    return { key, collection: collectionAddressed(this.store, this.address(options).collection) };
  }

  private async write(value: I, key: string, options: KeyValueOptions | undefined): Promise<JsonObject> {
    const fail = (message: string, cause: unknown): SerializationError =>
      new SerializationError(`value ${message}`, { ...this.context(key, options), cause });
    const result = await this.validate(value, fail);
    if (result.issues) throw fail(`does not match the schema: ${describeIssues(result.issues)}`, result);
    return wrapItems(result.value, this.wrapping);
  }

  /** The stored value validated; `undefined` for invalid data when not raising. */
  private async read(stored: JsonObject, key: string, options: KeyValueOptions | undefined): Promise<Valid<T> | undefined> {
    const fail = (message: string, cause: unknown): DeserializationError =>
      new DeserializationError(`stored value ${message}`, { ...this.context(key, options), cause });
    let result: StandardSchemaV1.Result<T>;
    if (this.wrapping === "always") {
      if (!hasItems(stored)) {
        if (this.raiseOnValidationError) throw fail(`has no "${ITEMS}" wrapper, which values of this schema are stored in`, undefined);
        return undefined;
      }
      result = await this.validate(stored[ITEMS], fail);
    } else {
      result = await this.validate(stored, fail);
      if (result.issues && this.wrapping === "non-objects" && hasItems(stored)) {
        // A wrapped array or scalar; when both readings fail, the wrapper-only shape says which failure to report.
        const inner = await this.validate(stored[ITEMS], fail);
        if (!inner.issues || Object.keys(stored).length === 1) result = inner;
      }
    }
    if (!result.issues) return { value: result.value };
    if (this.raiseOnValidationError) throw fail(`does not match the schema: ${describeIssues(result.issues)}`, result);
    return undefined;
  }

  private async readTtlResult(found: TtlResult, key: string, options: KeyValueOptions | undefined): Promise<TypedTtlResult<T> | undefined> {
    const valid = await this.read(found.value, key, options);
    return valid === undefined ? undefined : { value: valid.value, ttl: found.ttl };
  }

  private async validate(value: unknown, fail: (message: string, cause: unknown) => KeyValueError): Promise<StandardSchemaV1.Result<T>> {
    try {
      return await this.schema["~standard"].validate(value);
    } catch (error) {
      throw fail(`could not be validated: the ${this.schema["~standard"].vendor} schema threw`, error);
    }
  }
}
