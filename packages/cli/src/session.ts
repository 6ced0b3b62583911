import { openStore, parseStoreUrl } from "@kv/connect";
import { hasCapability, redactText, type BaseStore, type Capability, type CapabilityInterfaces } from "@kv/core";
import { CliError, EXIT_CODES } from "./exit-codes.js";
import { write, type CliIo } from "./io.js";

/** The options every command takes. */
export interface CommonOptions {
  store?: string;
  collection?: string;
  json?: boolean;
}

/** One run of `kv`: the stores it opened (closed at the end) and the credentials to keep out of its output. */
export class Session {
  private readonly opened: BaseStore[] = [];
  private readonly secrets: string[] = [];

  constructor(readonly io: CliIo) {}

  /** `--store`, else `KV_STORE`, else the embedded default. */
  storeUrl(options: { store?: string }): string | undefined {
    return options.store ?? (this.io.env.KV_STORE || undefined);
  }

  /** Opens the store a URL names; it connects on first use (`setup()` connects now). */
  async open(url: string | undefined): Promise<BaseStore> {
    const settings = { env: this.io.env, cwd: this.io.cwd };
    this.secrets.push(...parseStoreUrl(url, settings).secrets);
    const store = await openStore(url, settings);
    this.opened.push(store);
    return store;
  }

  /** The store, if it has `capability`; otherwise a bad-input error saying what it cannot do. */
  require<C extends Capability>(store: BaseStore, capability: C, doing: string): BaseStore & CapabilityInterfaces[C] {
    if (!hasCapability(store, capability)) throw new CliError(`${store.constructor.name} cannot ${doing}`, EXIT_CODES.badInput);
    return store;
  }

  async print(text: string): Promise<void> {
    await write(this.io.stdout, `${text}\n`);
  }

  /** Credentials of every URL used, replaced by `***`: applied to everything `kv` writes to stderr. */
  redact(text: string): string {
    return redactText(text, this.secrets);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((store) => store.close()));
  }
}
