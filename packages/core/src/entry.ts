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

/** Reads an ISO-8601 timestamp with `Z`, `+00:00` or any offset and any number of fraction digits; no offset means UTC. */
export function parseTimestamp(text: string): Date | undefined {
  // The entries of a batch share their times: comparing with the last text read is cheaper than reading it.
  if (text === lastParsed.text) return lastParsed.time === undefined ? undefined : new Date(lastParsed.time);
  const date = parseCanonicalTimestamp(text) ?? parseTimestampText(text);
  lastParsed = { text, time: date?.getTime() };
  return date;
}

let lastParsed: { text: string; time: number | undefined } = { text: "", time: undefined };

/** `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, what @kv and py-key-value write, read digit by digit: this runs for every entry read. */
function parseCanonicalTimestamp(text: string): Date | undefined {
  if (text.length !== 32 || !text.endsWith("+00:00") || text[10] !== "T" || text[19] !== ".") return undefined;
  const digits = (start: number, end: number): number => {
    let value = 0;
    for (let index = start; index < end; index++) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) return Number.NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  const year = digits(0, 4);
  const month = digits(5, 7);
  const day = digits(8, 10);
  const hour = digits(11, 13);
  const minute = digits(14, 16);
  const second = digits(17, 19);
  const microseconds = digits(20, 26);
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59 && microseconds >= 0)) return undefined;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(microseconds / 1000));
  // Day 31 of a 30-day month rolls over: leave such text to the strict reader, which refuses it.
  return new Date(time).getUTCDate() === day ? new Date(time) : undefined;
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
  // Concatenated in sorted key order rather than stringifying an envelope object: this runs for every write.
  let text = "{";
  if (names.collection !== undefined) text += `"collection":${JSON.stringify(names.collection)},`;
  if (entry.createdAt !== undefined) text += `"created_at":"${formatTimestamp(entry.createdAt)}",`;
  if (entry.expiresAt !== undefined) text += `"expires_at":"${formatTimestamp(entry.expiresAt)}",`;
  if (names.key !== undefined) text += `"key":${JSON.stringify(names.key)},`;
  return `${text}"value":${JSON.stringify(entry.value)},"version":1}`;
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
  let envelope: JsonObject | undefined;
  if (typeof text === "string") {
    try {
      envelope = parseJsonObject(text);
    } catch (error) {
      throw unreadable(where, "it is not valid JSON", error);
    }
  } else {
    envelope = text;
  }
  if (envelope === undefined) throw unreadable(where, "it is not a JSON object");

  let value = envelope.value;
  if (typeof value === "string") {
    try {
      value = parseJsonObject(value);
    } catch (error) {
      throw unreadable(where, "its value is a string that is not valid JSON", error);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw unreadable(where, "its value is not a JSON object");
  const version = envelope.version;
  if (version !== undefined && version !== 1) throw unreadable(where, `its version ${JSON.stringify(version)} is not supported`);

  return {
    entry: new ManagedEntry(value, readTime(envelope, "created_at", where), readTime(envelope, "expires_at", where)),
    key: readName(envelope, "key", where),
    collection: readName(envelope, "collection", where),
  };
}

function unreadable(where: EnvelopeNames, reason: string, cause?: unknown): DeserializationError {
  return new DeserializationError(
    `cannot read the stored entry for key ${JSON.stringify(where.key ?? "?")} in collection ${JSON.stringify(where.collection ?? "?")}: ${reason}`,
    { key: where.key, collection: where.collection, cause },
  );
}

function readTime(envelope: JsonObject, field: "created_at" | "expires_at", where: EnvelopeNames): Date | undefined {
  const raw = envelope[field];
  if (raw === undefined || raw === null) return undefined;
  const date = typeof raw === "string" ? parseTimestamp(raw) : undefined;
  if (date === undefined) throw unreadable(where, `its ${field} is not an ISO-8601 timestamp`);
  return date;
}

function readName(envelope: JsonObject, field: "key" | "collection", where: EnvelopeNames): string | undefined {
  const raw = envelope[field];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") throw unreadable(where, `its ${field} is not a string`);
  return raw;
}
