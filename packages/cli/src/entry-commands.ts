import { MissingKeyError, type JsonObject } from "@kv/core";
import { CliError, EXIT_CODES } from "./exit-codes.js";
import { readAll } from "./io.js";
import type { CommonOptions, Session } from "./session.js";

export interface PutOptions extends CommonOptions {
  ttl?: string;
}

/** `kv get KEY`: the value as JSON (indented, or one line with `--json`); exit 3 when missing. */
export async function getEntry(session: Session, key: string, options: CommonOptions): Promise<void> {
  const store = await session.open(session.storeUrl(options));
  const value = await store.get(key, { collection: options.collection });
  if (value === undefined) throw new MissingKeyError(key, options.collection ?? store.defaultCollection);
  await session.print(JSON.stringify(value, null, options.json ? undefined : 2));
}

/** `kv put KEY [JSON]`: the value from the argument, or from stdin when there is none (or it is `-`). */
export async function putEntry(session: Session, key: string, json: string | undefined, options: PutOptions): Promise<void> {
  const text = json === undefined || json === "-" ? await readAll(session.io.stdin) : json;
  let value: JsonObject;
  try {
    value = JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new CliError(`the value is not valid JSON: ${(error as Error).message}`, EXIT_CODES.badInput, { cause: error });
  }
  // The store checks the TTL (and the value) before writing; NaN from a non-number is refused there with the rest.
  const ttl = options.ttl === undefined ? undefined : Number(options.ttl);
  const store = await session.open(session.storeUrl(options));
  await store.put(key, value, { collection: options.collection, ttl });
}

/** `kv delete KEY`: exit 3 when there was no live entry. */
export async function deleteEntry(session: Session, key: string, options: CommonOptions): Promise<void> {
  const store = await session.open(session.storeUrl(options));
  if (!(await store.delete(key, { collection: options.collection }))) throw new MissingKeyError(key, options.collection ?? store.defaultCollection);
  await session.print(options.json ? JSON.stringify({ deleted: true }) : "deleted");
}

/** `kv ttl KEY`: the remaining seconds, or that the entry never expires; exit 3 when missing. */
export async function showTtl(session: Session, key: string, options: CommonOptions): Promise<void> {
  const store = await session.open(session.storeUrl(options));
  const found = await store.ttl(key, { collection: options.collection });
  if (found === undefined) throw new MissingKeyError(key, options.collection ?? store.defaultCollection);
  if (options.json) await session.print(JSON.stringify({ ttl: found.ttl ?? null }));
  else await session.print(found.ttl === undefined ? "never expires" : `${found.ttl.toFixed(3)} s`);
}
