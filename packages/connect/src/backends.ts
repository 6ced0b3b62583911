import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidStoreUrlError } from "./errors.js";
import type { HostAddress, StoreUrl } from "./store-url.js";

/** What a store is made from: constructor options, or a static factory's arguments followed by them. */
export interface StoreRecipe {
  options: Record<string, unknown>;
  /** A static method of the store class to call instead of `new`, e.g. `fromAccountAndKey`. */
  factory?: { name: string; args: unknown[] };
  /** Credentials that went into the recipe, to redact from any error. */
  secrets: string[];
}

export interface RecipeContext {
  url: StoreUrl;
  /** Where credentials absent from the URL are looked up. */
  env: Readonly<Record<string, string | undefined>>;
  /** What relative `disk://` paths are resolved against. */
  cwd: string;
}

/** One backend: its URL schemes, the package and class that implement it, and how a URL becomes a store. */
export interface BackendDefinition {
  readonly name: string;
  readonly schemes: readonly string[];
  readonly packageName: string;
  readonly className: string;
  /** Environment variables read for credentials the URL leaves out. */
  readonly environment: readonly string[];
  recipe(context: RecipeContext): StoreRecipe;
}

/** Where `openStore()` puts data when given no URL: the embedded store in `./.kv`. */
export const DEFAULT_STORE_URL = "disk://./.kv";
const DEFAULT_ELASTICSEARCH_INDEX_PREFIX = "kv_store";

function fail(url: StoreUrl, reason: string): never {
  throw new InvalidStoreUrlError(`invalid store URL ${url.redacted()}: ${reason}`);
}

/** Refuses parameters the backend does not read, so a typo is not silently ignored. */
function onlyParams(url: StoreUrl, known: readonly string[]): void {
  for (const name of url.params.keys()) {
    if (!known.includes(name)) fail(url, `unknown parameter ${JSON.stringify(name)}${known.length === 0 ? " (this scheme takes none)" : ` (known: ${known.join(", ")})`}`);
  }
}

function noHostOrPath(url: StoreUrl): void {
  if (url.location !== "") fail(url, `a ${url.scheme}:// URL has no host or path`);
}

function oneHost(url: StoreUrl): HostAddress | undefined {
  const hosts = url.hosts;
  if (hosts.length > 1) fail(url, `a ${url.scheme}:// URL names one host`);
  return hosts[0];
}

function positiveInteger(url: StoreUrl, name: string): number | undefined {
  const text = url.params.get(name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) fail(url, `parameter ${name} must be a whole number > 0`);
  return Number(text);
}

/** The URL's user name and password, else those of the environment variables `{prefix}_USERNAME` and `{prefix}_PASSWORD`. */
function credentials({ url, env }: RecipeContext, prefix: string): { username?: string; password?: string } {
  return present({ username: url.username ?? nonEmpty(env[`${prefix}_USERNAME`]), password: url.password ?? nonEmpty(env[`${prefix}_PASSWORD`]) });
}

