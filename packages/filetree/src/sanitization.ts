import { ALPHANUMERIC_CHARACTERS, AcceptOrMapStrategy, HybridSanitizationStrategy } from "@kv/core";

export interface FileTreeSanitizationOptions {
  /** False where the file system folds case (macOS, Windows by default): names with uppercase letters are then mapped. Default true. */
  caseSensitive?: boolean;
}

/** Longest key kept as it is: NAME_MAX (255 bytes) minus `.json`. */
const MAX_KEY_NAME_LENGTH = 250;
/** Longest collection kept as it is: NAME_MAX (255 bytes) minus `-info.json`. */
const MAX_COLLECTION_NAME_LENGTH = 245;

const PORTABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// Windows opens a device instead of a file for these base names, whatever the extension.
const WINDOWS_DEVICE_NAME = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;
// A kept `s_…` would equal a mapped `S_…` where case folds.
const MAPPED_PREFIX_ANY_CASE = /^[hs]_/i;

function isPortableName(name: string, maxLength: number, caseSensitive: boolean): boolean {
  return (
    name.length <= maxLength &&
    PORTABLE_NAME.test(name) &&
    !name.endsWith(".") &&
    !WINDOWS_DEVICE_NAME.test(name) &&
    (caseSensitive || (!/[A-Z]/.test(name) && !MAPPED_PREFIX_ANY_CASE.test(name)))
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

/** Keeps portable file names of up to 250 bytes; maps every other key to `S_{readable part}-{16 hex digits of SHA-256}`. */
export class FileTreeKeySanitizationStrategy extends AcceptOrMapStrategy {
  constructor(options: FileTreeSanitizationOptions = {}) {
    const caseSensitive = options.caseSensitive ?? true;
    super({
      accepts: (name) => isPortableName(name, MAX_KEY_NAME_LENGTH, caseSensitive),
      mapper: mapper(MAX_KEY_NAME_LENGTH),
    });
  }
}

/** Keeps portable directory names of up to 245 bytes that cannot pass for a `-info.json` file; maps every other collection. */
export class FileTreeCollectionSanitizationStrategy extends AcceptOrMapStrategy {
  constructor(options: FileTreeSanitizationOptions = {}) {
    const caseSensitive = options.caseSensitive ?? true;
    super({
      accepts: (name) => isPortableName(name, MAX_COLLECTION_NAME_LENGTH, caseSensitive) && !name.toLowerCase().endsWith(".json"),
      mapper: mapper(MAX_COLLECTION_NAME_LENGTH),
    });
  }
}
