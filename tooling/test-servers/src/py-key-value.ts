import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe } from "@jest/globals";
import { kvCache } from "./servers.js";

/** The py-key-value-aio release install.sh puts in its venv, with the extras the tests use. */
export const PY_KEY_VALUE_VERSION = "0.4.6";

const venv = (): string => join(kvCache(), `py-key-value-${PY_KEY_VALUE_VERSION}`);

/** The venv's Python, which imports `key_value.aio`. */
export const pyKeyValuePython = (): string => join(venv(), "bin", "python");

/** True when install.sh finished installing py-key-value (it writes `.installed` last). */
export function hasPyKeyValue(): boolean {
  return existsSync(join(venv(), ".installed")) && existsSync(pyKeyValuePython());
}

/**
 * A `describe` block that checks something against py-key-value: without its venv
 * the block is skipped loudly, and under CI=true the test file fails instead.
 */
export function describeWithPyKeyValue(name: string, body: () => void): void {
  if (hasPyKeyValue()) {
    describe(name, body);
    return;
  }
  const message = `${name}: py-key-value-aio ${PY_KEY_VALUE_VERSION} is not installed in ${venv()}; run tooling/test-servers/install.sh`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  describe.skip(name, body);
}

/**
 * Runs a Python script of the caller's with the venv's Python: `command` as JSON on
 * stdin, the script's JSON answer from stdout. Asynchronous, so servers running in
 * this process (dynalite, Azurite) keep answering while Python talks to them.
 */
export function runPyKeyValueScript<Answer>(script: string, command: unknown, timeoutMs = 90_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const child = spawn(pyKeyValuePython(), [script], { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) {
        try {
          return resolve(JSON.parse(stdout) as Answer);
        } catch {
          // Not JSON: reported below with what the script printed.
        }
      }
      reject(new Error(`${script} failed (${signal ?? `exit ${code}`}): ${stdout.trim()}\n${stderr.trim()}`));
    });
    child.stdin.end(JSON.stringify(command));
  });
}
