/**
 * Every error the @kv API throws is a `KeyValueError` with a stable `code`.
 * Errors of a driver or the network are wrapped; the original is kept in `cause`
 * (with connection secrets redacted, see `redactSecrets`).
 */

export type KeyValueErrorCode =
  | "KV_SERIALIZATION"
  | "KV_DESERIALIZATION"
  | "KV_INVALID_KEY"
  | "KV_INVALID_TTL"
  | "KV_INVALID_ARGUMENT"
  | "KV_VALUE_TOO_LARGE"
  | "KV_READ_ONLY"
  | "KV_MISSING_KEY"
  | "KV_SETUP"
  | "KV_CONNECTION"
  | "KV_CLOSED"
  | "KV_OPERATION"
  | "KV_ENCRYPTION"
  | "KV_DECRYPTION";

export interface KeyValueErrorOptions {
  cause?: unknown;
  /** The collection the failing operation addressed, when there was one. */
  collection?: string;
  /** The key the failing operation addressed, when there was one. */
  key?: string;
}

export class KeyValueError extends Error {
  readonly code: KeyValueErrorCode;
  readonly collection: string | undefined;
  readonly key: string | undefined;

  constructor(code: KeyValueErrorCode, message: string, options: KeyValueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.collection = options.collection;
    this.key = options.key;
  }
}

/** A value is not a plain JSON object, or would not survive a JSON round trip. */
export class SerializationError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_SERIALIZATION", message, options);
  }
}

/** Stored data cannot be read back. */
export class DeserializationError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_DESERIALIZATION", message, options);
  }
}

/** A key or collection is not a non-empty, well-formed string, or a strategy refused it. */
export class InvalidKeyError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_INVALID_KEY", message, options);
  }
}

/** A TTL is not a finite number of seconds greater than zero. */
export class InvalidTtlError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_INVALID_TTL", message, options);
  }
}

/** An argument other than a key, collection, TTL or value is malformed (a negative `limit`, a batch that is not an array). */
export class InvalidArgumentError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_INVALID_ARGUMENT", message, options);
  }
}

/** The backend cannot hold an entry this large. */
export class ValueTooLargeError extends KeyValueError {
  readonly size: number;
  /** The backend's limit in bytes, when the store knows it (a server may refuse on its own). */
  readonly limit: number | undefined;

  constructor(size: number, limit: number | undefined, options?: KeyValueErrorOptions) {
    const bound = limit === undefined ? "the backend's limit" : `the backend's limit of ${limit} bytes`;
    super("KV_VALUE_TOO_LARGE", `entry of ${size} bytes exceeds ${bound}`, options);
    this.size = size;
    this.limit = limit;
  }
}

/** A write went through a read-only wrapper. */
export class ReadOnlyError extends KeyValueError {
  constructor(message = "the store is read-only", options?: KeyValueErrorOptions) {
    super("KV_READ_ONLY", message, options);
  }
}

/** A required key is absent. */
export class MissingKeyError extends KeyValueError {
  constructor(key: string, collection: string, options?: Omit<KeyValueErrorOptions, "key" | "collection">) {
    super("KV_MISSING_KEY", `key ${JSON.stringify(key)} is missing from collection ${JSON.stringify(collection)}`, {
      ...options,
      key,
      collection,
    });
  }
}

/** Creating tables, indexes or directories failed. */
export class StoreSetupError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_SETUP", message, options);
  }
}

/** The backend cannot be reached, or dropped the connection. */
export class StoreConnectionError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_CONNECTION", message, options);
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends KeyValueError {
  constructor(message = "the store is closed", options?: KeyValueErrorOptions) {
    super("KV_CLOSED", message, options);
  }
}

/**
 * The backend answered an operation with an error that is none of the above
 * (a rejected command, a full disk, a permission problem).
 */
export class StoreOperationError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_OPERATION", message, options);
  }
}

/** The encryption wrapper cannot encrypt a value. */
export class EncryptionError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_ENCRYPTION", message, options);
  }
}

/** Stored data is tampered with or cannot be decrypted with the keys given. */
export class DecryptionError extends KeyValueError {
  constructor(message: string, options?: KeyValueErrorOptions) {
    super("KV_DECRYPTION", message, options);
  }
}

export function isKeyValueError(error: unknown): error is KeyValueError {
  return error instanceof KeyValueError;
}
