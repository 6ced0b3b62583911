import { parseStoreUrl } from "@kv/connect";
import type { BaseStore, EnumerateKeys } from "@kv/core";
import { createReadStream, createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { createInterface } from "node:readline";
import { countKeys, readCollection, type EntryRecord } from "./entry-reader.js";
import { EntryWriter, type TransferCounts } from "./entry-writer.js";
import { CliError, EXIT_CODES } from "./exit-codes.js";
import { write } from "./io.js";
import { formatEnvelopeLine, parseEnvelopeLine } from "./ndjson.js";
import { createProgress } from "./progress.js";
import type { Session } from "./session.js";

export interface TransferOptions {
  store?: string;
  /** `copy` and `export` take `--collection` more than once. */
  collection?: string[];
  json?: boolean;
  batchSize?: string;
  progress?: boolean;
  dryRun?: boolean;
}

export interface ImportOptions extends Omit<TransferOptions, "collection"> {
  collection?: string;
}

export const DEFAULT_BATCH_SIZE = 1_000;
/** Failed entries named one by one on stderr; the summary counts the rest. */
const FAILURES_SHOWN = 10;

function batchSizeOf(options: { batchSize?: string }): number {
  if (options.batchSize === undefined) return DEFAULT_BATCH_SIZE;
  const size = Number(options.batchSize);
  if (!Number.isInteger(size) || size < 1) throw new CliError(`--batch-size must be a whole number ≥ 1, got ${options.batchSize}`, EXIT_CODES.badInput);
  return size;
}

/** The collections to read: those named, else every collection of a store that can list them. */
async function collectionsOf(session: Session, store: BaseStore, chosen: readonly string[] | undefined): Promise<string[]> {
  if (chosen !== undefined && chosen.length > 0) return [...chosen];
  const lister = session.require(store, "collections", "list its collections: name them with --collection");
  const names: string[] = [];
  for await (const name of lister.collections()) names.push(name);
  return names;
}

function reportFailures(session: Session): (record: EntryRecord, error: unknown) => void {
  let shown = 0;
  return (record, error) => {
    if (shown++ >= FAILURES_SHOWN) return;
    const reason = error instanceof Error ? error.message : String(error);
    session.io.stderr.write(session.redact(`kv: cannot write key ${JSON.stringify(record.key)} of collection ${JSON.stringify(record.collection)}: ${reason}\n`));
  };
}

/** The closing line of `copy` and `import`; a run that could not write everything exits 1. */
async function summarize(session: Session, verb: string, counts: TransferCounts, json: boolean | undefined): Promise<void> {
  await session.print(
    json
      ? JSON.stringify({ [verb]: counts.copied, skipped: counts.skipped, failed: counts.failed })
      : `${verb} ${counts.copied}, skipped ${counts.skipped} (expired), failed ${counts.failed}`,
  );
  if (counts.failed > 0) throw new CliError(`${counts.failed} entries could not be written`, EXIT_CODES.failure);
}

/** `kv export [FILE]`: every entry of the chosen collections as NDJSON envelopes, to FILE or stdout. */
export async function exportEntries(session: Session, file: string | undefined, options: TransferOptions): Promise<void> {
  const batchSize = batchSizeOf(options);
  const store = session.require(await session.open(session.storeUrl(options)), "keys", "list keys, so it cannot be exported");
  const collections = await collectionsOf(session, store, options.collection);
  const output = file === undefined || file === "-" ? session.io.stdout : createWriteStream(file);
  let exported = 0;
  try {
    for (const collection of collections) {
      for await (const batch of readCollection(store, collection, batchSize)) {
        await write(output, batch.records.map(formatEnvelopeLine).join(""));
        exported += batch.records.length;
      }
    }
  } finally {
    if (output !== session.io.stdout) {
      output.end();
      await finished(output);
    }
  }
  const summary = options.json ? JSON.stringify({ exported, collections: collections.length }) : `exported ${exported} entries from ${collections.length} collections`;
  await write(session.io.stderr, `${summary}\n`);
}

/**
 * `kv import [FILE]`: NDJSON envelopes from FILE or stdin, streamed in batches.
 * A line that is not an envelope stops the import (exit 2) after the lines before it are written.
 */
export async function importEntries(session: Session, file: string | undefined, options: ImportOptions): Promise<void> {
  const batchSize = batchSizeOf(options);
  const store = await session.open(session.storeUrl(options));
  const input = file === undefined || file === "-" ? session.io.stdin : createReadStream(file);
  const writer = new EntryWriter(store, reportFailures(session));
  let batch: EntryRecord[] = [];
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === "") continue;
      batch.push(parseEnvelopeLine(line, lineNumber, options.collection, store.defaultCollection));
      if (batch.length === batchSize) {
        await writer.write(batch);
        batch = [];
      }
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    await writer.write(batch);
    throw new CliError(`${error.message} (the ${writer.counts.copied} entries before it were imported)`, error.exitCode, { cause: error.cause });
  }
  await writer.write(batch);
  await summarize(session, "imported", writer.counts, options.json);
}

/**
 * `kv copy SRC DST`: streams the chosen collections (or all) from one store to
 * another, keeping each entry's remaining TTL, reading the next batch while
 * writing the current one.
 */
export async function copyEntries(session: Session, source: string, destination: string, options: TransferOptions): Promise<void> {
  const batchSize = batchSizeOf(options);
  const from = session.require(await session.open(source), "keys", "list keys, so it cannot be copied from");
  const collections = await collectionsOf(session, from, options.collection);
  if (options.dryRun) {
    // Only checked: opening it could create tables and directories.
    parseStoreUrl(destination, { env: session.io.env, cwd: session.io.cwd });
    await dryRun(session, from, collections, batchSize, options.json);
    return;
  }
  const to = await session.open(destination);
  // Connected before anything is read: an unreachable destination fails here rather than after the first batch.
  await to.setup();
  const writer = new EntryWriter(to, reportFailures(session));
  const showProgress = options.progress !== false;
  const total = showProgress && session.io.stderr.isTTY === true ? await countKeys(from, collections) : undefined;
  const progress = showProgress ? createProgress(session.io.stderr, total) : undefined;
  try {
    for (const collection of collections) {
      for await (const batch of readCollection(from, collection, batchSize)) {
        writer.counts.skipped += batch.vanished;
        await writer.write(batch.records);
        const { copied, skipped, failed } = writer.counts;
        progress?.update(copied + skipped + failed);
      }
    }
  } finally {
    progress?.stop();
  }
  await summarize(session, "copied", writer.counts, options.json);
}

/** What `copy --dry-run` prints: each entry that would be copied, then the counts. */
async function dryRun(session: Session, from: EnumerateKeys & BaseStore, collections: readonly string[], batchSize: number, json: boolean | undefined): Promise<void> {
  let wouldCopy = 0;
  let skipped = 0;
  for (const collection of collections) {
    for await (const batch of readCollection(from, collection, batchSize)) {
      skipped += batch.vanished;
      for (const { key, expiresAt } of batch.records) {
        const ttl = expiresAt === undefined ? undefined : (expiresAt - Date.now()) / 1000;
        wouldCopy++;
        if (json) await session.print(JSON.stringify({ collection, key, ttl: ttl ?? null }));
        else await session.print(`would copy ${JSON.stringify(collection)} ${JSON.stringify(key)}${ttl === undefined ? "" : ` (expires in ${ttl.toFixed(1)} s)`}`);
      }
    }
  }
  await session.print(json ? JSON.stringify({ dryRun: true, wouldCopy, skipped }) : `would copy ${wouldCopy}, skipped ${skipped} (expired)`);
}
