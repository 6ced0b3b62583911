import { describe, expect, it } from "@jest/globals";
import { parseEnvelope, StoreConnectionError, ValueTooLargeError, type JsonObject, type PutOptions } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { readCollection, type EntryRecord } from "../src/entry-reader.js";
import { EntryWriter } from "../src/entry-writer.js";
import { CliError, EXIT_CODES } from "../src/exit-codes.js";
import { formatEnvelopeLine, parseEnvelopeLine } from "../src/ndjson.js";

const record = (key: string, expiresAt?: number, collection = "c"): EntryRecord => ({ collection, key, value: { key }, expiresAt });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A MemoryStore that records its putMany calls and refuses chosen keys or everything. */
class RecordingStore extends MemoryStore {
  readonly putManyCalls: { keys: string[]; options: PutOptions | undefined }[] = [];
  refuse = new Set<string>();
  unreachable = false;
  /** Milliseconds each putMany blocks its caller while writing, as a synchronous store (better-sqlite3) does. */
  blockMs = 0;

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    this.putManyCalls.push({ keys: entries.map(([key]) => key), options });
    this.check(entries.map(([key]) => key));
    const written = super.putMany(entries, options);
    for (const until = Date.now() + this.blockMs; Date.now() < until; );
    return written;
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    this.check([key]);
    return super.put(key, value, options);
  }

  private check(keys: string[]): void {
    if (this.unreachable) throw new StoreConnectionError("down");
    if (keys.some((key) => this.refuse.has(key))) throw new ValueTooLargeError(2_000_000, 1_000_000);
  }
}

describe("EntryWriter", () => {
  it("writes one putMany per collection and expiry time, keeping the remaining TTL", async () => {
    const store = new RecordingStore();
    const writer = new EntryWriter(store);
    const soon = Date.now() + 60_000;
    const later = Date.now() + 600_000;
    await writer.write([record("a", soon), record("b", later), record("c", soon), record("d"), record("e", soon, "other")]);
    expect(writer.counts).toEqual({ copied: 5, skipped: 0, failed: 0 });
    expect(store.putManyCalls.map((call) => [call.options?.collection, call.keys]).sort()).toEqual(
      [
        ["c", ["a", "c"]],
        ["c", ["b"]],
        ["c", ["d"]],
        ["other", ["e"]],
      ].sort(),
    );
    const [a, b, d] = await store.ttlMany(["a", "b", "d"], { collection: "c" });
    expect(a!.ttl).toBeGreaterThan(58);
    expect(a!.ttl).toBeLessThanOrEqual(60);
    expect(b!.ttl).toBeGreaterThan(598);
    expect(d!.ttl).toBeUndefined();
  });

  it("never lengthens a TTL when the store runs the groups one after another", async () => {
    const store = new RecordingStore();
    store.blockMs = 40;
    const expiries = [60_000, 60_001, 60_002].map((offset) => Date.now() + offset);
    await new EntryWriter(store).write(expiries.map((expiresAt, index) => record(`k${index}`, expiresAt)));
    const found = await store.ttlMany(["k0", "k1", "k2"], { collection: "c" });
    const now = Date.now();
    found.forEach((result, index) => expect(now + result!.ttl! * 1000).toBeLessThanOrEqual(expiries[index]! + 5));
  });

  it("skips entries whose expiry has passed", async () => {
    const store = new RecordingStore();
    const writer = new EntryWriter(store);
    await writer.write([record("gone", Date.now() - 1), record("kept", Date.now() + 60_000)]);
    expect(writer.counts).toEqual({ copied: 1, skipped: 1, failed: 0 });
    expect(await store.get("gone", { collection: "c" })).toBeUndefined();
  });

  it("writes a key given twice in a batch once, as the last one says", async () => {
    const store = new RecordingStore();
    const writer = new EntryWriter(store);
    await writer.write([{ ...record("k", Date.now() + 60_000), value: { n: 1 } }, { ...record("k"), value: { n: 2 } }]);
    expect(await store.ttl("k", { collection: "c" })).toEqual({ value: { n: 2 }, ttl: undefined });
    expect(writer.counts.copied).toBe(1);
  });

  it("retries a refused batch entry by entry, counting and reporting the ones that fail", async () => {
    const store = new RecordingStore();
    store.refuse.add("big");
    const failures: string[] = [];
    const writer = new EntryWriter(store, (failed, error) => failures.push(`${failed.key}: ${(error as Error).name}`));
    await writer.write([record("a"), record("big"), record("b")]);
    expect(writer.counts).toEqual({ copied: 2, skipped: 0, failed: 1 });
    expect(failures).toEqual(["big: ValueTooLargeError"]);
    expect(await store.getMany(["a", "big", "b"], { collection: "c" })).toEqual([{ key: "a" }, undefined, { key: "b" }]);
  });

  it("stops at an unreachable destination instead of failing every entry", async () => {
    const store = new RecordingStore();
    store.unreachable = true;
    const writer = new EntryWriter(store);
    await expect(writer.write([record("a"), record("b")])).rejects.toBeInstanceOf(StoreConnectionError);
    expect(writer.counts.failed).toBe(0);
  });
});

