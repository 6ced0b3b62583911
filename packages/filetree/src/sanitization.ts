import { ALPHANUMERIC_CHARACTERS, AcceptOrMapStrategy, HybridSanitizationStrategy } from "@kv/core";

export interface FileTreeSanitizationOptions {
  /** False where the file system folds case (macOS, Windows by default): names with uppercase letters are then mapped. Default true. */
  caseSensitive?: boolean;
}

/** Longest key kept as it is, in UTF-8 bytes: NAME_MAX (255 bytes) minus `.json`. */
const MAX_KEY_NAME_BYTES = 250;
/** Longest collection kept as it is, in UTF-8 bytes: NAME_MAX (255 bytes) minus `-info.json`. */
const MAX_COLLECTION_NAME_BYTES = 245;

// What some common file system refuses in a name: `/` everywhere, Windows' reserved characters, control characters.
const UNPORTABLE_CHARACTER = /[/\\<>:"|?*\p{Cc}]/u;
// `.` and `..` name directories already there; Windows drops a trailing dot or space.
const DOTS_ONLY_OR_TRAILING_DOT_OR_SPACE = /^\.+$|[. ]$/;
// Windows opens a device instead of a file for these base names, whatever the extension.
const WINDOWS_DEVICE_NAME = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;
// Where case folds, only ASCII without uppercase is kept (file systems fold other letters differently).
const FOLD_SAFE = /^[\x20-\x40\x5b-\x7e]*$/;
// A kept `s_…` would equal a mapped `S_…` where case folds.
const MAPPED_PREFIX_ANY_CASE = /^[hs]_/i;

/**
 * True for a name every common file system (ext4, APFS, NTFS) holds unchanged, as
 * py-key-value's FileTreeStore writes it with its default (passthrough) strategies.
 * NFC only: macOS treats a name and its decomposed form as one file.
 */
function isPortableName(name: string, maxBytes: number, caseSensitive: boolean): boolean {
  return (
    name !== "" &&
    Buffer.byteLength(name) <= maxBytes &&
    !UNPORTABLE_CHARACTER.test(name) &&
    !DOTS_ONLY_OR_TRAILING_DOT_OR_SPACE.test(name) &&
    !WINDOWS_DEVICE_NAME.test(name) &&
    name.normalize("NFC") === name &&
    (caseSensitive || (FOLD_SAFE.test(name) && !MAPPED_PREFIX_ANY_CASE.test(name)))
  );
}

function mapper(maxLength: number): HybridSanitizationStrategy {
  return new HybridSanitizationStrategy({
    maxLength,
    allowedCharacters: `${ALPHANUMERIC_CHARACTERS}_-`,
    hashFragmentMode: "always",
    hashFragmentLength: 16,
  });
}

/** Keeps file names every file system holds, up to 250 bytes; maps every other key to `S_{readable part}-{16 hex digits of SHA-256}`. */
export class FileTreeKeySanitizationStrategy extends AcceptOrMapStrategy {
  constructor(options: FileTreeSanitizationOptions = {}) {
    const caseSensitive = options.caseSensitive ?? true;
    super({
      accepts: (name) => isPortableName(name, MAX_KEY_NAME_BYTES, caseSensitive),
      mapper: mapper(MAX_KEY_NAME_BYTES),
    });
  }
}

/** Keeps directory names every file system holds, up to 245 bytes, that cannot pass for a `-info.json` file; maps every other collection. */
export class FileTreeCollectionSanitizationStrategy extends AcceptOrMapStrategy {
  constructor(options: FileTreeSanitizationOptions = {}) {
    const caseSensitive = options.caseSensitive ?? true;
    super({
      accepts: (name) => isPortableName(name, MAX_COLLECTION_NAME_BYTES, caseSensitive) && !name.toLowerCase().endsWith(".json"),
      mapper: mapper(MAX_COLLECTION_NAME_BYTES),
    });
  }
}
