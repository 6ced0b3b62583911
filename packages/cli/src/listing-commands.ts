import { CliError, EXIT_CODES } from "./exit-codes.js";
import type { CommonOptions, Session } from "./session.js";

export interface ListOptions extends CommonOptions {
  limit?: string;
}

/** One name per line, or one JSON string per line with `--json` (so a name with a newline stays one record). */
async function printNames(session: Session, names: AsyncIterable<string>, json: boolean | undefined): Promise<void> {
  for await (const name of names) await session.print(json ? JSON.stringify(name) : name);
}

function limitOf(options: ListOptions): number | undefined {
  // The store refuses anything but a whole number ≥ 0, NaN included.
  return options.limit === undefined ? undefined : Number(options.limit);
}

/** `kv keys`: the keys of live entries of one collection. */
export async function listKeys(session: Session, options: ListOptions): Promise<void> {
  const store = session.require(await session.open(session.storeUrl(options)), "keys", "list keys");
  await printNames(session, store.keys({ collection: options.collection, limit: limitOf(options) }), options.json);
}

/** `kv collections`: the collections that hold live entries. */
export async function listCollections(session: Session, options: ListOptions): Promise<void> {
  const store = session.require(await session.open(session.storeUrl(options)), "collections", "list collections");
  await printNames(session, store.collections({ limit: limitOf(options) }), options.json);
}

/** `kv destroy-collection NAME`: removes the collection and everything in it; exit 3 when it held nothing. */
export async function destroyCollection(session: Session, name: string | undefined, options: CommonOptions): Promise<void> {
  const collection = name ?? options.collection;
  if (collection === undefined) throw new CliError("name the collection to destroy: kv destroy-collection NAME", EXIT_CODES.badInput);
  const store = session.require(await session.open(session.storeUrl(options)), "destroyCollection", "destroy collections");
  if (!(await store.destroyCollection(collection))) throw new CliError(`collection ${JSON.stringify(collection)} holds nothing`, EXIT_CODES.notFound);
  await session.print(options.json ? JSON.stringify({ destroyed: true }) : `destroyed collection ${JSON.stringify(collection)}`);
}
