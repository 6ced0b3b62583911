import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import {
  DeserializationError,
  InvalidArgumentError,
  StoreClosedError,
  StoreConnectionError,
  StoreOperationError,
  StoreSetupError,
  type KeyValueError,
} from "@kv/core";
import Database from "better-sqlite3";
import { DiskStore, type DiskStoreOptions } from "../src/index.js";

const directories: string[] = [];
const stores: DiskStore[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "kv-disk-test-"));
  directories.push(directory);
  return directory;
}

function openStore(options: DiskStoreOptions): DiskStore {
  const store = new DiskStore(options);
  stores.push(store);
  return store;
}

/** A second, raw connection to the store's file, as another process would have. */
function rawDatabase(directory: string): Database.Database {
  const db = new Database(join(directory, "kv.sqlite"));
  db.pragma("busy_timeout = 5000");
  return db;
}

function sizes(db: Database.Database): { sum: number; total: number } {
  return {
    sum: db.prepare<[], number>("SELECT coalesce(sum(size), 0) FROM kv_entries").pluck().get()!,
    total: db.prepare<[], number>("SELECT value FROM kv_meta WHERE name = 'total_size'").pluck().get()!,
  };
}

const blob = (characters: number) => ({ blob: "x".repeat(characters) });

describe("DiskStore options", () => {
  it("refuses a missing directory and a bad maxSize with InvalidArgumentError", () => {
    expect(() => new DiskStore({} as DiskStoreOptions)).toThrow(InvalidArgumentError);
    expect(() => new DiskStore({ directory: "" })).toThrow(InvalidArgumentError);
    for (const maxSize of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => new DiskStore({ directory: "/tmp/unused", maxSize })).toThrow(InvalidArgumentError);
    }
  });

  it("creates a missing directory recursively, with WAL mode on", async () => {
    const directory = join(tempDirectory(), "a", "b");
    const store = openStore({ directory });
    await store.put("k", { v: 1 });
    const db = rawDatabase(directory);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("a directory it cannot create or open is a StoreSetupError naming the directory", async () => {
    const parent = tempDirectory();
    writeFileSync(join(parent, "file"), "");
    const underFile = join(parent, "file", "store");
    const error = await openStore({ directory: underFile }).put("k", { v: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreSetupError);
    expect((error as Error).message).toContain(`cannot open a database in "${underFile}"`);

    const blocked = join(parent, "blocked");
    mkdirSync(join(blocked, "kv.sqlite"), { recursive: true });
    await expect(openStore({ directory: blocked }).setup()).rejects.toThrow(StoreSetupError);
  });

  it("a file that is not a database is a StoreSetupError", async () => {
    const directory = tempDirectory();
    writeFileSync(join(directory, "kv.sqlite"), "this is not a database, just some text that fills a page. ".repeat(100));
    await expect(openStore({ directory }).get("k")).rejects.toThrow(StoreSetupError);
  });
});

describe("DiskStore storage", () => {
  it("stores the exact py-key-value envelope, with expires_at in epoch ms beside it", async () => {
    const directory = tempDirectory();
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    jest.spyOn(Date, "now").mockReturnValue(now);
    const store = openStore({ directory });
    await store.put("alice", { name: "Alice" }, { collection: "users", ttl: 3600 });
    await store.putMany([["bob", { name: "Bob" }]], { collection: "users" });
    const db = rawDatabase(directory);
    const rows = db.prepare("SELECT key, envelope, expires_at FROM kv_entries WHERE collection = 'users' ORDER BY key").all();
    db.close();
    expect(rows).toEqual([
      {
        key: "alice",
        envelope:
          '{"collection":"users","created_at":"2026-01-02T03:04:05.678000+00:00","expires_at":"2026-01-02T04:04:05.678000+00:00","key":"alice","value":{"name":"Alice"},"version":1}',
        expires_at: now + 3_600_000,
      },
      {
        key: "bob",
        envelope: '{"collection":"users","created_at":"2026-01-02T03:04:05.678000+00:00","key":"bob","value":{"name":"Bob"},"version":1}',
        expires_at: null,
      },
    ]);
  });

  it("reads older py-key-value envelopes: value as JSON text, Z offsets, no version", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory });
    await store.setup();
    const db = rawDatabase(directory);
    db.prepare("INSERT INTO kv_entries (collection, key, envelope, expires_at, size) VALUES (?, ?, ?, ?, ?)").run(
      "legacy",
      "k",
      '{"created_at":"2025-01-02T03:04:05.123456Z","value":"{\\"n\\": 1}"}',
      null,
      60,
    );
    db.close();
    await expect(store.get("k", { collection: "legacy" })).resolves.toEqual({ n: 1 });
  });

  it("a corrupt row is a DeserializationError naming key and collection, for get and getMany", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory });
    await store.putMany(
      [
        ["bad", { v: 1 }],
        ["good", { v: 2 }],
      ],
      { collection: "c" },
    );
    const db = rawDatabase(directory);
    db.prepare("UPDATE kv_entries SET envelope = 'not json {' WHERE key = 'bad'").run();
    db.close();
    for (const read of [store.get("bad", { collection: "c" }), store.getMany(["good", "bad"], { collection: "c" })]) {
      const error = await read.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DeserializationError);
      expect(error).toMatchObject({ key: "bad", collection: "c" });
    }
    await expect(store.get("good", { collection: "c" })).resolves.toEqual({ v: 2 });
  });

  it("data persists across instances", async () => {
    const directory = tempDirectory();
    const writer = new DiskStore({ directory });
    await writer.put("k", { v: "kept" }, { collection: "c" });
    await writer.close();
    await expect(openStore({ directory }).get("k", { collection: "c" })).resolves.toEqual({ v: "kept" });
  });

  it("destroy empties the database and leaves the rest of the directory alone", async () => {
    const directory = tempDirectory();
    writeFileSync(join(directory, "notes.txt"), "mine");
    const store = openStore({ directory });
    await store.put("k", { v: 1 });
    await expect(store.destroy()).resolves.toBe(true);
    expect(existsSync(join(directory, "notes.txt"))).toBe(true);
    await expect(store.get("k")).resolves.toBeUndefined();
    const db = rawDatabase(directory);
    expect(sizes(db)).toEqual({ sum: 0, total: 0 });
    db.close();
  });
});

