/**
 * pnpm bench: each @kv store against its raw primitive and against Keyv, all
 * measured in the same run on the same machine. Prints ops/s (for batch
 * operations, batches/s) and the ratios; these are measurements, not tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import type { AsyncKeyValue, JsonObject } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { MemoryStore } from "@kv/memory";
import Database from "better-sqlite3";
import Keyv from "keyv";
import { Bench } from "tinybench";

const KEY_COUNT = 1_000;
const BATCH = 100;
const TIME_MS = Number(process.env.KV_BENCH_TIME_MS ?? 1_000);

/** A value of about 1 KB of JSON. */
function valueFor(index: number): JsonObject {
  return { id: index, name: `user-${index}`, tags: ["a", "b", "c"], active: index % 2 === 0, payload: "x".repeat(920) };
}

/** Each write carries a new revision: SQLite skips rewriting a row whose bytes did not change, which would flatter whoever writes identical text. */
function revised(value: JsonObject, revision: number): JsonObject {
  return { ...value, revision };
}

const keys = Array.from({ length: KEY_COUNT }, (_, index) => `key-${index}`);
const values = keys.map((_, index) => valueFor(index));
const batchStarts = Array.from({ length: KEY_COUNT / BATCH }, (_, index) => index * BATCH);

/** The four operations, as one contender performs them. */
interface Contender {
  name: string;
  get(key: string): unknown;
  put(key: string, value: JsonObject): unknown;
  getMany(keys: string[]): unknown;
  putMany(entries: [string, JsonObject][]): unknown;
}

function kvContender(name: string, store: AsyncKeyValue): Contender {
  return {
    name,
    get: (key) => store.get(key),
    put: (key, value) => store.put(key, value),
    getMany: (batch) => store.getMany(batch),
    putMany: (entries) => store.putMany(entries),
  };
}

function keyvContender(name: string, keyv: Keyv): Contender {
  return {
    name,
    get: (key) => keyv.get(key),
    put: (key, value) => keyv.set(key, value),
    getMany: (batch) => keyv.getMany(batch),
    putMany: (entries) => keyv.setMany(entries.map(([key, value]) => ({ key, value }))),
  };
}

function mapContender(): Contender {
  const map = new Map<string, JsonObject>();
  return {
    name: "raw Map",
    get: (key) => map.get(key),
    put: (key, value) => map.set(key, value),
    getMany: (batch) => batch.map((key) => map.get(key)),
    putMany: (entries) => {
      for (const [key, value] of entries) map.set(key, value);
    },
  };
}

