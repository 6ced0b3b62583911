import { DecryptionError, EncryptionError, parseJsonObject, type AsyncKeyValue, type JsonObject } from "@kv/core";
import { ValueTransformWrapper } from "../value-transform-wrapper.js";

/** py-key-value's field names for an encrypted value. */
const ENCRYPTED_DATA = "__encrypted_data__";
const ENCRYPTION_VERSION = "__encryption_version__";

/** Standard base64 with padding, as Python's `b64decode(validate=True)` accepts it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncryptedValueOptions {
  /**
   * Read a stored value that is not encrypted as it is, as py-key-value does (useful
   * while encrypting an existing store). Default false: such a value is a
   * `DecryptionError`, since anyone who can write to the store could plant it.
   */
  readUnencrypted?: boolean;
  /**
   * Default true: a value that cannot be decrypted is a `DecryptionError`. When false
   * it reads as missing, like py-key-value's `raise_on_decryption_error=False`.
   */
  raiseOnDecryptionError?: boolean;
}

/** A stored encrypted value, its envelope fields checked. */
export interface EncryptedPayload {
  /** The decoded `__encrypted_data__`. */
  readonly data: Buffer;
  /** `__encryption_version__`. */
  readonly version: number;
  /** The whole stored object, for a scheme's own fields. */
  readonly stored: JsonObject;
}

/** What `seal` made of one value's JSON: the encrypted bytes, their version, and any fields of the scheme's own. */
export interface SealedValue {
  readonly data: Buffer;
  readonly version: number;
  readonly fields?: JsonObject;
}

/** What `open` found: the plaintext, or why there is none (never naming key material). */
export type OpenedPayload = { plaintext: Buffer } | { refused: string };

/**
 * The shared half of the encryption wrappers: every value is stored as
 * `{"__encrypted_data__": base64(…), "__encryption_version__": n, …}` holding its
 * JSON encrypted. A scheme implements `seal` and `open`; this class handles JSON,
 * base64, the envelope fields and the errors (`EncryptionError`, `DecryptionError`,
 * with the key and collection but no key material).
 */
export abstract class EncryptedValueWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends ValueTransformWrapper<S> {
  readonly readUnencrypted: boolean;
  readonly raiseOnDecryptionError: boolean;

  protected constructor(inner: S, options: EncryptedValueOptions) {
    super(inner);
    this.readUnencrypted = options.readUnencrypted ?? false;
    this.raiseOnDecryptionError = options.raiseOnDecryptionError ?? true;
  }

  protected abstract seal(plaintext: Buffer): Promise<SealedValue>;

  protected abstract open(payload: EncryptedPayload): Promise<OpenedPayload>;

  protected async encodeValue(value: JsonObject, key: string, collection: string): Promise<JsonObject> {
    let sealed: SealedValue;
    try {
      sealed = await this.seal(Buffer.from(JSON.stringify(value), "utf8"));
    } catch (error) {
      throw new EncryptionError(`cannot encrypt the value of key ${JSON.stringify(key)} in collection ${JSON.stringify(collection)}`, {
        key,
        collection,
        cause: error,
      });
    }
    return { ...sealed.fields, [ENCRYPTED_DATA]: sealed.data.toString("base64"), [ENCRYPTION_VERSION]: sealed.version };
  }

  protected async decodeValue(stored: JsonObject, key: string, collection: string): Promise<JsonObject | undefined> {
    const refuse = (reason: string): undefined => {
      if (!this.raiseOnDecryptionError) return undefined;
      throw new DecryptionError(`cannot decrypt the value of key ${JSON.stringify(key)} in collection ${JSON.stringify(collection)}: ${reason}`, {
        key,
        collection,
      });
    };
    if (!(ENCRYPTED_DATA in stored)) return this.readUnencrypted ? stored : refuse("it is not encrypted");
    const version = stored[ENCRYPTION_VERSION];
    const data = stored[ENCRYPTED_DATA];
    if (typeof version !== "number" || !Number.isSafeInteger(version)) return refuse("its encryption version is missing or not a whole number");
    if (typeof data !== "string" || !BASE64.test(data)) return refuse("its encrypted data is not base64");
    const opened = await this.open({ data: Buffer.from(data, "base64"), version, stored });
    if ("refused" in opened) return refuse(opened.refused);
    let value: JsonObject | undefined;
    try {
      value = parseJsonObject(opened.plaintext.toString("utf8"));
    } catch {
      value = undefined;
    }
    return value ?? refuse("its decrypted data is not a JSON object");
  }
}
