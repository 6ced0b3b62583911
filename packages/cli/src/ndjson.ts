import { DeserializationError, ManagedEntry, parseEnvelope, serializeEnvelope } from "@kv/core";
import type { EntryRecord } from "./entry-reader.js";
import { CliError, EXIT_CODES } from "./exit-codes.js";

/**
 * One line of an export: the envelope every @kv store writes, with its key and
 * collection, e.g. `{"collection":"users","expires_at":"…","key":"alice","value":{…},"version":1}`.
 * There is no `created_at`: the protocol does not expose when an entry was written.
 */
export function formatEnvelopeLine(record: EntryRecord): string {
  const entry = new ManagedEntry(record.value, undefined, record.expiresAt === undefined ? undefined : new Date(record.expiresAt));
  return `${serializeEnvelope(entry, { key: record.key, collection: record.collection })}\n`;
}

/**
 * Reads one line of an NDJSON file. `collection` overrides the line's own
 * collection; a line without either goes to `defaultCollection`.
 */
export function parseEnvelopeLine(line: string, lineNumber: number, collection: string | undefined, defaultCollection: string): EntryRecord {
  let parsed: ReturnType<typeof parseEnvelope>;
  try {
    parsed = parseEnvelope(line);
  } catch (error) {
    if (!(error instanceof DeserializationError)) throw error;
    const reason = error.message.replace(/^.*?: /, "");
    throw new CliError(`line ${lineNumber} is not an @kv envelope: ${reason}`, EXIT_CODES.badInput, { cause: error });
  }
  if (parsed.key === undefined) throw new CliError(`line ${lineNumber} has no "key"`, EXIT_CODES.badInput);
  return {
    collection: collection ?? parsed.collection ?? defaultCollection,
    key: parsed.key,
    value: parsed.entry.value,
    expiresAt: parsed.entry.expiresAt?.getTime(),
  };
}
