import { DeserializationError } from "./errors.js";
import type { JsonObject } from "./types.js";
import { parseJsonObject } from "./values.js";

/**
 * A stored value with its times. Times have millisecond precision (JavaScript
 * dates); py-key-value's microseconds are truncated on read.
 */
export class ManagedEntry {
  constructor(
    readonly value: JsonObject,
    readonly createdAt: Date | undefined,
    readonly expiresAt: Date | undefined,
  ) {}

  /** An entry created at `now` (epoch ms) that lives `ttl` seconds, or forever. */
  static create(value: JsonObject, now: number, ttl: number | undefined): ManagedEntry {
    return new ManagedEntry(value, new Date(now), ttl === undefined ? undefined : new Date(now + ttl * 1000));
  }

  isExpired(now: number = Date.now()): boolean {
    return this.expiresAt !== undefined && this.expiresAt.getTime() <= now;
  }

  /** Seconds left before expiry (may be ≤ 0 once expired), or `undefined` when it never expires. */
  remainingTtl(now: number = Date.now()): number | undefined {
    return this.expiresAt === undefined ? undefined : (this.expiresAt.getTime() - now) / 1000;
  }
}

/** The last two times formatted: a batch shares one creation and one expiry time, so this saves a toISOString per entry. */
const recentTimestamps: [number, string][] = [];

/** `2026-01-02T03:04:05.678000+00:00`: UTC, microsecond digits and an explicit offset, as py-key-value writes. */
export function formatTimestamp(date: Date): string {
  const time = date.getTime();
  for (const [cachedTime, text] of recentTimestamps) if (cachedTime === time) return text;
  const text = `${date.toISOString().slice(0, 23)}000+00:00`;
  recentTimestamps.unshift([time, text]);
  recentTimestamps.length = Math.min(recentTimestamps.length, 2);
  return text;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The last texts parsed: the entries of a batch share their creation and expiry times. */
const recentlyParsed = new Map<string, number | undefined>();
const RECENTLY_PARSED_LIMIT = 8;

/** Reads an ISO-8601 timestamp with `Z`, `+00:00` or any offset and any number of fraction digits; no offset means UTC. */
export function parseTimestamp(text: string): Date | undefined {
  if (recentlyParsed.has(text)) {
    const time = recentlyParsed.get(text);
    return time === undefined ? undefined : new Date(time);
  }
  const parsed = parseTimestampText(text);
  if (recentlyParsed.size >= RECENTLY_PARSED_LIMIT) recentlyParsed.delete(recentlyParsed.keys().next().value as string);
  recentlyParsed.set(text, parsed?.getTime());
  return parsed;
}

function parseTimestampText(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = "", offset = "Z"] = match;
  const milliseconds = Number(fraction.padEnd(3, "0").slice(0, 3));
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
  let time = Date.UTC(...fields, milliseconds);
  const check = new Date(time);
  const normalized = [check.getUTCFullYear(), check.getUTCMonth(), check.getUTCDate(), check.getUTCHours(), check.getUTCMinutes(), check.getUTCSeconds()];
  // Date.UTC rolls month 13 or day 32 over into the next unit; such text is not a timestamp.
  if (normalized.some((value, index) => value !== fields[index])) return undefined;
  if (offset !== "Z" && offset !== "z") {
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * 60_000;
  }
  return new Date(time);
}

/** The names an envelope carries besides the entry itself. */
export interface EnvelopeNames {
  key?: string;
  collection?: string;
}

/**
 * The stored form of an entry: compact JSON with the envelope's keys sorted,
 * `expires_at` left out when the entry never expires.
 */
export function serializeEnvelope(entry: ManagedEntry, names: EnvelopeNames = {}): string {
  const envelope: Record<string, unknown> = {};
  if (names.collection !== undefined) envelope.collection = names.collection;
  if (entry.createdAt !== undefined) envelope.created_at = formatTimestamp(entry.createdAt);
  if (entry.expiresAt !== undefined) envelope.expires_at = formatTimestamp(entry.expiresAt);
  if (names.key !== undefined) envelope.key = names.key;
  envelope.value = entry.value;
  envelope.version = 1;
  return JSON.stringify(envelope);
}

export interface ParsedEnvelope extends EnvelopeNames {
  entry: ManagedEntry;
}

/**
 * Reads an envelope written by @kv or py-key-value (with or without `version`,
 * `key` and `collection`; `value` as an object or as JSON text). Anything else
 * is a `DeserializationError` naming `where` (the key and collection read), never a crash.
 */
export function parseEnvelope(text: string | JsonObject, where: EnvelopeNames = {}): ParsedEnvelope {
  const fail = (reason: string, cause?: unknown): never => {
    throw new DeserializationError(
      `cannot read the stored entry for key ${JSON.stringify(where.key ?? "?")} in collection ${JSON.stringify(where.collection ?? "?")}: ${reason}`,
      { key: where.key, collection: where.collection, cause },
    );
  };
  let envelope: JsonObject | undefined;
  if (typeof text === "string") {
    try {
      envelope = parseJsonObject(text);
    } catch (error) {
      fail("it is not valid JSON", error);
    }
  } else {
    envelope = text;
  }
  if (envelope === undefined) return fail("it is not a JSON object");

  let value = envelope.value;
  if (typeof value === "string") {
    try {
      value = parseJsonObject(value);
    } catch (error) {
      fail("its value is a string that is not valid JSON", error);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("its value is not a JSON object");

  const readTime = (field: "created_at" | "expires_at"): Date | undefined => {
    const raw = envelope[field];
    if (raw === undefined || raw === null) return undefined;
    const date = typeof raw === "string" ? parseTimestamp(raw) : undefined;
    return date ?? fail(`its ${field} is not an ISO-8601 timestamp`);
  };
  const readName = (field: "key" | "collection"): string | undefined => {
    const raw = envelope[field];
    if (raw === undefined || raw === null) return undefined;
    return typeof raw === "string" ? raw : fail(`its ${field} is not a string`);
  };
  const version = envelope.version;
  if (version !== undefined && version !== 1) fail(`its version ${JSON.stringify(version)} is not supported`);

  return {
    entry: new ManagedEntry(value, readTime("created_at"), readTime("expires_at")),
    key: readName("key"),
    collection: readName("collection"),
  };
}
