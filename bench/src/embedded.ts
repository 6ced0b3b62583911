import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import type { JsonObject } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { MemoryStore } from "@kv/memory";
import Database from "better-sqlite3";
import Keyv from "keyv";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

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
  const upsert = db.prepare(
    "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, NULL) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
  );
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

/** MemoryStore against a Map and Keyv's memory store; DiskStore against raw better-sqlite3 and @keyv/sqlite. */
export async function benchEmbedded(directory: string): Promise<string[]> {
  const memory = await compare("MemoryStore", kvContender("MemoryStore", new MemoryStore()), [mapContender(), keyvContender("Keyv memory", new Keyv())], [
    { operation: "every", peer: "Keyv memory", atLeast: 1 },
  ]);
  const diskStore = new DiskStore({ directory: join(directory, "kv") });
  const rawSqlite = rawSqliteContender(directory);
  const keyvSqlite = new Keyv({ store: new KeyvSqlite(`sqlite://${join(directory, "keyv.sqlite")}`) });
  try {
    const disk = await compare("DiskStore", kvContender("DiskStore", diskStore), [rawSqlite, keyvContender("@keyv/sqlite", keyvSqlite)], [
      { operation: "putMany", peer: "raw better-sqlite3", atLeast: 0.7 },
      { operation: "putMany", peer: "@keyv/sqlite", atLeast: 3 },
    ]);
    return [...memory, ...disk];
  } finally {
    await diskStore.close();
    rawSqlite.close();
    await keyvSqlite.disconnect();
  }
}
