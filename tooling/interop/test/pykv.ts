import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "@kv/core";

/** The release tooling/test-servers/install.sh puts in its venv. */
const PYKV_VERSION = "0.4.6";
const DRIVER = join(__dirname, "..", "pykv.py");
const RUN_TIMEOUT_MS = 90_000;

/** The venv install.sh creates, under `XDG_CACHE_HOME` as it does. */
const venv = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kv-test-servers", `py-key-value-${PYKV_VERSION}`);
export const PYTHON = join(venv, "bin", "python");

/** True when install.sh finished installing py-key-value (it writes `.installed` last). */
export function hasPyKeyValue(): boolean {
  return existsSync(join(venv, ".installed")) && existsSync(PYTHON);
}

export const MISSING_PYKV = `py-key-value-aio ${PYKV_VERSION} is not installed in ${venv}: run tooling/test-servers/install.sh`;

/** How pykv.py builds the Python store: its backend, the constructor's keyword arguments, optionally a key strategy class. */
export interface PyStore {
  backend: "redis" | "valkey" | "memcached" | "postgres" | "mongodb" | "elasticsearch" | "dynamodb" | "filetree";
  options: Record<string, unknown>;
  keySanitization?: string;
}

interface Scope {
  /** Left out: py-key-value's default collection. */
  collection?: string;
}

export type PyOperation =
  | ({ op: "put"; key: string; value: JsonObject; ttl?: number } & Scope)
  | ({ op: "put_many"; entries: [string, JsonObject][]; ttl?: number } & Scope)
  | ({ op: "get"; key: string } & Scope)
  | ({ op: "get_many"; keys: string[] } & Scope)
  | ({ op: "delete"; key: string } & Scope);

/** What py-key-value's `ttl()` answered: the value (null when missing or expired) and the remaining seconds (null: no expiry). */
export interface PyRead {
  value: JsonObject | null;
  ttl: number | null;
}

/** Runs the operations in one Python process, in order, and resolves with one result per operation. */
export function runPyKeyValue(store: PyStore, operations: PyOperation[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER], { stdio: ["pipe", "pipe", "pipe"], timeout: RUN_TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      let answer: { results?: unknown[]; error?: string } | undefined;
      try {
        answer = JSON.parse(stdout) as typeof answer;
      } catch {
        answer = undefined;
      }
      if (code === 0 && answer?.results) return resolve(answer.results);
      reject(new Error(`py-key-value (${store.backend}) failed (${signal ?? `exit ${code}`}): ${answer?.error ?? stdout}\n${stderr.trim()}`));
    });
    child.stdin.end(JSON.stringify({ ...store, operations }));
  });
}
