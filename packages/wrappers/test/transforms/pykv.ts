import { join } from "node:path";
import type { JsonObject } from "@kv/core";
import { runPyKeyValueScript } from "@kv/test-servers";

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
export function askPykv(command: JsonObject): Promise<PykvAnswer> {
  return runPyKeyValueScript<PykvAnswer>(SCRIPT, command, 60_000);
}
