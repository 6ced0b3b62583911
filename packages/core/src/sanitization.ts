import { createHash } from "node:crypto";
import { InvalidArgumentError, InvalidKeyError } from "./errors.js";

/**
 * Maps a key or collection name onto one the backend can hold. The four
 * strategies below produce byte-for-byte what py-key-value's strategies of the
 * same name and options produce; lengths count Unicode code points, as Python does.
 */
export interface SanitizationStrategy {
  sanitize(value: string): string;
  /** Throws `InvalidKeyError` for a name this strategy refuses. */
  validate(value: string): void;
}

export const ALPHANUMERIC_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const MINIMUM_HASH_LENGTH = 8;
const MAXIMUM_HASH_LENGTH = 64;
const RESERVED_PREFIXES = ["H_", "S_"] as const;

/** Lowercase hex SHA-256 of the UTF-8 bytes of `value`. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Python's `s[:end]` over code points, negative `end` included. */
function sliceCodePoints(codePoints: readonly string[], end: number): string {
  return codePoints.slice(0, end < 0 ? Math.max(0, codePoints.length + end) : end).join("");
}

function refuseReservedPrefix(value: string): void {
  if (RESERVED_PREFIXES.some((prefix) => value.startsWith(prefix))) {
    throw new InvalidKeyError(`Keys cannot start with reserved prefixes 'H_' or 'S_': ${value}`);
  }
}

/** Leaves every name unchanged and refuses none. */
export class PassthroughStrategy implements SanitizationStrategy {
  sanitize(value: string): string {
    return value;
  }

  validate(_value: string): void {}
}

/** Replaces every name by the first `hashLength` hex digits of its SHA-256. */
export class AlwaysHashStrategy implements SanitizationStrategy {
  readonly hashLength: number;

  constructor(options: { hashLength?: number } = {}) {
    const hashLength = options.hashLength ?? MAXIMUM_HASH_LENGTH;
    if (!Number.isInteger(hashLength) || hashLength <= MINIMUM_HASH_LENGTH || hashLength > MAXIMUM_HASH_LENGTH) {
      throw new InvalidArgumentError(`hashLength must be greater than 8 and at most 64: ${hashLength}`);
    }
    this.hashLength = hashLength;
  }

  sanitize(value: string): string {
    return sha256Hex(value).slice(0, this.hashLength);
  }

  validate(_value: string): void {}
}

/** Keeps names up to `maxLength` code points; longer ones become `H_` + hex SHA-256. Refuses `H_`/`S_` names. */
export class HashExcessLengthStrategy implements SanitizationStrategy {
  readonly maxLength: number;

  constructor(options: { maxLength?: number } = {}) {
    this.maxLength = options.maxLength ?? 240;
  }

  sanitize(value: string): string {
    if (Array.from(value).length <= this.maxLength) return value;
    return `H_${sliceCodePoints(Array.from(sha256Hex(value)), this.maxLength - 2)}`;
  }

  validate(value: string): void {
    refuseReservedPrefix(value);
  }
}

export type HashFragmentMode = "always" | "only_if_changed" | "never";

export interface HybridSanitizationOptions {
  /** Longest result, in code points. Default 240. */
  maxLength?: number;
  /** The characters kept as they are; every run of others becomes one `replacementCharacter`. Absent or empty: keep all. */
  allowedCharacters?: string;
  replacementCharacter?: string;
  /** When to append `-{hash fragment}`. Default `"only_if_changed"`. */
  hashFragmentMode?: HashFragmentMode;
  /** Hex digits of SHA-256 in the fragment. Default 8. */
  hashFragmentLength?: number;
}

/**
 * Replaces disallowed characters, truncates, and marks changed names with `S_`
 * and a hash fragment: `test::key` → `S_test_key-a2bc4860`. Refuses `H_`/`S_` names.
 */
export class HybridSanitizationStrategy implements SanitizationStrategy {
  readonly maxLength: number;
  readonly allowedCharacters: ReadonlySet<string> | undefined;
  readonly replacementCharacter: string;
  readonly hashFragmentMode: HashFragmentMode;
  readonly hashFragmentLength: number;

  constructor(options: HybridSanitizationOptions = {}) {
    this.maxLength = options.maxLength ?? 240;
    this.allowedCharacters = options.allowedCharacters ? new Set(Array.from(options.allowedCharacters)) : undefined;
    this.replacementCharacter = options.replacementCharacter ?? "_";
    this.hashFragmentMode = options.hashFragmentMode ?? "only_if_changed";
    this.hashFragmentLength = options.hashFragmentLength ?? 8;
  }

  sanitize(value: string): string {
    let sanitized = this.allowedCharacters ? this.replaceDisallowed(value) : value;
    const changed = sanitized !== value;
    if (this.hashFragmentMode === "always" || (this.hashFragmentMode === "only_if_changed" && changed)) {
      const fragment = sha256Hex(value).slice(0, this.hashFragmentLength);
      const room = this.maxLength - (2 + 1 + this.hashFragmentLength);
      const codePoints = Array.from(sanitized);
      if (codePoints.length > room) sanitized = sliceCodePoints(codePoints, room);
      return `S_${sanitized}-${fragment}`;
    }
    let codePoints = Array.from(sanitized);
    const truncated = codePoints.length > this.maxLength;
    if (truncated) {
      sanitized = sliceCodePoints(codePoints, this.maxLength);
      codePoints = Array.from(sanitized);
    }
    if (!changed && !truncated) return sanitized;
    if (codePoints.length + 2 > this.maxLength) sanitized = sliceCodePoints(codePoints, this.maxLength - 2);
    return `S_${sanitized}`;
  }

  validate(value: string): void {
    refuseReservedPrefix(value);
  }

  private replaceDisallowed(value: string): string {
    const allowed = this.allowedCharacters as ReadonlySet<string>;
    let result = "";
    let lastReplaced = false;
    for (const character of value) {
      if (allowed.has(character)) {
        result += character;
        lastReplaced = false;
      } else if (!lastReplaced) {
        result += this.replacementCharacter;
        lastReplaced = true;
      }
    }
    return lastReplaced && result === this.replacementCharacter ? "" : result;
  }
}

export interface AcceptOrMapOptions {
  /** True for a name the backend holds as it is. */
  accepts: (name: string) => boolean;
  /** Maps every other name; its results must carry enough hash to never collide in practice. */
  mapper: SanitizationStrategy;
}

/**
 * A store's default strategy: names the backend accepts stay as they are (so data
 * written by py-key-value with passthrough options is found), every other name
 * is mapped, and no name is refused. A name that looks mapped (`H_…`, `S_…`) is
 * always mapped too, so a kept name can never equal a mapped one.
 */
export class AcceptOrMapStrategy implements SanitizationStrategy {
  private readonly accepts: (name: string) => boolean;
  private readonly mapper: SanitizationStrategy;

  constructor(options: AcceptOrMapOptions) {
    this.accepts = options.accepts;
    this.mapper = options.mapper;
  }

  sanitize(value: string): string {
    const looksMapped = RESERVED_PREFIXES.some((prefix) => value.startsWith(prefix));
    return !looksMapped && this.accepts(value) ? value : this.mapper.sanitize(value);
  }

  validate(_value: string): void {}
}