describe("DiskStore maxSize", () => {
  it("evicts the oldest-written entries and keeps the total under the limit; a rewrite counts as new", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory, maxSize: 5_000 });
    const keys = Array.from({ length: 20 }, (_, index) => `k${String(index).padStart(2, "0")}`);
    for (const key of keys) await store.put(key, blob(400));
    const db = rawDatabase(directory);
    const { sum, total } = sizes(db);
    expect(total).toBe(sum);
    expect(total).toBeLessThanOrEqual(5_000);
    const kept = (await store.getMany(keys)).map((value, index) => (value === undefined ? undefined : keys[index]));
    const firstKept = kept.findIndex((key) => key !== undefined);
    expect(firstKept).toBeGreaterThan(0);
    expect(kept.slice(firstKept)).toEqual(keys.slice(firstKept));

    const oldest = keys[firstKept]!;
    const nextOldest = keys[firstKept + 1]!;
    await store.put(oldest, blob(400));
    await store.put("newest", blob(400));
    await expect(store.getMany([oldest, nextOldest, "newest"])).resolves.toEqual([blob(400), undefined, blob(400)]);
    expect(sizes(db).total).toBeLessThanOrEqual(5_000);
    db.close();
  });

  it("evicts expired entries before older live ones", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory, maxSize: 1_500 });
    await store.put("old-live", blob(400));
    await store.put("expiring", blob(400), { ttl: 0.05 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.put("new", blob(400));
    await expect(store.getMany(["old-live", "new"])).resolves.toEqual([blob(400), blob(400)]);
    const db = rawDatabase(directory);
    expect(db.prepare("SELECT key FROM kv_entries ORDER BY rowid").pluck().all()).toEqual(["old-live", "new"]);
    db.close();
  });

  it("a putMany over the limit keeps its newest entries", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory, maxSize: 2_000 });
    const entries = Array.from({ length: 10 }, (_, index) => [`k${index}`, blob(400)] as const);
    await store.putMany(entries);
    const values = await store.getMany(entries.map(([key]) => key));
    expect(values.slice(-3)).toEqual([blob(400), blob(400), blob(400)]);
    expect(values[0]).toBeUndefined();
  });
});

