/**
 * pnpm bench: each @kv store against its raw primitive or client and against
 * Keyv, all measured in the same run on the same machine. Prints ops/s and the
 * ratios; these are measurements, not tests. `KV_BENCH_TIME_MS` sets the time per task;
 * `KV_BENCH_ONLY=embedded,resp,memcached,postgres,dynamodb,azure-tables,elasticsearch,mongodb,cli` picks suites.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchAzureTables } from "./azure-tables.js";
import { benchCliCopy } from "./cli-copy.js";
import { benchDynamoDB } from "./dynamodb.js";
import { benchElasticsearch } from "./elasticsearch.js";
import { benchEmbedded } from "./embedded.js";
import { benchMemcached } from "./memcached.js";
import { benchMongoDB } from "./mongodb.js";
import { benchPostgres } from "./postgres.js";
import { benchResp } from "./resp.js";

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "kv-bench-"));
  try {
    console.log(`@kv bench on Node ${process.version}`);
    const suites = {
      embedded: () => benchEmbedded(directory),
      resp: benchResp,
      memcached: benchMemcached,
      postgres: benchPostgres,
      dynamodb: benchDynamoDB,
      "azure-tables": benchAzureTables,
      elasticsearch: benchElasticsearch,
      cli: benchCliCopy,
      mongodb: benchMongoDB,
    };
    const only = process.env.KV_BENCH_ONLY?.split(",");
    const misses: string[] = [];
    for (const [name, suite] of Object.entries(suites)) if (only === undefined || only.includes(name)) misses.push(...(await suite()));
    console.log(misses.length === 0 ? "\nAll targets met." : `\nTargets missed:\n${misses.map((miss) => `- ${miss}`).join("\n")}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
