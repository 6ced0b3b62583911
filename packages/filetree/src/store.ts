import { randomBytes } from "node:crypto";
import { constants, type Dir, type Stats } from "node:fs";
import { lstat, mkdir, open, opendir, readFile, realpath, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  BaseStore,
  DeserializationError,
  InvalidArgumentError,
  InvalidKeyError,
  KeyValueError,
  StoreOperationError,
  StoreSetupError,
  formatTimestamp,
  parseEnvelope,
  parseJsonObject,
  serializeEnvelope,
  type BaseStoreOptions,
  type CollectionsOptions,
  type Cull,
  type DestroyCollection,
  type DestroyStore,
  type EnumerateCollections,
  type EnumerateKeys,
  type KeysOptions,
  type KeyValueErrorOptions,
  type ManagedEntry,
  type ParsedEnvelope,
  type SanitizationStrategy,
} from "@kv/core";
import { FileTreeCollectionSanitizationStrategy, FileTreeKeySanitizationStrategy } from "./sanitization.js";

export interface FileTreeStoreOptions extends BaseStoreOptions {
  /** The directory holding one subdirectory per collection; created when missing. */
  dataDirectory: string;
  /** The directory holding the `{collection}-info.json` files; created when missing. Default: `dataDirectory`. */
  metadataDirectory?: string;
  /** Maps keys onto file names. Default: `FileTreeKeySanitizationStrategy` (portable names kept, others mapped). */
  keySanitizationStrategy?: SanitizationStrategy;
  /** Maps collections onto directory names. Default: `FileTreeCollectionSanitizationStrategy`. */
  collectionSanitizationStrategy?: SanitizationStrategy;
  /** The collection used when an operation names none. Default `"default_collection"`. */
  defaultCollection?: string;
}

interface ScannedEntry {
  file: string;
  key: string;
  entry: ManagedEntry;
}

const ENTRY_SUFFIX = ".json";
const INFO_SUFFIX = "-info.json";
// Never ends in `.json`, so a temp file is never taken for an entry or an info file.
const TEMP_PREFIX = ".tmp-";
const CONCURRENCY = 16;
// Windows has no O_NOFOLLOW; there an lstat stands in for it.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const READ_FLAGS = constants.O_RDONLY | NO_FOLLOW;
const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NO_FOLLOW;

const FS_ERROR_REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EFBIG: "the file is too large",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ELOOP: "refused to follow a symbolic link",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "an entry's path is a directory",
  EIO: "an I/O error occurred",
};

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}

