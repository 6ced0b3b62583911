import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { InvalidArgumentError, isWellFormedString, type AsyncKeyValue } from "@kv/core";
import { EncryptedValueWrapper, type EncryptedPayload, type EncryptedValueOptions, type OpenedPayload, type SealedValue } from "./encrypted-value-wrapper.js";

const ALGORITHM = "aes-256-gcm";
const ALGORITHM_FIELD = "__encryption_algorithm__";
const KEY_ID_FIELD = "__encryption_key_id__";
const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One AES-256 key and the id stored beside every value it encrypts. */
export interface EncryptionKey {
  /** Names the key in stored values, so a rotated-out key still decrypts what it wrote. Not secret. */
  readonly id: string;
  /** 32 random bytes (e.g. `EncryptionWrapper.generateKey()`, or `Buffer.from(secret, "base64")`). */
  readonly key: Uint8Array;
}

export interface EncryptionWrapperOptions extends EncryptedValueOptions {
  /**
   * The keys: the first encrypts every write, and each decrypts what it wrote. To
   * rotate, put a new key first and keep the old ones until their data is rewritten.
   */
  keys: readonly EncryptionKey[];
}

/**
 * Encrypts every value with AES-256-GCM (a fresh 12-byte IV per write, a 16-byte
 * authentication tag), stored as
 * `{"__encrypted_data__": base64(iv ‖ ciphertext ‖ tag), "__encryption_version__": 1,
 * "__encryption_algorithm__": "aes-256-gcm", "__encryption_key_id__": id}`.
 * A changed byte, a wrong key or an unknown key id is a `DecryptionError`.
 */
export class EncryptionWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends EncryptedValueWrapper<S> {
  private readonly current: { id: string; key: Buffer };
  private readonly keysById: ReadonlyMap<string, Buffer>;

  constructor(inner: S, options: EncryptionWrapperOptions) {
    super(inner, options);
    const keys = options.keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new InvalidArgumentError("EncryptionWrapper needs at least one key");
    const byId = new Map<string, Buffer>();
    for (const [index, entry] of keys.entries()) {
      const { id, key } = (entry ?? {}) as Partial<EncryptionKey>;
      if (typeof id !== "string" || id === "" || !isWellFormedString(id)) throw new InvalidArgumentError(`keys[${index}].id must be a non-empty string`);
      if (byId.has(id)) throw new InvalidArgumentError(`keys[${index}].id ${JSON.stringify(id)} is used twice`);
      if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
        throw new InvalidArgumentError(`keys[${index}].key (id ${JSON.stringify(id)}) must be ${KEY_BYTES} bytes`);
      }
      // A copy, so that a caller who zeroes or reuses their buffer does not change ours.
      byId.set(id, Buffer.from(key));
    }
    this.keysById = byId;
    const [first] = byId;
    this.current = { id: first![0], key: first![1] };
  }

  /** 32 random bytes: a new AES-256 key. */
  static generateKey(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  /** The id of the key that encrypts writes. */
  get currentKeyId(): string {
    return this.current.id;
  }

  protected async seal(plaintext: Buffer): Promise<SealedValue> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      version: VERSION,
      fields: { [ALGORITHM_FIELD]: ALGORITHM, [KEY_ID_FIELD]: this.current.id },
    };
  }

  protected async open({ data, version, stored }: EncryptedPayload): Promise<OpenedPayload> {
    if (stored[ALGORITHM_FIELD] !== ALGORITHM) return { refused: `it was not encrypted with ${ALGORITHM}` };
    if (version !== VERSION) return { refused: `its encryption version ${version} is not supported` };
    const keyId = stored[KEY_ID_FIELD];
    const key = typeof keyId === "string" ? this.keysById.get(keyId) : undefined;
    if (key === undefined) return { refused: `no key given has its key id ${JSON.stringify(keyId ?? null)}` };
    if (data.length < IV_BYTES + TAG_BYTES) return { refused: "its encrypted data is too short" };
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      return { plaintext: Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]) };
    } catch {
      return { refused: "it was tampered with, or encrypted with another key of the same id" };
    }
  }
}
