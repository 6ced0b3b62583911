/**
 * pnpm bench: each @kv store against its raw primitive or client and against
 * Keyv, all measured in the same run on the same machine. Prints ops/s and the
 * ratios; these are measurements, not tests. `KV_BENCH_TIME_MS` sets the time per task.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchEmbedded } from "./embedded.js";

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "kv-bench-"));
  try {
    console.log(`@kv bench on Node ${process.version}`);
    const misses = [...(await benchEmbedded(directory))];
    console.log(misses.length === 0 ? "\nAll targets met." : `\nTargets missed:\n${misses.map((miss) => `- ${miss}`).join("\n")}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