describe("readCollection", () => {
  it("reads every live entry in batches, with expiry times", async () => {
    const store = new MemoryStore();
    await store.putMany(
      Array.from({ length: 25 }, (_, index) => [`k${index}`, { index }] as const),
      { collection: "c", ttl: 100 },
    );
    await store.put("forever", { index: -1 }, { collection: "c" });
    const before = Date.now();
    const batches = await collect(readCollection(store, "c", 10));
    expect(batches.map((batch) => batch.records.length)).toEqual([10, 10, 6]);
    const records = batches.flatMap((batch) => batch.records);
    expect(records.map((entry) => entry.key).sort()).toEqual([...Array.from({ length: 25 }, (_, index) => `k${index}`), "forever"].sort());
    expect(records.find((entry) => entry.key === "forever")!.expiresAt).toBeUndefined();
    const expiry = records.find((entry) => entry.key === "k3")!.expiresAt!;
    expect(expiry).toBeGreaterThan(before + 98_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 100_000);
  });

  it("counts keys that vanish between listing and reading", async () => {
    const store = new MemoryStore();
    await store.putMany([["a", {}], ["b", {}], ["c", {}]], { collection: "c" });
    const listing = store.keys.bind(store);
    store.keys = (options) =>
      (async function* () {
        yield* listing(options);
        await store.delete("b", { collection: "c" });
        yield "never-there";
      })();
    const [batch] = await collect(readCollection(store, "c", 10));
    expect(batch!.records.map((entry) => entry.key)).toEqual(["a", "c"]);
    expect(batch!.vanished).toBe(2);
  });

  it("reads the next batch before the current one is handled", async () => {
    const store = new MemoryStore();
    await store.putMany(
      Array.from({ length: 30 }, (_, index) => [`k${index}`, {}] as const),
      { collection: "c" },
    );
    const reads: number[] = [];
    const ttlMany = store.ttlMany.bind(store);
    store.ttlMany = (keys, options) => {
      reads.push(keys.length);
      return ttlMany(keys, options);
    };
    const iterator = readCollection(store, "c", 10);
    await iterator.next();
    expect(reads).toEqual([10, 10]);
    await collect({ [Symbol.asyncIterator]: () => iterator });
    expect(reads).toEqual([10, 10, 10]);
  });
});

describe("NDJSON lines", () => {
  it("are core's envelopes with key and collection, read back exactly", () => {
    const expiresAt = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const line = formatEnvelopeLine({ collection: "users", key: "alice", value: { name: "Alice" }, expiresAt });
    expect(line).toBe('{"collection":"users","expires_at":"2030-01-02T03:04:05.678000+00:00","key":"alice","value":{"name":"Alice"},"version":1}\n');
    expect(parseEnvelope(line.trim())).toMatchObject({ key: "alice", collection: "users" });
    expect(parseEnvelopeLine(line, 1, undefined, "default_collection")).toEqual({ collection: "users", key: "alice", value: { name: "Alice" }, expiresAt });
  });

  it("read py-key-value's envelopes, and put lines without a collection in the default one", () => {
    const python = '{"created_at": "2026-01-02T03:04:05+00:00", "key": "k", "value": "{\\"a\\": 1}", "version": 1}';
    expect(parseEnvelopeLine(python, 1, undefined, "fallback")).toEqual({ collection: "fallback", key: "k", value: { a: 1 }, expiresAt: undefined });
    expect(parseEnvelopeLine('{"collection":"x","key":"k","value":{}}', 1, "forced", "fallback").collection).toBe("forced");
  });

  it.each([
    ["not JSON", "{nope", /line 7 is not an @kv envelope: it is not valid JSON/],
    ["not an object", "[1]", /line 7 is not an @kv envelope: it is not a JSON object/],
    ["no value", '{"key":"k"}', /line 7 is not an @kv envelope: its value is not a JSON object/],
    ["a bad timestamp", '{"key":"k","value":{},"expires_at":"soon"}', /its expires_at is not an ISO-8601 timestamp/],
    ["no key", '{"value":{}}', /line 7 has no "key"/],
  ])("refuse %s as bad input", (_, line, message) => {
    let error: unknown;
    try {
      parseEnvelopeLine(line, 7, undefined, "d");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT_CODES.badInput);
    expect((error as Error).message).toMatch(message);
  });
});
