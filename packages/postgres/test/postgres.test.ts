import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, StoreConnectionError, StoreSetupError, type JsonObject } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import pg from "pg";
import { PostgresStore, type PostgresStoreOptions } from "../src/index.js";

const HOSTILE_NAMES = [
  `"; DROP TABLE sentinel; --`,
  "x'; DROP TABLE sentinel; --",
  'kv"store',
  "kv;store",
  "kv store",
  "public.sentinel",
  "",
  "1starts_with_digit",
  "a".repeat(64),
  "ünïcode",
];

const HOSTILE_KEYS = [
  "'; DROP TABLE sentinel; --",
  `"; DROP TABLE sentinel; --`,
  "' OR '1'='1",
  "$1",
  "\\'",
  "%_",
  "kv_store",
  "key\u0000with NUL",
  "\u0000",
];

const unique = (label: string): string => `${label}_${randomUUID().replaceAll("-", "").slice(0, 10)}`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describeWithServer({ kind: "postgres" }, "PostgresStore", (server) => {
  let admin: pg.Client;
  const stores: PostgresStore[] = [];
  const pools: pg.Pool[] = [];

  const openStore = (options: Partial<PostgresStoreOptions> = {}): PostgresStore => {
    const store = new PostgresStore({ connectionString: server().url, ...options });
    stores.push(store);
    return store;
  };

  const openPool = (): pg.Pool => {
    const pool = new pg.Pool({ connectionString: server().url });
    pool.on("error", () => undefined);
    pools.push(pool);
    return pool;
  };

  const tableExists = async (qualified: string): Promise<boolean> =>
    (await admin.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [qualified])).rows[0]!.found !== null;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: server().url });
    // The harness may stop the server before this file's afterAll ends the client.
    admin.on("error", () => undefined);
    await admin.connect();
    await admin.query("CREATE TABLE IF NOT EXISTS sentinel (id int)");
  });

  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((store) => store.close()));
    await Promise.allSettled(pools.splice(0).map((pool) => pool.end()));
  });

  afterAll(async () => {
    await admin.end();
  });

  describe("names", () => {
    it("refuses hostile schema and table names with InvalidArgumentError, before any I/O, harming no table", async () => {
      for (const name of HOSTILE_NAMES) {
        expect(() => new PostgresStore({ connectionString: server().url, tableName: name })).toThrow(InvalidArgumentError);
        expect(() => new PostgresStore({ connectionString: server().url, schemaName: name })).toThrow(InvalidArgumentError);
      }
      expect(await tableExists("public.sentinel")).toBe(true);
    });

    it("quotes valid names, so a reserved word or mixed case is a table like any other", async () => {
      const store = openStore({ schemaName: "Select", tableName: "Order" });
      await store.put("k", { v: 1 });
      expect(await tableExists(`"Select"."Order"`)).toBe(true);
      expect(await store.destroy()).toBe(true);
      expect(await tableExists(`"Select"."Order"`)).toBe(false);
    });

    it("round-trips keys and collections that hold SQL, quotes and NUL, and enumerates their original names", async () => {
      const store = openStore({ tableName: unique("hostile") });
      for (const name of HOSTILE_KEYS) {
        await store.put(name, { name }, { collection: name });
        await expect(store.get(name, { collection: name })).resolves.toEqual({ name });
        await expect(collect(store.keys({ collection: name }))).resolves.toEqual([name]);
      }
      await store.putMany(HOSTILE_KEYS.map((key) => [key, { key }] as [string, JsonObject]), { collection: "batch" });
      await expect(store.getMany(HOSTILE_KEYS, { collection: "batch" })).resolves.toEqual(HOSTILE_KEYS.map((key) => ({ key })));
      expect((await collect(store.keys({ collection: "batch" }))).sort()).toEqual([...HOSTILE_KEYS].sort());
      expect((await collect(store.collections())).sort()).toEqual([...HOSTILE_KEYS, "batch"].sort());
      await expect(store.deleteMany(HOSTILE_KEYS, { collection: "batch" })).resolves.toBe(HOSTILE_KEYS.length);
      expect(await tableExists("public.sentinel")).toBe(true);
    });
  });

  describe("values JSONB cannot hold", () => {
    it("round-trips NUL in strings and object keys, storing the envelope as text; plain values stay plain", async () => {
      const tableName = unique("nul");
      const store = openStore({ tableName });
      const odd = { s: "a\u0000b", ["k\u0000"]: ["\u0000"], escaped: "\\u0000 is text" };
      await store.put("odd", odd);
      await store.put("plain", { escaped: "\\u0000 is text" });
      await store.put("marker", { __kv_envelope__: "looks like ours" });
      await expect(store.getMany(["odd", "plain", "marker"])).resolves.toEqual([odd, { escaped: "\\u0000 is text" }, { __kv_envelope__: "looks like ours" }]);
      const { rows } = await admin.query<{ key: string; value: JsonObject }>(`SELECT key, value FROM ${tableName} ORDER BY key`);
      const byKey = Object.fromEntries(rows.map((row) => [row.key, row.value]));
      expect(byKey.plain).toEqual({ escaped: "\\u0000 is text" });
      expect(typeof byKey.odd!.__kv_envelope__).toBe("string");
      expect(typeof byKey.marker!.__kv_envelope__).toBe("string");
    });
  });

  describe("py-key-value layout", () => {
    const PY_DDL = (table: string) =>
      `CREATE TABLE ${table} (collection TEXT NOT NULL, key TEXT NOT NULL, value JSONB NOT NULL, ttl DOUBLE PRECISION,
       created_at TIMESTAMPTZ, expires_at TIMESTAMPTZ, PRIMARY KEY (collection, key))`;

    it("creates py-key-value's columns and index", async () => {
      const tableName = unique("shape");
      await openStore({ tableName }).setup();
      const { rows } = await admin.query(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
        [tableName],
      );
      expect(rows).toEqual([
        { column_name: "collection", data_type: "text", is_nullable: "NO" },
        { column_name: "key", data_type: "text", is_nullable: "NO" },
        { column_name: "value", data_type: "jsonb", is_nullable: "NO" },
        { column_name: "ttl", data_type: "double precision", is_nullable: "YES" },
        { column_name: "created_at", data_type: "timestamp with time zone", is_nullable: "YES" },
        { column_name: "expires_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      ]);
      const index = await admin.query("SELECT indexdef FROM pg_indexes WHERE indexname = $1", [`idx_${tableName}_expires_at`]);
      expect(index.rows[0]?.indexdef).toContain("WHERE (expires_at IS NOT NULL)");
    });

    it("reads rows py-key-value wrote, in a table py-key-value created", async () => {
      const tableName = unique("py");
      await admin.query(PY_DDL(tableName));
      await admin.query(
        `INSERT INTO ${tableName} VALUES
         ('users', 'alice', '{"name": "Alice", "n": 1.5}', 3600, now(), now() + interval '1 hour'),
         ('users', 'bob', '{"name": "Bob"}', NULL, now(), NULL),
         ('users', 'gone', '{"name": "Gone"}', 1, now() - interval '2 seconds', now() - interval '1 second')`,
      );
      const store = openStore({ tableName, autoCreate: false });
      const alice = await store.ttl("alice", { collection: "users" });
      expect(alice?.value).toEqual({ name: "Alice", n: 1.5 });
      expect(alice?.ttl).toBeGreaterThan(3590);
      await expect(store.ttl("bob", { collection: "users" })).resolves.toEqual({ value: { name: "Bob" }, ttl: undefined });
      await expect(store.get("gone", { collection: "users" })).resolves.toBeUndefined();
      expect((await collect(store.keys({ collection: "users" }))).sort()).toEqual(["alice", "bob"]);
    });

    it("writes rows in py-key-value's shape: the value itself, the ttl in seconds, the times as columns", async () => {
      const tableName = unique("ours");
      const store = openStore({ tableName });
      await store.put("alice", { name: "Alice" }, { collection: "users", ttl: 60 });
      await store.putMany([["bob", { name: "Bob" }]], { collection: "users" });
      const { rows } = await admin.query(
        `SELECT key, value, ttl, extract(epoch FROM expires_at - created_at) AS lifetime, created_at IS NOT NULL AS created FROM ${tableName} ORDER BY key`,
      );
      expect(rows).toEqual([
        { key: "alice", value: { name: "Alice" }, ttl: 60, lifetime: "60.000000", created: true },
        { key: "bob", value: { name: "Bob" }, ttl: null, lifetime: null, created: true },
      ]);
    });
  });

  describe("batches", () => {
    it("putMany, getMany and deleteMany of 1000 entries are one statement each", async () => {
      const pool = openPool();
      const statements: string[] = [];
      const query = pool.query.bind(pool);
      pool.query = ((...args: Parameters<typeof query>) => {
        statements.push(String(args[0]));
        return query(...args);
      }) as typeof pool.query;
      const store = openStore({ pool, tableName: unique("batch") });
      await store.setup();
      const keys = Array.from({ length: 1000 }, (_, index) => `key-${index}`);
      const count = async (operation: () => Promise<unknown>): Promise<number> => {
        statements.length = 0;
        await operation();
        return statements.length;
      };
      expect(await count(() => store.putMany(keys.map((key) => [key, { key }]), { ttl: 60 }))).toBe(1);
      expect(await count(() => store.getMany(keys))).toBe(1);
      expect(await count(() => store.deleteMany(keys))).toBe(1);
    });

    it("concurrent putMany and deleteMany over overlapping keys in different orders never deadlock", async () => {
      const store = openStore({ tableName: unique("overlap"), maxConnections: 20 });
      const keys = Array.from({ length: 200 }, (_, index) => `key-${String(index).padStart(3, "0")}`);
      // Each batch starts at a different key and wraps around, and every other one runs backwards.
      const batch = (round: number, index: number): string[] => {
        const rotated = [...keys.slice(index * 37 % keys.length), ...keys.slice(0, index * 37 % keys.length)].slice(0, 120);
        return (round + index) % 2 === 0 ? rotated : rotated.reverse();
      };
      for (let round = 0; round < 5; round += 1) {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) =>
            index % 4 === 3
              ? store.deleteMany(batch(round, index))
              : store.putMany(batch(round, index).map((key): [string, JsonObject] => [key, { round, index }])),
          ),
        );
        expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      }
      await store.putMany(keys.map((key): [string, JsonObject] => [key, { done: true }]));
      expect(await store.getMany(keys)).toEqual(keys.map(() => ({ done: true })));
    });
  });

  describe("setup", () => {
    it("several stores setting up one fresh schema at once all succeed", async () => {
      const schemaName = unique("fresh");
      const racers = Array.from({ length: 8 }, () => openStore({ schemaName }));
      await Promise.all(racers.map((store) => store.setup()));
      await Promise.all(racers.map((store, index) => store.put(`k${index}`, { index })));
      expect(await racers[0]!.getMany(racers.map((_, index) => `k${index}`))).toHaveLength(8);
      await admin.query(`DROP SCHEMA ${schemaName} CASCADE`);
    });

    it("autoCreate false on a missing table is a StoreSetupError naming it", async () => {
      const tableName = unique("missing");
      const error = await openStore({ tableName, autoCreate: false }).get("k").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreSetupError);
      expect((error as Error).message).toContain(tableName);
      expect(await tableExists(`public.${tableName}`)).toBe(false);
    });

    it("autoCreate false on a table dropped after setup is a StoreSetupError", async () => {
      const tableName = unique("dropped");
      await openStore({ tableName }).setup();
      const store = openStore({ tableName, autoCreate: false });
      await store.put("k", { v: 1 });
      await admin.query(`DROP TABLE ${tableName}`);
      await expect(store.get("k")).rejects.toBeInstanceOf(StoreSetupError);
    });

    it("destroy drops only its own table, keeps the schema, and the next call recreates the table", async () => {
      const schemaName = unique("own");
      const store = openStore({ schemaName });
      const neighbour = openStore({ schemaName, tableName: "neighbour" });
      const other = openStore({ schemaName });
      await store.put("k", { v: 1 });
      await neighbour.put("k", { v: 2 });
      await expect(store.destroy()).resolves.toBe(true);
      await expect(neighbour.get("k")).resolves.toEqual({ v: 2 });
      await expect(other.get("k")).resolves.toBeUndefined();
      await store.put("k", { v: 3 });
      await expect(other.get("k")).resolves.toEqual({ v: 3 });
      await admin.query(`DROP SCHEMA ${schemaName} CASCADE`);
    });
  });

  describe("connections", () => {
    it("a backend terminated mid-call fails that call with StoreConnectionError; the next call works", async () => {
      const tableName = unique("killed");
      const applicationName = unique("victim");
      const store = openStore({ connectionString: `${server().url}?application_name=${applicationName}`, tableName });
      await store.put("k", { v: 1 });
      const locker = new pg.Client({ connectionString: server().url });
      await locker.connect();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE ${tableName} IN ACCESS EXCLUSIVE MODE`);
        const blocked = store.get("k").catch((caught: unknown) => caught);
        let killed = 0;
        for (let attempt = 0; attempt < 100 && killed === 0; attempt++) {
          const { rows } = await admin.query(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
            [applicationName],
          );
          killed = rows.length;
          if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(killed).toBe(1);
        expect(await blocked).toBeInstanceOf(StoreConnectionError);
      } finally {
        await locker.query("ROLLBACK");
        await locker.end();
      }
      await expect(store.get("k")).resolves.toEqual({ v: 1 });
      await store.put("k", { v: 2 });
      await expect(store.get("k")).resolves.toEqual({ v: 2 });
    });

    it("idle connections terminated between calls are replaced by the pool", async () => {
      const applicationName = unique("idle");
      const store = openStore({ connectionString: `${server().url}?application_name=${applicationName}`, tableName: unique("idle") });
      await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]]);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(store.getMany(["a", "b"])).resolves.toEqual([{ v: 1 }, { v: 2 }]);
    });

    it("an unreachable server is a StoreConnectionError that never shows the password", async () => {
      // Port 1 (tcpmux) is closed on any test machine: the connection is refused at once.
      const store = openStore({ connectionString: "postgres://kv:hunter2secret@127.0.0.1:1/postgres", connectionTimeoutMs: 2_000 });
      const error = await store.get("k").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreConnectionError);
      const text = `${String(error)} ${(error as Error).stack} ${String((error as Error).cause)}`;
      expect(text).not.toContain("hunter2secret");
    });

    it("close() leaves a caller's pool open", async () => {
      const pool = openPool();
      const store = new PostgresStore({ pool, tableName: unique("callers") });
      await store.put("k", { v: 1 });
      await store.close();
      expect(pool.ended).toBe(false);
      await expect(pool.query("SELECT 1 AS one")).resolves.toMatchObject({ rows: [{ one: 1 }] });
    });
  });
});
