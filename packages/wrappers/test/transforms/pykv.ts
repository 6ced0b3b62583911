import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe } from "@jest/globals";
import type { JsonObject } from "@kv/core";

/** The venv tooling/test-servers/install.sh puts py-key-value-aio 0.4.6 (with its wrappers-encryption extra) in. */
const PYTHON = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kv-test-servers", "py-key-value-0.4.6", "bin", "python");
const SCRIPT = join(__dirname, "pykv_payloads.py");

/** What py-key-value's wrappers wrote (`written`) and read back from our payloads (`read`, a value or an error name). */
export interface PykvExchange {
  written: JsonObject[];
  read: ({ value: JsonObject | null } | { error: string })[];
}

export interface PykvAnswer {
  compression?: PykvExchange;
  fernet?: PykvExchange;
  derived_keys?: string[];
}

/** Runs pykv_payloads.py with one command (see the script) and returns its answer. */
export function askPykv(command: JsonObject): PykvAnswer {
  const output = execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(command), encoding: "utf8", timeout: 60_000 });
  return JSON.parse(output) as PykvAnswer;
}

/**
 * A `describe` block that needs py-key-value: skipped loudly without its venv, and
 * under CI=true a failure instead, since CI never passes having skipped a check.
 */
export function describeWithPykv(name: string, body: () => void): void {
  if (existsSync(PYTHON)) {
    describe(name, body);
    return;
  }
  const message = `No py-key-value venv at ${PYTHON} for "${name}": run tooling/test-servers/install.sh.`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  describe.skip(name, body);
}
