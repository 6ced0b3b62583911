import { ALPHANUMERIC_CHARACTERS, AcceptOrMapStrategy, HashExcessLengthStrategy, HybridSanitizationStrategy } from "@kv/core";

/** Memcached's longest key, in bytes. */
export const MAX_KEY_BYTES = 250;

/** Hex digits of SHA-256 in a mapped name: 64 bits, so that two names never meet in practice. */
const HASH_FRAGMENT_LENGTH = 16;

// Whitespace and control characters end a key in memcached's text protocol, and
// aiomcache (py-key-value's client) refuses them, Unicode ones included.
const FORBIDDEN_IN_KEY = /[\s\p{Cc}]/u;

const PRINTABLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, index) => String.fromCharCode(0x21 + index)).join("");

/** True for a key that memcached and py-key-value's client both take as it is: 1–250 UTF-8 bytes, no whitespace or control characters. */
export function isMemcachedKey(name: string): boolean {
  return name !== "" && Buffer.byteLength(name, "utf8") <= MAX_KEY_BYTES && !FORBIDDEN_IN_KEY.test(name);
}

/**
 * The default strategy for the `collection::key` a store sends: keeps every one
 * memcached takes as it is (so keys py-key-value wrote with its default options are
 * found), and maps the others (too long, whitespace, control characters, or starting
 * with `H_`/`S_`) to `S_{printable ASCII, the rest as _}-{16 hex of SHA-256}`, at
 * most 250 bytes.
 */
export class MemcachedKeySanitizationStrategy extends AcceptOrMapStrategy {
  constructor() {
    super({
      accepts: isMemcachedKey,
      mapper: new HybridSanitizationStrategy({
        maxLength: MAX_KEY_BYTES,
        allowedCharacters: PRINTABLE_ASCII,
        hashFragmentMode: "always",
        hashFragmentLength: HASH_FRAGMENT_LENGTH,
      }),
    });
  }
}

/**
 * py-key-value's opt-in strategy: `collection::key` longer than 240 code points
 * becomes `H_` + 64 hex digits of SHA-256, and one starting with `H_`/`S_` is refused.
 * It does not map whitespace or control characters, and 240 code points can exceed
 * 250 bytes: the store refuses such keys with `InvalidKeyError` instead of sending them.
 */
export class MemcachedV1KeySanitizationStrategy extends HashExcessLengthStrategy {
  constructor() {
    super({ maxLength: 240 });
  }
}

/**
 * Maps collections that contain `::`, so that the first `::` of `collection::key`
 * always ends the collection and no two (collection, key) pairs share a key:
 * `a::b` becomes `S_a_b-{16 hex}`. `H_`/`S_` collections are mapped too, so a kept
 * name never equals a mapped one.
 */
export class MemcachedCollectionSanitizationStrategy extends AcceptOrMapStrategy {
  constructor() {
    super({
      accepts: (name) => !name.includes("::"),
      mapper: new HybridSanitizationStrategy({
        maxLength: 64,
        allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_-.`,
        hashFragmentMode: "always",
        hashFragmentLength: HASH_FRAGMENT_LENGTH,
      }),
    });
  }
}
