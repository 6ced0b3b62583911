import { join } from "node:path";
import type { JsonObject } from "@kv/core";
import { runPyKeyValueScript } from "@kv/test-servers";

const DRIVER = join(__dirname, "..", "pykv.py");

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
export async function runPyKeyValue(store: PyStore, operations: PyOperation[]): Promise<unknown[]> {
  const answer = await runPyKeyValueScript<{ results: unknown[] }>(DRIVER, { ...store, operations });
  return answer.results;
}
