import { InvalidArgumentError, ValueTooLargeError, type AsyncKeyValue, type JsonObject } from "@kv/core";
import { ValueTransformWrapper } from "../value-transform-wrapper.js";

export interface LimitSizeWrapperOptions {
  /** The largest value written, in bytes of its JSON (UTF-8). Default: no limit. */
  maxSize?: number;
  /** The smallest value written, in bytes of its JSON (UTF-8). Default: no limit. */
  minSize?: number;
  /** Default true: a value over `maxSize` is a `ValueTooLargeError`. When false it is dropped: nothing is written. */
  raiseOnTooLarge?: boolean;
  /** Default false: a value under `minSize` is dropped. When true it is an `InvalidArgumentError`. */
  raiseOnTooSmall?: boolean;
}

/**
 * Writes only values whose JSON size lies within limits; the others are refused
 * or dropped, as py-key-value's `LimitSizeWrapper` does (with its defaults: raise
 * when too large, drop when too small). In a batch, a refused value means nothing
 * is written and a dropped one leaves the rest to be written. Reads are untouched.
 */
export class LimitSizeWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends ValueTransformWrapper<S> {
  readonly maxSize: number | undefined;
  readonly minSize: number | undefined;
  readonly raiseOnTooLarge: boolean;
  readonly raiseOnTooSmall: boolean;

  constructor(inner: S, options: LimitSizeWrapperOptions = {}) {
    super(inner);
    this.maxSize = sizeOption(options.maxSize, "maxSize");
    this.minSize = sizeOption(options.minSize, "minSize");
    if (this.maxSize !== undefined && this.minSize !== undefined && this.minSize > this.maxSize) {
      throw new InvalidArgumentError(`minSize ${this.minSize} is over maxSize ${this.maxSize}`);
    }
    this.raiseOnTooLarge = options.raiseOnTooLarge ?? true;
    this.raiseOnTooSmall = options.raiseOnTooSmall ?? false;
  }

  protected encodeValue(value: JsonObject, key: string, collection: string): JsonObject | undefined {
    if (this.maxSize === undefined && this.minSize === undefined) return value;
    const size = Buffer.byteLength(JSON.stringify(value));
    if (this.maxSize !== undefined && size > this.maxSize) {
      if (this.raiseOnTooLarge) throw new ValueTooLargeError(size, this.maxSize, { key, collection });
      return undefined;
    }
    if (this.minSize !== undefined && size < this.minSize) {
      if (this.raiseOnTooSmall) {
        throw new InvalidArgumentError(`value of ${size} bytes is under the minimum of ${this.minSize} bytes`, { key, collection });
      }
      return undefined;
    }
    return value;
  }

  protected decodeValue(stored: JsonObject): JsonObject {
    return stored;
  }
}

function sizeOption(size: number | undefined, name: string): number | undefined {
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0, got ${String(size)}`);
  return size;
}
