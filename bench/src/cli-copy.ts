import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { JsonObject } from "@kv/core";
import { RedisStore } from "@kv/redis";
import { startLocal, type TestServer } from "@kv/test-servers/servers";
import { Redis } from "ioredis";
import pg from "pg";

const run = promisify(execFile);
const ENTRIES = 100_000;
const COLLECTION = "copy";
const SEED_BATCH = 1_000;
const ROUNDS = Number(process.env.KV_BENCH_ROUNDS ?? 3);
const TARGET_ENTRIES_PER_SECOND = 20_000;
const TARGET_ROUTE = "redis-server → redis-server";

/** The built `kv`, as `npx kv` runs it. */
function kvBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("@kv/cli/package.json");
  const manifest = require(manifestPath) as { bin: { kv: string } };
  return join(dirname(manifestPath), manifest.bin.kv);
}

/** Small entries (about 60 bytes of JSON), half of them with a TTL, so a batch has two expiry groups. */
async function seed(url: string): Promise<void> {
  await using store = new RedisStore({ url });
  for (let start = 0; start < ENTRIES; start += SEED_BATCH) {
    const batch = Array.from({ length: SEED_BATCH }, (_, offset) => start + offset);
    const entries = (parity: number) => batch.filter((index) => index % 2 === parity).map((index) => [`key-${index}`, { id: index, name: `user-${index}` }] as [string, JsonObject]);
    await store.putMany(entries(0), { collection: COLLECTION });
    await store.putMany(entries(1), { collection: COLLECTION, ttl: 3_600 });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs `kv copy` ROUNDS times into a destination emptied by `reset`, and returns the median entries/s. */
async function timeCopies(bin: string, source: string, destination: string, reset: () => Promise<unknown>): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await reset();
    const started = process.hrtime.bigint();
    const { stdout } = await run(process.execPath, [bin, "copy", source, destination, "-c", COLLECTION, "--no-progress", "--json"]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const counts = JSON.parse(stdout) as { copied: number; failed: number };
    if (counts.copied !== ENTRIES || counts.failed !== 0) throw new Error(`kv copy copied ${counts.copied} and failed ${counts.failed} of ${ENTRIES}`);
    rates.push(ENTRIES / seconds);
  }
  return median(rates);
}

/**
 * `kv copy` of 100,000 small entries from a local Redis server to another one,
 * and to a local PostgreSQL, timed from the start of the child process to its
 * exit (startup included).
 */
export async function benchCliCopy(): Promise<string[]> {
  const servers: TestServer[] = [];
  const start = async (kind: "redis" | "postgres"): Promise<TestServer> => {
    const server = await startLocal({ kind });
    servers.push(server);
    return server;
  };
  try {
    const [source, redis, postgres] = [await start("redis"), await start("redis"), await start("postgres")];
    await seed(source.url);
    const bin = kvBin();
    const flush = new Redis(redis.url);
    const pool = new pg.Pool({ connectionString: postgres.url });
    // The target is for two Redis servers; PostgreSQL as the destination is shown for comparison.
    const rates = new Map<string, number>();
    try {
      rates.set(TARGET_ROUTE, await timeCopies(bin, source.url, redis.url, () => flush.flushdb()));
      if ((await flush.dbsize()) !== ENTRIES) throw new Error("the destination Redis does not hold every entry");
      rates.set("redis-server → PostgreSQL", await timeCopies(bin, source.url, postgres.url, () => pool.query("DROP TABLE IF EXISTS kv_store")));
    } finally {
      flush.disconnect();
      await pool.end();
    }
    console.log(`\nkv copy — ${ENTRIES.toLocaleString("en-US")} small entries, half with a TTL, local servers; median of ${ROUNDS} runs, process start included`);
    const misses: string[] = [];
    for (const [route, rate] of rates) {
      const targeted = route === TARGET_ROUTE;
      const target = targeted ? `; target ≥ ${TARGET_ENTRIES_PER_SECOND.toLocaleString("en-US")}` : "";
      console.log(`${route.padEnd(28)}  ${Math.round(rate).toLocaleString("en-US").padStart(7)} entries/s  (${(ENTRIES / rate).toFixed(2)} s a run${target})`);
      if (targeted && rate < TARGET_ENTRIES_PER_SECOND) misses.push(`kv copy ${route}: ${Math.round(rate)} entries/s, target ≥ ${TARGET_ENTRIES_PER_SECOND}`);
    }
    return misses;
  } finally {
    for (const server of servers) await server.shutdown();
  }
}
