import { createCipheriv, createDecipheriv, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { InvalidArgumentError } from "@kv/core";

/**
 * The Fernet token format (https://github.com/fernet/spec), as Python's
 * `cryptography.fernet` writes it: version byte 0x80, big-endian seconds,
 * a 16-byte IV, AES-128-CBC ciphertext with PKCS#7 padding, and an HMAC-SHA256
 * of all of that; the whole token in URL-safe base64 with padding.
 */

const TOKEN_VERSION = 0x80;
const TIMESTAMP_BYTES = 8;
const IV_BYTES = 16;
const HMAC_BYTES = 32;
const BLOCK_BYTES = 16;
const HEADER_BYTES = 1 + TIMESTAMP_BYTES + IV_BYTES;
const URL_SAFE_BASE64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** py-key-value's PBKDF2-HMAC-SHA256 iteration count for keys derived from source material and salt. */
export const FERNET_KDF_ITERATIONS = 1_200_000;

const pbkdf2Async = promisify(pbkdf2);

/** A Fernet key split into its signing and encryption halves. */
export interface FernetKey {
  readonly signing: Buffer;
  readonly encryption: Buffer;
}

/** A new random key in Fernet's text form (32 bytes, URL-safe base64), like `Fernet.generate_key()`. */
export function generateFernetKey(): string {
  return toUrlSafeBase64(randomBytes(32));
}

/**
 * The key py-key-value derives from `source_material` and `salt`: PBKDF2-HMAC-SHA256,
 * 1,200,000 iterations, 32 bytes, in URL-safe base64. It takes a moment, off the main thread.
 */
export async function deriveFernetKey(sourceMaterial: string, salt: string): Promise<string> {
  const derived = await pbkdf2Async(Buffer.from(sourceMaterial, "utf8"), Buffer.from(salt, "utf8"), FERNET_KDF_ITERATIONS, 32, "sha256");
  return toUrlSafeBase64(derived);
}

/** Reads a key in Fernet's text form; the message never repeats the key. */
export function parseFernetKey(text: string): FernetKey {
  const bytes = typeof text === "string" && /^[A-Za-z0-9_-]{43}=?$/.test(text) ? Buffer.from(text, "base64url") : undefined;
  if (bytes === undefined || bytes.length !== 32) throw new InvalidArgumentError("a Fernet key must be 32 bytes in URL-safe base64");
  return { signing: bytes.subarray(0, 16), encryption: bytes.subarray(16) };
}

/** Encrypts `plaintext` into a Fernet token stamped with `now` (epoch ms). */
export function encryptFernet(key: FernetKey, plaintext: Buffer, now: number = Date.now()): string {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = TOKEN_VERSION;
  header.writeBigUInt64BE(BigInt(Math.floor(now / 1000)), 1);
  const iv = randomBytes(IV_BYTES);
  iv.copy(header, 1 + TIMESTAMP_BYTES);
  const cipher = createCipheriv("aes-128-cbc", key.encryption, iv);
  const signed = Buffer.concat([header, cipher.update(plaintext), cipher.final()]);
  const hmac = createHmac("sha256", key.signing).update(signed).digest();
  return toUrlSafeBase64(Buffer.concat([signed, hmac]));
}

/**
 * Decrypts a token with the first of `keys` whose signature matches, as
 * `MultiFernet` does; `undefined` when none does or the token is malformed.
 * Like `Fernet.decrypt` without a ttl, the timestamp is not checked.
 */
export function decryptFernet(keys: readonly FernetKey[], token: string): Buffer | undefined {
  if (!URL_SAFE_BASE64.test(token)) return undefined;
  const bytes = Buffer.from(token, "base64url");
  const ciphertextLength = bytes.length - HEADER_BYTES - HMAC_BYTES;
  if (bytes[0] !== TOKEN_VERSION || ciphertextLength <= 0 || ciphertextLength % BLOCK_BYTES !== 0) return undefined;
  const signed = bytes.subarray(0, bytes.length - HMAC_BYTES);
  const signature = bytes.subarray(bytes.length - HMAC_BYTES);
  for (const key of keys) {
    if (!timingSafeEqual(createHmac("sha256", key.signing).update(signed).digest(), signature)) continue;
    const decipher = createDecipheriv("aes-128-cbc", key.encryption, bytes.subarray(1 + TIMESTAMP_BYTES, HEADER_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, signed.length)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** URL-safe base64 with padding: Python's `urlsafe_b64decode` refuses it without. */
function toUrlSafeBase64(bytes: Buffer): string {
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}
