#!/usr/bin/env node
import { processIo } from "./io.js";
import { runCli } from "./run-cli.js";

void runCli(process.argv.slice(2), processIo()).then((code) => {
  // Let stdout and stderr drain, then exit even if a driver left a timer running.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
});