function userAndPassword(prefix: string): string[] {
  return [`${prefix}_USERNAME`, `${prefix}_PASSWORD`];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** The options without those left undefined, so a store's own defaults apply. */
function present<T extends Record<string, unknown>>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The account key and SAS signature fields of an Azure connection string (`AccountKey=…;SharedAccessSignature=…`). */
function connectionStringSecrets(connectionString: string): string[] {
  return connectionString
    .split(";")
    .map((field) => /^\s*(AccountKey|SharedAccessSignature)\s*=(.*)$/i.exec(field)?.[2])
    .filter((value): value is string => value !== undefined && value !== "");
}

function secretsOf(...values: (string | undefined)[]): string[] {
  return values.filter((value): value is string => value !== undefined && value !== "");
}

/** A backend whose package is `@kv/{name}`. */
function backend(name: string, className: string, schemes: readonly string[], environment: readonly string[], recipe: BackendDefinition["recipe"]): BackendDefinition {
  return { name, schemes, packageName: `@kv/${name}`, className, environment, recipe };
}

/** `redis://…` for one server (the driver reads the URL itself), `…+cluster://h1:p1,h2:p2` for a cluster. */
function respBackend(name: "redis" | "valkey", className: string, schemes: { plain: string; tls: string; cluster: string }): BackendDefinition {
  const prefix = `KV_${name.toUpperCase()}`;
  return backend(name, className, [schemes.plain, schemes.tls, schemes.cluster], userAndPassword(prefix), (context) => {
    const { url } = context;
    const auth = credentials(context, prefix);
    if (url.scheme === schemes.cluster) {
      onlyParams(url, []);
      if (url.path !== "") fail(url, "a cluster has no database number");
      const hosts = url.hosts;
      if (hosts.length === 0) fail(url, "name at least one node: host:port[,host:port…]");
      return { options: { clusterNodes: hosts.map(({ host, port }) => ({ host, port: port ?? 6379 })), ...auth }, secrets: secretsOf(auth.password) };
    }
    oneHost(url);
    if (url.path !== "" && !/^\d+$/.test(url.path)) fail(url, "the path is a database number, e.g. /0");
    // ioredis and iovalkey know only the redis:// and rediss:// schemes.
    const driverUrl = url.rebuild({ scheme: url.scheme === schemes.tls ? "rediss" : "redis" });
    return { options: { url: driverUrl, ...auth }, secrets: secretsOf(auth.password, url.password) };
  });
}

/** Every backend `openStore` knows. Each package is an optional peer dependency, imported when its URL is opened. */
export const BACKENDS: readonly BackendDefinition[] = [
  backend("memory", "MemoryStore", ["memory"], [], ({ url }) => {
    noHostOrPath(url);
    onlyParams(url, []);
    return { options: {}, secrets: [] };
  }),

  backend("disk", "DiskStore", ["disk"], [], ({ url, cwd }) => {
    onlyParams(url, ["maxSize"]);
    let location: string;
    try {
      location = decodeURIComponent(url.location);
    } catch {
      fail(url, "invalid percent-encoding in the path");
    }
    const directory = resolve(cwd, location === "" ? ".kv" : location);
    return { options: present({ directory, maxSize: positiveInteger(url, "maxSize") }), secrets: [] };
  }),

  backend("filetree", "FileTreeStore", ["file"], [], ({ url }) => {
    onlyParams(url, ["metadataDirectory"]);
    let dataDirectory: string;
    try {
      dataDirectory = fileURLToPath(url.rebuild({ withoutParams: ["metadataDirectory"] }));
    } catch {
      fail(url, "a file:// URL names an absolute local directory, e.g. file:///var/lib/kv");
    }
    const metadataDirectory = url.params.get("metadataDirectory");
    if (metadataDirectory !== undefined && !isAbsolute(metadataDirectory)) fail(url, "metadataDirectory must be an absolute path");
    return { options: present({ dataDirectory, metadataDirectory }), secrets: [] };
  }),

  respBackend("redis", "RedisStore", { plain: "redis", tls: "rediss", cluster: "redis+cluster" }),
  respBackend("valkey", "ValkeyStore", { plain: "valkey", tls: "valkeys", cluster: "valkey+cluster" }),

  backend("memcached", "MemcachedStore", ["memcached"], userAndPassword("KV_MEMCACHED"), (context) => {
    const { url } = context;
    onlyParams(url, []);
    if (url.path !== "") fail(url, "a memcached:// URL has no path");
    const hosts = url.hosts;
    if (hosts.length === 0) fail(url, "name at least one server: host:port[,host:port…]");
    const servers = hosts.map(({ host, port }) => `${host.includes(":") ? `[${host}]` : host}:${port ?? 11211}`).join(",");
    const auth = credentials(context, "KV_MEMCACHED");
    return { options: { servers, ...auth }, secrets: secretsOf(auth.password) };
  }),

  backend("postgres", "PostgresStore", ["postgres", "postgresql"], userAndPassword("KV_POSTGRES"), (context) => {
    const { url } = context;
    oneHost(url);
    const auth = credentials(context, "KV_POSTGRES");
    // Other parameters (sslmode, …) are pg's own and stay in the connection string.
    const connectionString = url.rebuild({ ...auth, withoutParams: ["schema", "table"] });
    return { options: present({ connectionString, schemaName: url.params.get("schema"), tableName: url.params.get("table") }), secrets: secretsOf(auth.password) };
  }),

  backend("mongodb", "MongoDBStore", ["mongodb", "mongodb+srv"], userAndPassword("KV_MONGODB"), (context) => {
    const { url } = context;
    if (url.hosts.length === 0) fail(url, "name the server: mongodb://host[:port][,host…]/database");
    if (url.path.includes("/")) fail(url, "the path is one database name");
    const auth = credentials(context, "KV_MONGODB");
    // The whole URL, options included, is the driver's; @kv reads only the database from it.
    return { options: present({ url: url.rebuild(auth), dbName: url.path === "" ? undefined : url.path }), secrets: secretsOf(auth.password) };
  }),

  backend("elasticsearch", "ElasticsearchStore", ["elasticsearch+http", "elasticsearch+https"], ["KV_ELASTICSEARCH_API_KEY"], ({ url, env }) => {
    onlyParams(url, ["indexPrefix"]);
    if (oneHost(url) === undefined) fail(url, "name the server: elasticsearch+http://host:9200");
    const apiKey = nonEmpty(env.KV_ELASTICSEARCH_API_KEY);
    const scheme = url.scheme === "elasticsearch+https" ? "https" : "http";
    return {
      options: present({
        url: url.rebuild({ scheme, withoutParams: ["indexPrefix"] }),
        indexPrefix: url.params.get("indexPrefix") ?? DEFAULT_ELASTICSEARCH_INDEX_PREFIX,
        apiKey,
      }),
      secrets: secretsOf(apiKey, url.password),
    };
  }),

  // Credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, roles…).
  backend("dynamodb", "DynamoDBStore", ["dynamodb"], [], ({ url }) => {
    onlyParams(url, ["region", "endpoint"]);
    const table = oneHost(url);
    if (table === undefined || table.port !== undefined || url.path !== "" || url.username !== undefined || url.password !== undefined) {
      fail(url, "expected dynamodb://table[?region=…&endpoint=…]; credentials come from the AWS environment");
    }
    return { options: present({ tableName: table.host, region: url.params.get("region"), endpoint: url.params.get("endpoint") }), secrets: [] };
  }),

  backend(
    "azure-tables",
    "AzureTablesStore",
    ["azure-tables"],
    ["KV_AZURE_TABLES_CONNECTION_STRING", "KV_AZURE_TABLES_ACCOUNT_KEY", "KV_AZURE_TABLES_SAS_TOKEN"],
    ({ url, env }) => {
      noHostOrPath(url);
      onlyParams(url, ["connectionString", "account", "key", "sas", "endpoint", "table", "serviceMode"]);
      const serviceMode = url.params.get("serviceMode");
      if (serviceMode !== undefined && serviceMode !== "storage" && serviceMode !== "cosmos") fail(url, "serviceMode is storage or cosmos");
      const common = present({ tableName: url.params.get("table"), serviceMode });
      const endpoint = url.params.get("endpoint");
      const account = url.params.get("account");
      const sas = url.params.get("sas") ?? nonEmpty(env.KV_AZURE_TABLES_SAS_TOKEN);
      const key = url.params.get("key") ?? nonEmpty(env.KV_AZURE_TABLES_ACCOUNT_KEY);
      if (account !== undefined) {
        if (key === undefined) fail(url, "account needs key= or KV_AZURE_TABLES_ACCOUNT_KEY");
        return { options: present({ ...common, endpoint }), factory: { name: "fromAccountAndKey", args: [account, key] }, secrets: [key] };
      }
      if (endpoint !== undefined && sas !== undefined) return { options: common, factory: { name: "fromSasToken", args: [endpoint, sas] }, secrets: [sas] };
      const connectionString = url.params.get("connectionString") ?? nonEmpty(env.KV_AZURE_TABLES_CONNECTION_STRING);
      if (connectionString === undefined) {
        fail(url, "give connectionString=, account= and key=, or endpoint= and sas= (or KV_AZURE_TABLES_CONNECTION_STRING)");
      }
      return { options: { ...common, connectionString }, secrets: [connectionString, ...connectionStringSecrets(connectionString)] };
    },
  ),
];