describe("DiskStore shared by several connections", () => {
  it("two instances on one directory interleave writes and keep one correct total", async () => {
    const directory = tempDirectory();
    const first = openStore({ directory, maxSize: 20_000 });
    const second = openStore({ directory });
    for (let index = 0; index < 40; index++) {
      const writer = index % 2 === 0 ? first : second;
      await writer.put(`k${index}`, { index, by: writer === first ? "first" : "second" });
      await expect((index % 2 === 0 ? second : first).get(`k${index}`)).resolves.toEqual(expect.objectContaining({ index }));
    }
    await second.putMany(Array.from({ length: 40 }, (_, index) => [`big${index}`, blob(400)] as const));
    await first.put("trigger", { v: 1 });
    const db = rawDatabase(directory);
    const { sum, total } = sizes(db);
    db.close();
    expect(total).toBe(sum);
    expect(total).toBeLessThanOrEqual(20_000);
    await expect(second.get("k0")).resolves.toBeUndefined();
    await expect(second.get("trigger")).resolves.toEqual({ v: 1 });
  });

  it("a write waits for another process to release the write lock", async () => {
    const directory = tempDirectory();
    const store = openStore({ directory });
    await store.setup();
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = new (require("better-sqlite3"))(process.argv[1]);
         db.exec("BEGIN IMMEDIATE");
         db.prepare("INSERT INTO kv_entries (collection, key, envelope, size) VALUES ('c', 'from-child', '{\\"value\\":{}}', 12)").run();
         console.log("locked");
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
         db.exec("COMMIT");`,
        join(directory, "kv.sqlite"),
      ],
      { cwd: __dirname, stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => holder.on("exit", resolve));
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    const started = Date.now();
    await store.put("from-parent", { v: 1 }, { collection: "c" });
    expect(Date.now() - started).toBeGreaterThan(100);
    await expect(exited).resolves.toBe(0);
    await expect(store.getMany(["from-child", "from-parent"], { collection: "c" })).resolves.toEqual([{}, { v: 1 }]);
  });
});

describe("DiskStore errors", () => {
  it("maps SQLite error codes to @kv errors, keeping the original as cause", () => {
    class ProbeStore extends DiskStore {
      classify(error: unknown): KeyValueError {
        return this.classifyError(error, { collection: "c" });
      }
    }
    const probe = new ProbeStore({ directory: "/tmp/unused" });
    const cases = [
      ["SQLITE_BUSY", StoreOperationError],
      ["SQLITE_BUSY_SNAPSHOT", StoreOperationError],
      ["SQLITE_FULL", StoreOperationError],
      ["SQLITE_READONLY_DBMOVED", StoreOperationError],
      ["SQLITE_CORRUPT", StoreOperationError],
      ["SQLITE_CANTOPEN", StoreConnectionError],
      ["SQLITE_SOMETHING_NEW", StoreOperationError],
    ] as const;
    for (const [code, ErrorType] of cases) {
      const original = new Database.SqliteError("driver message", code);
      const error = probe.classify(original);
      expect(error).toBeInstanceOf(ErrorType);
      expect(error).toMatchObject({ cause: original, collection: "c" });
      expect(error.message).toContain(code);
    }
    expect(probe.classify(new Database.SqliteError("full", "SQLITE_FULL")).message).toContain("the disk is full");
  });

  it("use after close rejects with StoreClosedError", async () => {
    const store = openStore({ directory: tempDirectory() });
    await store.put("k", { v: 1 });
    await store.close();
    await expect(store.get("k")).rejects.toThrow(StoreClosedError);
    await expect(store.putMany([["k", { v: 2 }]])).rejects.toThrow(StoreClosedError);
  });
});
