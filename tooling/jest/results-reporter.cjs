/**
 * Writes each package's Jest totals to <repo>/.test-results/<package>.json, so
 * that `pnpm test` can end with one line for the whole repository.
 */
const { mkdirSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const RESULTS_DIRECTORY = join(__dirname, "..", "..", ".test-results");

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const { name } = JSON.parse(readFileSync(join(this.rootDir, "package.json"), "utf8"));
    mkdirSync(RESULTS_DIRECTORY, { recursive: true });
    writeFileSync(
      join(RESULTS_DIRECTORY, `${name.replace(/[^a-z0-9-]/gi, "_")}.json`),
      JSON.stringify({
        name,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = ResultsReporter;
