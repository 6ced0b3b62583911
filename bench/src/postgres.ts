import KeyvPostgres from "@keyv/postgres";
import type { JsonObject } from "@kv/core";
import { PostgresStore } from "@kv/postgres";
import { startLocal } from "@kv/test-servers/servers";
import Keyv from "keyv";
import pg from "pg";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

const RAW_TABLE = "raw_kv";
const COLLECTION = "default_collection";

/** pg sending what PostgresStore sends, on a table of the same shape: one row per put, unnest() for batches, = ANY for reads. */
async function rawContender(pool: pg.Pool): Promise<Contender> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${RAW_TABLE} (collection TEXT NOT NULL, key TEXT NOT NULL, value JSONB NOT NULL, ttl DOUBLE PRECISION,
     created_at TIMESTAMPTZ, expires_at TIMESTAMPTZ, PRIMARY KEY (collection, key))`,
  );
  const upsert = `INSERT INTO ${RAW_TABLE} (collection, key, value, created_at)
    SELECT $1, key, value, now() FROM unnest($2::text[], $3::jsonb[]) AS batch(key, value)
    ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`;
  const read = async (keys: string[]): Promise<unknown[]> => {
    const { rows } = await pool.query<{ key: string; value: unknown }>(`SELECT key, value FROM ${RAW_TABLE} WHERE collection = $1 AND key = ANY($2)`, [COLLECTION, keys]);
    const found = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => found.get(key));
  };
  const write = (entries: [string, JsonObject][]): Promise<unknown> =>
    pool.query(upsert, [COLLECTION, entries.map(([key]) => key), entries.map(([, value]) => JSON.stringify(value))]);
  return {
    name: "raw pg",
    get: async (key) => (await read([key]))[0],
    put: (key, value) => write([[key, value]]),
    getMany: read,
    putMany: write,
  };
}

/** Statements a putMany of 1,000 entries sends, counted on the pool the store is given. */
async function statementsForPutMany(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url });
  let statements = 0;
  const store = new PostgresStore({ pool, tableName: "kv_statement_count" });
  await store.setup();
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    return query(...args);
  };
  await store.putMany(Array.from({ length: 1_000 }, (_, index) => [`k${index}`, { index }] as [string, JsonObject]));
  await store.close();
  await pool.end();
  return statements;
}

/** PostgresStore against pg sending the same statements and against @keyv/postgres, on a PostgreSQL of its own. */
export async function benchPostgres(): Promise<string[]> {
  const server = await startLocal({ kind: "postgres" });
  const store = new PostgresStore({ connectionString: server.url });
  const pool = new pg.Pool({ connectionString: server.url, max: 10 });
  const keyv = new Keyv<JsonObject>({ store: new KeyvPostgres({ uri: server.url }), namespace: "keyv" });
  try {
    const misses = await compare(
      "PostgresStore (PostgreSQL 15 on 127.0.0.1)",
      kvContender("PostgresStore", store),
      [await rawContender(pool), keyvContender("@keyv/postgres", keyv)],
      [
        { operation: "getMany", peer: "raw pg", atLeast: 0.85 },
        { operation: "putMany", peer: "raw pg", atLeast: 0.85 },
      ],
      { inFlight: 8 },
    );
    const statements = await statementsForPutMany(server.url);
    console.log(`PostgresStore putMany(1000): ${statements} statement(s)`);
    if (statements !== 1) misses.push(`PostgresStore putMany(1000) sent ${statements} statements, target 1`);
    return misses;
  } finally {
    await store.close();
    await pool.end();
    await keyv.disconnect();
    await server.shutdown();
  }
}
