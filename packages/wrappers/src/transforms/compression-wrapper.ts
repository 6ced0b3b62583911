import { constants } from "node:buffer";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { DeserializationError, InvalidArgumentError, parseJsonObject, type AsyncKeyValue, type JsonObject } from "@kv/core";
import { ValueTransformWrapper } from "../value-transform-wrapper.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** py-key-value's field names and values: each side reads what the other compressed. */
const COMPRESSED_DATA = "__compressed_data__";
const COMPRESSION_VERSION = "__compression_version__";
const COMPRESSION_ALGORITHM = "__compression_algorithm__";

/** The most UTF-8 a JavaScript string encodes to: planted data cannot inflate past what a real value could be. */
const MAX_JSON_BYTES = 3 * constants.MAX_STRING_LENGTH;

export interface CompressionWrapperOptions {
  /** Compress values whose JSON is at least this many bytes (UTF-8). Default 1024, py-key-value's. */
  minSizeToCompress?: number;
}

/**
 * Gzips values from a size up, in py-key-value's stored shape:
 * `{"__compressed_data__": base64(gzip(JSON)), "__compression_version__": 1, "__compression_algorithm__": "gzip"}`.
 * Smaller values are stored as they are. A value that itself holds a
 * `__compressed_data__` field is always compressed, so that it reads back unchanged.
 */
export class CompressionWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends ValueTransformWrapper<S> {
  readonly minSizeToCompress: number;

  constructor(inner: S, options: CompressionWrapperOptions = {}) {
    super(inner);
    const minSize = options.minSizeToCompress ?? 1024;
    if (!Number.isSafeInteger(minSize) || minSize < 0) throw new InvalidArgumentError(`minSizeToCompress must be a whole number ≥ 0, got ${String(minSize)}`);
    this.minSizeToCompress = minSize;
  }

  protected async encodeValue(value: JsonObject): Promise<JsonObject> {
    const json = JSON.stringify(value);
    if (!(COMPRESSED_DATA in value) && Buffer.byteLength(json) < this.minSizeToCompress) return value;
    // Level 1, as py-key-value: most of the gain for little CPU.
    const compressed = await gzipAsync(json, { level: 1 });
    return { [COMPRESSED_DATA]: compressed.toString("base64"), [COMPRESSION_VERSION]: 1, [COMPRESSION_ALGORITHM]: "gzip" };
  }

  protected async decodeValue(stored: JsonObject, key: string, collection: string): Promise<JsonObject> {
    const data = stored[COMPRESSED_DATA];
    // Without all three fields it is a plain value that happens to use the name, and py-key-value reads it as it is too.
    if (typeof data !== "string" || !(COMPRESSION_VERSION in stored) || !(COMPRESSION_ALGORITHM in stored)) return stored;
    const unreadable = (reason: string, cause?: unknown): DeserializationError =>
      new DeserializationError(`cannot decompress the value of key ${JSON.stringify(key)} in collection ${JSON.stringify(collection)}: ${reason}`, {
        key,
        collection,
        cause,
      });
    if (stored[COMPRESSION_VERSION] !== 1 || stored[COMPRESSION_ALGORITHM] !== "gzip") {
      throw unreadable(`version ${JSON.stringify(stored[COMPRESSION_VERSION])} of ${JSON.stringify(stored[COMPRESSION_ALGORITHM])} is not supported`);
    }
    let value: JsonObject | undefined;
    try {
      const json = await gunzipAsync(Buffer.from(data, "base64"), { maxOutputLength: MAX_JSON_BYTES });
      value = parseJsonObject(json.toString("utf8"));
    } catch (error) {
      throw unreadable("its data is not gzipped JSON", error);
    }
    if (value === undefined) throw unreadable("its data is not a JSON object");
    return value;
  }
}