/** True for a name that is one path component staying inside its parent directory. */
function isSafeName(name: unknown): name is string {
  return typeof name === "string" && name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

function symlinkRefused(file: string): Error {
  return Object.assign(new Error(`${file} is a symbolic link`), { code: "ELOOP" });
}

async function lstatIfExists(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** The file's text, never through a symbolic link at `file`; `undefined` when there is no file. */
async function readFileNoFollow(file: string): Promise<string | undefined> {
  try {
    if (NO_FOLLOW === 0 && (await lstat(file)).isSymbolicLink()) throw symlinkRefused(file);
    return await readFile(file, { encoding: "utf8", flag: READ_FLAGS });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Replaces `file` atomically: a temp file in the same directory, written, flushed to disk, renamed over it. */
async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
  const handle = await open(temp, CREATE_FLAGS, 0o666);
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Creates `directory` when missing and returns its real path, so later checks compare resolved paths. */
async function createDirectory(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  return realpath(directory);
}

/** Whether `directory` tells `a` from `A`: creates a probe file and looks for it under its upper-cased name. */
async function isCaseSensitive(directory: string): Promise<boolean> {
  const name = `${TEMP_PREFIX}case-${randomBytes(8).toString("hex")}`;
  const probe = path.join(directory, name);
  await writeFile(probe, "", { flag: CREATE_FLAGS });
  try {
    return (await lstatIfExists(path.join(directory, name.toUpperCase()))) === undefined;
  } finally {
    await rm(probe, { force: true });
  }
}

/** `run` over `items` with at most `limit` calls in flight; stops starting new ones after a failure. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await run(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The envelope in `text`, or `undefined` when there is none or it cannot be read. */
function parseEnvelopeOrSkip(text: string | undefined): ParsedEnvelope | undefined {
  if (text === undefined) return undefined;
  try {
    return parseEnvelope(text);
  } catch (error) {
    if (error instanceof DeserializationError) return undefined;
    throw error;
  }
}

function checkOptions(options: FileTreeStoreOptions): FileTreeStoreOptions {
  if (typeof options?.dataDirectory !== "string" || options.dataDirectory === "") {
    throw new InvalidArgumentError("dataDirectory must be a non-empty path");
  }
  if (options.metadataDirectory !== undefined && (typeof options.metadataDirectory !== "string" || options.metadataDirectory === "")) {
    throw new InvalidArgumentError("metadataDirectory must be a non-empty path when given");
  }
  for (const name of ["keySanitizationStrategy", "collectionSanitizationStrategy"] as const) {
    const strategy = options[name];
    if (strategy !== undefined && (typeof strategy?.sanitize !== "function" || typeof strategy.validate !== "function")) {
      throw new InvalidArgumentError(`${name} must have sanitize and validate methods`);
    }
  }
  return options;
}

/**
 * One JSON file per entry, one directory per collection, as py-key-value's
 * FileTreeStore lays them out. Nothing is read or written outside the data and
 * metadata directories, and no symbolic link is followed below them.
 */
export class FileTreeStore
  extends BaseStore
  implements EnumerateKeys, EnumerateCollections, DestroyCollection, DestroyStore, Cull
{
  private readonly options: FileTreeStoreOptions;
  private dataDirectory: string;
  private metadataDirectory: string;
  private keyStrategy: SanitizationStrategy;
  private collectionStrategy: SanitizationStrategy;

  constructor(options: FileTreeStoreOptions) {
    super(checkOptions(options));
    this.options = options;
    this.dataDirectory = path.resolve(options.dataDirectory);
    this.metadataDirectory = path.resolve(options.metadataDirectory ?? options.dataDirectory);
    this.keyStrategy = options.keySanitizationStrategy ?? new FileTreeKeySanitizationStrategy();
    this.collectionStrategy = options.collectionSanitizationStrategy ?? new FileTreeCollectionSanitizationStrategy();
  }

  keys(options?: KeysOptions): AsyncIterable<string> {
    return this.runKeys(options, (collection) => this.liveKeys(collection));
  }

  collections(options?: CollectionsOptions): AsyncIterable<string> {
    return this.runCollections(options, () => this.liveCollections());
  }

  destroyCollection(collection: string): Promise<boolean> {
    return this.runDestroyCollection(collection, (name) => this.removeCollection(this.sanitizeCollection(name)));
  }

  /** Removes the collection directories and info files of this store; other files in the directories stay. */
  destroy(): Promise<boolean> {
    return this.runDestroy(async () => {
      const names: string[] = [];
      for await (const name of this.collectionNames()) names.push(name);
      for (const name of names) if (await this.ownsCollection(name)) await this.removeCollection(name);
      return true;
    });
  }

  cull(): Promise<void> {
    return this.runCull(async () => {
      for await (const name of this.collectionNames()) {
        for await (const { file, entry } of this.scanEntries(name)) {
          if (entry.isExpired(this.now())) await rm(file, { force: true });
        }
      }
    });
  }

  // ---- Hooks -----------------------------------------------------------------------

  protected override async setupStore(): Promise<void> {
    this.dataDirectory = await createDirectory(this.dataDirectory);
    this.metadataDirectory = await createDirectory(this.metadataDirectory);
    const { keySanitizationStrategy, collectionSanitizationStrategy } = this.options;
    if (keySanitizationStrategy !== undefined && collectionSanitizationStrategy !== undefined) return;
    const caseSensitive =
      (await isCaseSensitive(this.dataDirectory)) &&
      (this.metadataDirectory === this.dataDirectory || (await isCaseSensitive(this.metadataDirectory)));
    this.keyStrategy = keySanitizationStrategy ?? new FileTreeKeySanitizationStrategy({ caseSensitive });
    this.collectionStrategy = collectionSanitizationStrategy ?? new FileTreeCollectionSanitizationStrategy({ caseSensitive });
  }

  protected override async setupCollection(collection: string): Promise<void> {
    const name = this.collectionStrategy.sanitize(collection);
    // An unsafe name fails the operation itself with InvalidKeyError, which a setup error would wrap.
    if (!this.isSafeCollectionName(name)) return;
    await this.createCollection(collection, name);
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    return this.readEntry(this.entryPath(this.sanitizeCollection(collection), key), collection, key);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    const name = this.sanitizeCollection(collection);
    const reads = keys.map((key) => ({ key, file: this.entryPath(name, key) }));
    return mapConcurrently(reads, CONCURRENCY, ({ key, file }) => this.readEntry(file, collection, key));
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    const name = this.sanitizeCollection(collection);
    await this.writeEntry(collection, name, this.entryPath(name, key), serializeEnvelope(entry, { key, collection }));
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    const name = this.sanitizeCollection(collection);
    const writes = entries.map(([key, entry]) => ({ file: this.entryPath(name, key), text: serializeEnvelope(entry, { key, collection }) }));
    await mapConcurrently(writes, CONCURRENCY, ({ file, text }) => this.writeEntry(collection, name, file, text));
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    return this.removeEntry(this.entryPath(this.sanitizeCollection(collection), key), collection, key);
  }

  protected override async deleteEntries(collection: string, keys: readonly string[]): Promise<number> {
    const name = this.sanitizeCollection(collection);
    const deletes = keys.map((key) => ({ key, file: this.entryPath(name, key) }));
    const removed = await mapConcurrently(deletes, CONCURRENCY, ({ key, file }) => this.removeEntry(file, collection, key));
    return removed.filter(Boolean).length;
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof KeyValueError) return error;
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === "ENAMETOOLONG") {
      return new InvalidKeyError(`the name is too long for the file system: ${message}`, { ...context, cause: error });
    }
    const reason = code === undefined ? undefined : FS_ERROR_REASONS[code];
    if (reason !== undefined) return new StoreOperationError(`FileTreeStore: ${reason}: ${message}`, { ...context, cause: error });
    return super.classifyError(error, context);
  }

  protected override sanitizeKey(key: string): string {
    const name = this.keyStrategy.sanitize(key);
    if (!isSafeName(name)) throw this.unsafeName("key", key, name);
    return name;
  }

  protected override sanitizeCollection(collection: string): string {
    const name = this.collectionStrategy.sanitize(collection);
    if (!this.isSafeCollectionName(name)) throw this.unsafeName("collection", collection, name);
    return name;
  }

  // ---- Files -----------------------------------------------------------------------

  private isSafeCollectionName(name: unknown): name is string {
    return isSafeName(name) && !name.endsWith(INFO_SUFFIX);
  }

  private unsafeName(kind: "key" | "collection", original: string, name: unknown): InvalidKeyError {
    return new InvalidKeyError(`the ${kind} strategy maps ${JSON.stringify(original)} to ${JSON.stringify(name)}, which is not a safe file name`, {
      [kind]: original,
    });
  }

  private collectionPath(name: string): string {
    return path.join(this.dataDirectory, name);
  }

  private infoPath(name: string): string {
    return path.join(this.metadataDirectory, `${name}${INFO_SUFFIX}`);
  }

  private entryPath(collectionName: string, key: string): string {
    return path.join(this.dataDirectory, collectionName, `${this.sanitizeKey(key)}${ENTRY_SUFFIX}`);
  }

  private async createCollection(collection: string, name: string): Promise<void> {
    const directory = this.collectionPath(name);
    try {
      await mkdir(directory);
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    if (!(await lstat(directory)).isDirectory()) {
      throw new StoreSetupError(`${directory} is not a directory (symbolic links are not followed)`, { collection });
    }
    const info = this.infoPath(name);
    const existing = await lstatIfExists(info);
    if (existing === undefined) {
      const created_at = formatTimestamp(new Date(this.now()));
      await writeFileAtomic(info, JSON.stringify({ collection, created_at, directory, version: 1 }));
    } else if (!existing.isFile()) {
      throw new StoreSetupError(`${info} is not a regular file (symbolic links are not followed)`, { collection });
    }
  }

  private async readEntry(file: string, collection: string, key: string): Promise<ManagedEntry | undefined> {
    const text = await readFileNoFollow(file);
    return text === undefined ? undefined : parseEnvelope(text, { key, collection }).entry;
  }

  private async writeEntry(collection: string, name: string, file: string, text: string): Promise<void> {
    try {
      await writeFileAtomic(file, text);
    } catch (error) {
      if (!isMissing(error)) throw error;
      // The collection directory went away after setup (another store's destroy): make it again, once.
      await this.createCollection(collection, name);
      await writeFileAtomic(file, text);
    }
  }

  /** Removes the file; true only when it held a live entry (an unreadable file is removed and not counted). */
  private async removeEntry(file: string, collection: string, key: string): Promise<boolean> {
    const text = await readFileNoFollow(file);
    if (text === undefined) return false;
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    try {
      return !parseEnvelope(text, { key, collection }).entry.isExpired(this.now());
    } catch (error) {
      if (error instanceof DeserializationError) return false;
      throw error;
    }
  }

  private async removeCollection(name: string): Promise<boolean> {
    const directory = this.collectionPath(name);
    const info = this.infoPath(name);
    const existed = (await lstatIfExists(directory)) !== undefined || (await lstatIfExists(info)) !== undefined;
    // fs.rm removes a symbolic link itself and never what it points to.
    await rm(directory, { recursive: true, force: true });
    await rm(info, { force: true });
    return existed;
  }

  /** The sanitized names of the collections this store made, from their info files, streamed. */
  private async *collectionNames(): AsyncGenerator<string> {
    let dir: Dir;
    try {
      dir = await opendir(this.metadataDirectory);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for await (const dirent of dir) {
      const name = dirent.name.slice(0, -INFO_SUFFIX.length);
      if (dirent.isFile() && dirent.name.endsWith(INFO_SUFFIX) && this.isSafeCollectionName(name)) yield name;
    }
  }

  /** The info file's fields; empty when it is missing or unreadable. */
  private async readInfo(name: string): Promise<{ collection?: unknown; directory?: unknown }> {
    const text = await readFileNoFollow(this.infoPath(name));
    try {
      return (text === undefined ? undefined : parseJsonObject(text)) ?? {};
    } catch {
      return {};
    }
  }

  /** The original collection name an info file records; its sanitized name when it records none. */
  private async originalCollectionName(name: string): Promise<string> {
    const { collection } = await this.readInfo(name);
    return typeof collection === "string" ? collection : name;
  }

  /** A metadata directory shared by several stores holds info files of their collections too; ours name our directory, or it exists. */
  private async ownsCollection(name: string): Promise<boolean> {
    const directory = this.collectionPath(name);
    return (await this.readInfo(name)).directory === directory || (await lstatIfExists(directory)) !== undefined;
  }

  /**
   * The entries of one collection directory, streamed. Files that are not
   * readable envelopes are skipped, and so is a directory that is a symbolic link.
   */
  private async *scanEntries(name: string): AsyncGenerator<ScannedEntry> {
    const directory = this.collectionPath(name);
    if (!(await lstatIfExists(directory))?.isDirectory()) return;
    const dir = await opendir(directory);
    for await (const dirent of dir) {
      if (!dirent.isFile() || !dirent.name.endsWith(ENTRY_SUFFIX)) continue;
      const file = path.join(directory, dirent.name);
      const parsed = parseEnvelopeOrSkip(await readFileNoFollow(file));
      if (parsed !== undefined) yield { file, key: parsed.key ?? dirent.name.slice(0, -ENTRY_SUFFIX.length), entry: parsed.entry };
    }
  }

  private async *liveKeys(collection: string): AsyncGenerator<string> {
    for await (const { key, entry } of this.scanEntries(this.sanitizeCollection(collection))) {
      if (!entry.isExpired(this.now())) yield key;
    }
  }

  private async *liveCollections(): AsyncGenerator<string> {
    for await (const name of this.collectionNames()) {
      for await (const { entry } of this.scanEntries(name)) {
        if (!entry.isExpired(this.now())) {
          yield await this.originalCollectionName(name);
          break;
        }
      }
    }
  }
}
