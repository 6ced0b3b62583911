/**
 * `--reset` clears the per-package results; without it, prints one closing line
 * for the whole run. Under CI=true a skipped test fails the run: CI never passes
 * having skipped a backend.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const directory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".test-results");

if (process.argv.includes("--reset")) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
} else {
  const results = readdirSync(directory)
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(readFileSync(join(directory, file), "utf8")));
  const total = (field) => results.reduce((sum, result) => sum + result[field], 0);
  const [passed, failed, skipped] = [total("passed"), total("failed"), total("skipped")];
  for (const result of results) {
    console.log(`${result.name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  }
  console.log(`${results.length} packages tested`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (passed === 0 || failed > 0) process.exitCode = 1;
  if (skipped > 0 && process.env.CI === "true") {
    console.error("Tests were skipped under CI=true: every backend must run against its real server.");
    process.exitCode = 1;
  }
}