/** better-sqlite3 as a careful hand-written user would: same pragmas as DiskStore, prepared statements, one transaction per batch. */
function rawSqliteContender(directory: string): Contender & { close(): void } {
  const db = new Database(join(directory, "raw.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER)");
  const select = db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?");
  const upsert = db.prepare("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, NULL) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at");
  const read = (key: string): unknown => {
    const row = select.get(key);
    return row === undefined ? undefined : JSON.parse(row.value);
  };
  const readMany = db.transaction((batch: string[]) => batch.map(read));
  const writeMany = db.transaction((entries: [string, JsonObject][]) => {
    for (const [key, value] of entries) upsert.run(key, JSON.stringify(value));
  });
  return {
    name: "raw better-sqlite3",
    get: read,
    put: (key, value) => upsert.run(key, JSON.stringify(value)),
    getMany: (batch) => readMany(batch),
    putMany: (entries) => writeMany(entries),
    close: () => db.close(),
  };
}

async function preload(contender: Contender): Promise<void> {
  for (const start of batchStarts) {
    await contender.putMany(keys.slice(start, start + BATCH).map((key, offset) => [key, values[start + offset]!] as [string, JsonObject]));
  }
}

type Operation = "get" | "put" | "getMany" | "putMany";
const OPERATIONS: readonly Operation[] = ["get", "put", "getMany", "putMany"];

function task(contender: Contender, operation: Operation): () => unknown {
  let counter = 0;
  const batches = batchStarts.map((start) => keys.slice(start, start + BATCH));
  const entryBatches = batchStarts.map((start) =>
    keys.slice(start, start + BATCH).map((key, offset) => [key, values[start + offset]!] as [string, JsonObject]),
  );
  switch (operation) {
    case "get":
      return () => contender.get(keys[counter++ % KEY_COUNT]!);
    case "put":
      return () => {
        const index = counter++ % KEY_COUNT;
        return contender.put(keys[index]!, revised(values[index]!, counter));
      };
    case "getMany":
      return () => contender.getMany(batches[counter++ % batches.length]!);
    case "putMany":
      return () => {
        const revision = counter++;
        return contender.putMany(entryBatches[revision % entryBatches.length]!.map(([key, value]) => [key, revised(value, revision)]));
      };
  }
}

interface Target {
  operation: Operation | "every";
  peer: string;
  atLeast: number;
}

async function compare(title: string, subject: Contender, peers: Contender[], targets: Target[]): Promise<string[]> {
  for (const contender of [subject, ...peers]) await preload(contender);
  const misses: string[] = [];
  console.log(`\n${title} — 1 KB values, batches of ${BATCH}; ops/s (batches/s for *Many)`);
  const header = ["operation", subject.name, ...peers.flatMap((peer) => [peer.name, `÷ ${peer.name}`])];
  const rows: string[][] = [];
  for (const operation of OPERATIONS) {
    const bench = new Bench({ time: TIME_MS, warmupTime: 200 });
    for (const contender of [subject, ...peers]) bench.add(contender.name, task(contender, operation));
    await bench.run();
    const throughput = new Map(
      bench.tasks.map((benchTask) => {
        const result = benchTask.result as { state: string; throughput?: { mean: number }; error?: unknown };
        if (result.state !== "completed" || result.throughput === undefined) throw new Error(`${benchTask.name} ${operation} failed: ${String(result.error)}`);
        return [benchTask.name, result.throughput.mean] as const;
      }),
    );
    const own = throughput.get(subject.name)!;
    const row = [operation, format(own)];
    for (const peer of peers) {
      const ratio = own / throughput.get(peer.name)!;
      row.push(format(throughput.get(peer.name)!), `${ratio.toFixed(2)}×`);
      for (const target of targets) {
        if (target.peer === peer.name && (target.operation === operation || target.operation === "every") && ratio < target.atLeast) {
          misses.push(`${subject.name} ${operation}: ${ratio.toFixed(2)}× ${peer.name}, target ≥ ${target.atLeast}×`);
        }
      }
    }
    rows.push(row);
  }
  printTable(header, rows);
  return misses;
}

function format(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString("en-US");
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "kv-bench-"));
  const diskStore = new DiskStore({ directory: join(directory, "kv") });
  const rawSqlite = rawSqliteContender(directory);
  const keyvSqlite = new Keyv({ store: new KeyvSqlite(`sqlite://${join(directory, "keyv.sqlite")}`) });
  try {
    console.log(`@kv bench on Node ${process.version}, ${TIME_MS} ms per task`);
    const misses = [
      ...(await compare("MemoryStore", kvContender("MemoryStore", new MemoryStore()), [mapContender(), keyvContender("Keyv memory", new Keyv())], [
        { operation: "every", peer: "Keyv memory", atLeast: 1 },
      ])),
      ...(await compare("DiskStore", kvContender("DiskStore", diskStore), [rawSqlite, keyvContender("@keyv/sqlite", keyvSqlite)], [
        { operation: "putMany", peer: "raw better-sqlite3", atLeast: 0.7 },
        { operation: "putMany", peer: "@keyv/sqlite", atLeast: 3 },
      ])),
    ];
    console.log(misses.length === 0 ? "\nAll targets met." : `\nTargets missed:\n${misses.map((miss) => `- ${miss}`).join("\n")}`);
  } finally {
    await diskStore.close();
    rawSqlite.close();
    await keyvSqlite.disconnect();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
