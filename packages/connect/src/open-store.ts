import { KeyValueError, StoreSetupError, redactError, redactText, type BaseStore } from "@kv/core";
import { BACKENDS, DEFAULT_STORE_URL, type BackendDefinition, type StoreRecipe } from "./backends.js";
import { BackendNotInstalledError, InvalidStoreUrlError } from "./errors.js";
import { StoreUrl } from "./store-url.js";

/** Imports a backend package by name; `import()` unless a test or a bundler supplies another. */
export type BackendImporter = (packageName: string) => Promise<unknown>;

export interface OpenStoreOptions {
  /** The store's default collection. */
  defaultCollection?: string;
  /** Where credentials left out of the URL are read (see the README). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** What a relative `disk://` path is resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** How a backend package is imported. Default: `import(packageName)`. */
  importBackend?: BackendImporter;
}

/** What a URL resolves to, before anything is imported or connected. */
export interface StoreTarget extends StoreRecipe {
  backend: string;
  /** The URL's scheme, e.g. `redis+cluster`. */
  scheme: string;
  /** The package that implements the backend, to install when missing. */
  packageName: string;
  className: string;
  /** The URL with its credentials masked, for messages. */
  displayUrl: string;
}

const importPackage: BackendImporter = (packageName) => import(packageName);

/** Reads a store URL (default `disk://./.kv`) into the backend, class and options it names. Throws `InvalidStoreUrlError`. */
export function parseStoreUrl(url: string = DEFAULT_STORE_URL, options: Omit<OpenStoreOptions, "importBackend"> = {}): StoreTarget {
  const parsed = StoreUrl.parse(url);
  const backend = findBackend(parsed);
  const recipe = backend.recipe({ url: parsed, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() });
  if (options.defaultCollection !== undefined) recipe.options.defaultCollection = options.defaultCollection;
  return {
    ...recipe,
    secrets: [...new Set([...recipe.secrets, ...parsed.secrets()])],
    backend: backend.name,
    scheme: parsed.scheme,
    packageName: backend.packageName,
    className: backend.className,
    displayUrl: parsed.redacted(),
  };
}

/**
 * Opens the store a URL names, importing its backend package on demand. The
 * store connects lazily, as every store does; call `setup()` to connect now.
 *
 * ```ts
 * await using store = await openStore("redis://127.0.0.1:6379/0");
 * ```
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<BaseStore> {
  const target = parseStoreUrl(url, options);
  const exported = await importBackend(target, options.importBackend ?? importPackage);
  const StoreClass = (exported as Record<string, unknown> | undefined)?.[target.className] as (new (options: unknown) => BaseStore) | undefined;
  if (typeof StoreClass !== "function") {
    throw new StoreSetupError(`${target.packageName} does not export ${target.className}: install a version that matches @kv/connect`);
  }
  try {
    if (target.factory === undefined) return new StoreClass(target.options);
    const factory = (StoreClass as unknown as Record<string, (...args: unknown[]) => BaseStore>)[target.factory.name];
    if (typeof factory !== "function") throw new StoreSetupError(`${target.className} has no ${target.factory.name}: install a version that matches @kv/connect`);
    return factory.call(StoreClass, ...target.factory.args, target.options);
  } catch (error) {
    // A constructor refuses bad options before the store can redact its own errors.
    if (error instanceof KeyValueError) throw redactError(error, target.secrets);
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreSetupError(redactText(`cannot create ${target.className} for ${target.displayUrl}: ${message}`, target.secrets), {
      cause: redactError(error, target.secrets),
    });
  }
}

function findBackend(url: StoreUrl): BackendDefinition {
  const backend = BACKENDS.find((candidate) => candidate.schemes.includes(url.scheme));
  if (backend !== undefined) return backend;
  const known = BACKENDS.flatMap((candidate) => candidate.schemes.map((scheme) => `${scheme}://`)).join(", ");
  throw new InvalidStoreUrlError(`unknown store URL scheme ${url.scheme}:// (known: ${known})`);
}

async function importBackend(target: StoreTarget, importer: BackendImporter): Promise<unknown> {
  try {
    return await importer(target.packageName);
  } catch (error) {
    if (isMissingPackage(error, target.packageName)) throw new BackendNotInstalledError(target.scheme, target.packageName, { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreSetupError(`cannot load ${target.packageName}: ${message}`, { cause: error });
  }
}

/** Node's "cannot find" for the package itself (ESM and CommonJS word it differently), not for something it imports. */
function isMissingPackage(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const message = error instanceof Error ? error.message : "";
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}
