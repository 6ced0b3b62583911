import { DEFAULT_STORE_URL } from "@kv/connect";
import { Command } from "commander";
import { deleteEntry, getEntry, putEntry, showTtl } from "./entry-commands.js";
import { EXIT_CODES } from "./exit-codes.js";
import { destroyCollection, listCollections, listKeys } from "./listing-commands.js";
import type { Session } from "./session.js";
import { copyEntries, DEFAULT_BATCH_SIZE, exportEntries, importEntries } from "./transfer-commands.js";

const EXIT_CODE_HELP = `
Store URLs: memory://, disk://./path, file:///dir, redis://host:port/db, redis+cluster://h1:p1,h2:p2,
valkey://…, memcached://h1:p1,h2:p2, postgres://user@host/db?schema=&table=, mongodb://host/db,
elasticsearch+http://host:9200?indexPrefix=, dynamodb://table?region=&endpoint=, azure-tables://?connectionString=…
Without --store or KV_STORE: ${DEFAULT_STORE_URL}. Credentials may come from KV_* variables (see the README).

Exit codes: ${EXIT_CODES.ok} done, ${EXIT_CODES.failure} failed, ${EXIT_CODES.badInput} bad input, ${EXIT_CODES.notFound} not found, ${EXIT_CODES.unreachable} store unreachable, ${EXIT_CODES.backendMissing} backend package not installed.`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `-s`, `-c`, `--json` and `--verbose`, on every command (so they may follow it). */
function withCommonOptions(command: Command, { collections = "one", store = true }: { collections?: "one" | "many"; store?: boolean } = {}): Command {
  if (store) command.option("-s, --store <url>", `store URL (default: KV_STORE, else ${DEFAULT_STORE_URL})`);
  if (collections === "many") command.option("-c, --collection <name>", "a collection; repeat for several (default: every collection)", collect);
  else command.option("-c, --collection <name>", "collection (default: the store's default_collection)");
  return command.option("--json", "machine-readable output").option("--verbose", "print the cause of an error");
}

function withBatchSize(command: Command): Command {
  return command.option("--batch-size <n>", `entries per getMany/putMany (default: ${DEFAULT_BATCH_SIZE})`);
}

/** The `kv` command line; each action runs in `session`. */
export function createProgram(session: Session): Command {
  const program = new Command("kv")
    .description("Work with any @kv store from a terminal: read, write, list, export, import and copy entries.")
    .addHelpText("after", EXIT_CODE_HELP)
    .configureOutput({
      writeOut: (text) => session.io.stdout.write(text),
      writeErr: (text) => session.io.stderr.write(session.redact(text)),
    })
    .exitOverride()
    .showHelpAfterError("(kv --help shows the commands and options)");

  withCommonOptions(program.command("get").argument("<key>").description("print an entry's value as JSON")).action((key: string, options) =>
    getEntry(session, key, options),
  );
  withCommonOptions(
    program
      .command("put")
      .argument("<key>")
      .argument("[json]", "the value, a JSON object; read from stdin when absent or -")
      .option("--ttl <seconds>", "seconds until the entry expires")
      .description("store a JSON object under a key"),
  ).action((key: string, json: string | undefined, options) => putEntry(session, key, json, options));
  withCommonOptions(program.command("delete").argument("<key>").description("delete an entry")).action((key: string, options) => deleteEntry(session, key, options));
  withCommonOptions(program.command("ttl").argument("<key>").description("print an entry's remaining time to live")).action((key: string, options) =>
    showTtl(session, key, options),
  );
  withCommonOptions(program.command("keys").option("--limit <n>", "print at most n keys").description("list the keys of a collection")).action((options) =>
    listKeys(session, options),
  );
  withCommonOptions(program.command("collections").option("--limit <n>", "print at most n names").description("list the collections that hold entries")).action(
    (options) => listCollections(session, options),
  );
  withCommonOptions(program.command("destroy-collection").argument("[name]", "the collection (or -c)").description("delete a collection and everything in it")).action(
    (name: string | undefined, options) => destroyCollection(session, name, options),
  );
  withBatchSize(
    withCommonOptions(program.command("export").argument("[file]", "write here instead of stdout").description("write entries as NDJSON, one envelope per line"), { collections: "many" }),
  ).action((file: string | undefined, options) => exportEntries(session, file, options));
  withBatchSize(
    withCommonOptions(
      program
        .command("import")
        .argument("[file]", "read this instead of stdin")
        .description("read NDJSON envelopes (as export writes them) into a store; -c puts them all in one collection"),
    ),
  ).action((file: string | undefined, options) => importEntries(session, file, options));
  withBatchSize(
    withCommonOptions(
      program
        .command("copy")
        .argument("<source>", "store URL to read")
        .argument("<destination>", "store URL to write")
        .option("--dry-run", "print what would be copied, and write nothing")
        .option("--no-progress", "no progress bar or progress lines")
        .description("stream entries from one store to another, keeping their remaining TTL"),
      { collections: "many", store: false },
    ),
  ).action((source: string, destination: string, options) => copyEntries(session, source, destination, options));
  return program;
}
