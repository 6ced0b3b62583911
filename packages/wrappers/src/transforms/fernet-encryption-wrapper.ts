import { InvalidArgumentError, type AsyncKeyValue } from "@kv/core";
import { EncryptedValueWrapper, type EncryptedPayload, type EncryptedValueOptions, type OpenedPayload, type SealedValue } from "./encrypted-value-wrapper.js";
import { decryptFernet, deriveFernetKey, encryptFernet, generateFernetKey, parseFernetKey, type FernetKey } from "./fernet-token.js";

const VERSION = 1;

export interface FernetEncryptionWrapperOptions extends EncryptedValueOptions {
  /**
   * Fernet keys (32 bytes in URL-safe base64, as Python's `Fernet.generate_key()`
   * makes them). With several, the first encrypts and each decrypts, like `MultiFernet`.
   */
  keys?: string | readonly string[];
  /** With `salt` instead of `keys`: the key is derived as py-key-value derives it (PBKDF2-HMAC-SHA256, 1,200,000 iterations). */
  sourceMaterial?: string;
  salt?: string;
}

/**
 * Encrypts every value with Fernet (AES-128-CBC and HMAC-SHA256), in
 * py-key-value's stored shape, so that each reads what the other wrote:
 * `{"__encrypted_data__": base64(fernet token), "__encryption_version__": 1}`.
 * A tampered value or a wrong key is a `DecryptionError`.
 */
export class FernetEncryptionWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends EncryptedValueWrapper<S> {
  /** The keys, or the derivation of the one key under way (it takes a moment, so it runs off the main thread). */
  private readonly fernetKeys: Promise<readonly FernetKey[]>;

  constructor(inner: S, options: FernetEncryptionWrapperOptions) {
    super(inner, options);
    const { keys, sourceMaterial, salt } = options;
    if (keys !== undefined) {
      if (sourceMaterial || salt) throw new InvalidArgumentError("FernetEncryptionWrapper takes keys or sourceMaterial and salt, not both");
      const list = typeof keys === "string" ? [keys] : keys;
      if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError("FernetEncryptionWrapper needs at least one key");
      this.fernetKeys = Promise.resolve(list.map((key) => parseFernetKey(key)));
    } else {
      if (typeof sourceMaterial !== "string" || sourceMaterial.trim() === "") {
        throw new InvalidArgumentError("FernetEncryptionWrapper needs keys, or a non-blank sourceMaterial and salt");
      }
      if (typeof salt !== "string" || salt.trim() === "") throw new InvalidArgumentError("FernetEncryptionWrapper needs a non-blank salt with sourceMaterial");
      this.fernetKeys = deriveFernetKey(sourceMaterial, salt).then((key) => [parseFernetKey(key)]);
    }
  }

  /** A new random Fernet key, like Python's `Fernet.generate_key()`. */
  static generateKey(): string {
    return generateFernetKey();
  }

  /** The Fernet key py-key-value derives from `sourceMaterial` and `salt`. */
  static deriveKey(sourceMaterial: string, salt: string): Promise<string> {
    return deriveFernetKey(sourceMaterial, salt);
  }

  protected async seal(plaintext: Buffer): Promise<SealedValue> {
    const [key] = await this.fernetKeys;
    // py-key-value base64-encodes the (already base64) token once more.
    return { data: Buffer.from(encryptFernet(key!, plaintext), "ascii"), version: VERSION };
  }

  protected async open({ data, version }: EncryptedPayload): Promise<OpenedPayload> {
    if (version !== VERSION) return { refused: `its encryption version ${version} is not supported` };
    const plaintext = decryptFernet(await this.fernetKeys, data.toString("latin1"));
    return plaintext === undefined ? { refused: "it was tampered with, or encrypted with another key" } : { plaintext };
  }
}
