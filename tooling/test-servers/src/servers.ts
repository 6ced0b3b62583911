import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { ask, freePort, LocalProcess, waitUntil } from "./local-process.js";

const run = promisify(execFile);
// Jest runs this file as CommonJS, where modules resolve from here; an ES module bundle (the bench) resolves from the working directory.
const resolveModule: NodeJS.RequireResolve = createRequire(typeof __filename === "string" ? __filename : join(process.cwd(), "/")).resolve;

export type ServerKind = "redis" | "valkey" | "memcached" | "postgres" | "dynamodb" | "moto" | "azure-tables" | "mongodb" | "elasticsearch";

export interface ServerAddress {
  host: string;
  port: number;
}

/** A running server for one test file. */
export interface TestServer {
  readonly kind: ServerKind;
  readonly cluster: boolean;
  readonly source: "env" | "container" | "local";
  /** The first (or only) node. */
  readonly host: string;
  readonly port: number;
  /**
   * How a client reaches it: `redis://127.0.0.1:6379` for Redis and Valkey, `127.0.0.1:11211`
   * for Memcached, `postgres://kv@127.0.0.1:5432/postgres`, `http://127.0.0.1:8000` for
   * DynamoDB, and an Azure Storage connection string for Azure Tables.
   */
  readonly url: string;
  /** Every node: one for a standalone server, the masters of a cluster. */
  readonly nodes: readonly ServerAddress[];
  /** Stops node `index` (default all) keeping its address: an outage. Only for servers the harness started. */
  interrupt(index?: number): Promise<void>;
  /** Starts the interrupted node(s) again at the same address. */
  resume(index?: number): Promise<void>;
  shutdown(): Promise<void>;
}

export interface ServerRequest {
  kind: ServerKind;
  /** A 3-master cluster (Redis and Valkey). */
  cluster?: boolean;
  /** A server the harness starts and can interrupt, never one from an environment variable. */
  controllable?: boolean;
}

interface Launch {
  command: string;
  args: string[];
  environment?: Record<string, string>;
}

/** How one kind of server is had: from the environment, a container image, or a local program. */
interface Definition {
  /** Environment variable with a server to use instead of starting one. */
  envVar: string;
  clusterEnvVar?: string;
  /** The official image for Testcontainers; absent where there is none to use. */
  container?: { image: string; port: number; environment?: Record<string, string>; command?: string[] };
  /** The local program's name, for messages and PATH lookup. */
  server: string;
  cli?: string;
  /** What to install for a local server, for the skip message. */
  packages: string;
  /** The local program, where it is not simply `server` on the PATH. */
  findLocal?(): string | undefined;
  /** Prepares the data directory once (e.g. initdb). */
  prepare?(program: string, directory: string): Promise<void>;
  /** The command line that runs the server in the foreground. */
  launch(program: string, port: number, directory: string): Promise<Launch> | Launch;
  ready(port: number): Promise<boolean>;
  /** How long a start may take before it counts as failed. Default 30 s. */
  startTimeoutMs?: number;
  url(address: ServerAddress): string;
}

const isRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root: as root, its programs run as this user. */
const POSTGRES_USER = "postgres";
/** The release install.sh fetches, and the user it runs as. */
const ELASTICSEARCH_VERSION = "8.19.7";
const ELASTICSEARCH_USER = "elasticsearch";

/** Elasticsearch's integ-test distribution brings no JDK: point it at this machine's Java 17 or newer. */
function javaHome(): Record<string, string> {
  const home = process.env.ES_JAVA_HOME ?? process.env.JAVA_HOME ?? (existsSync("/usr/lib/jvm/java-17-openjdk-amd64") ? "/usr/lib/jvm/java-17-openjdk-amd64" : undefined);
  return home === undefined ? {} : { ES_JAVA_HOME: home };
}

/** The moto release install.sh puts in its venv. */
const MOTO_VERSION = "5.2.5";
const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's well-known development key (public, in Microsoft's documentation). */
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const connects = async (port: number): Promise<boolean> => {
  await ask(port, "", () => true, 500).catch((error: Error) => {
    if (!/no reply/.test(error.message)) throw error;
  });
  return true;
};

/** Runs `program` as `user` when this process is root (PostgreSQL and Elasticsearch refuse root). */
function asUser(user: string, program: string, args: string[]): Launch {
  return isRoot ? { command: "setpriv", args: ["--reuid", user, "--regid", user, "--init-groups", program, ...args] } : { command: program, args };
}

/** Lets `user` (when this process is root) write in a node directory inside the harness's private temp directory. */
function handOver(directory: string, user: string): void {
  if (!isRoot) return;
  chmodSync(dirname(directory), 0o711);
  chownSync(directory, userId(user), groupId(user));
}

export const kvCache = (): string => join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kv-test-servers");

function redisLike(server: string, cli: string, image: string, prefix: string, packages: string): Definition {
  return {
    envVar: `KV_TEST_${prefix}_URL`,
    clusterEnvVar: `KV_TEST_${prefix}_CLUSTER_NODES`,
    container: { image, port: 6379 },
    server,
    cli,
    packages,
    launch: (program, port, directory) => ({
      command: program,
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
    }),
    ready: async (port) => (await ask(port, "PING\r\n", (reply) => reply.includes("\r\n"))).startsWith("+PONG"),
    url: ({ host, port }) => `redis://${host}:${port}`,
  };
}

/** A server shipped as an npm package of this workspace, run with this Node. */
function nodeProgram(script: string): () => string | undefined {
  return () => {
    try {
      return resolveModule(script);
    } catch {
      return undefined;
    }
  };
}

export const DEFINITIONS: Record<ServerKind, Definition> = {
  redis: redisLike("redis-server", "redis-cli", "redis:7", "REDIS", "redis-server (apt)"),
  valkey: redisLike("valkey-server", "valkey-cli", "valkey/valkey:8", "VALKEY", "valkey-server (apt, bookworm-backports)"),
  memcached: {
    envVar: "KV_TEST_MEMCACHED_URL",
    container: { image: "memcached:1.6", port: 11211 },
    server: "memcached",
    packages: "memcached (apt)",
    launch: (program, port) => ({ command: program, args: ["-l", "127.0.0.1", "-p", String(port), "-m", "64", "-U", "0", ...(isRoot ? ["-u", "root"] : [])] }),
    ready: async (port) => (await ask(port, "version\r\n", (reply) => reply.includes("\r\n"))).startsWith("VERSION"),
    url: ({ host, port }) => `${host}:${port}`,
  },
  postgres: {
    envVar: "KV_TEST_POSTGRES_URL",
    container: { image: "postgres:15", port: 5432, environment: { POSTGRES_USER: "kv", POSTGRES_HOST_AUTH_METHOD: "trust" } },
    server: "postgres",
    packages: "postgresql (apt)",
    findLocal: () => {
      const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
      const installed = versions.map((version) => `/usr/lib/postgresql/${version}/bin/postgres`).find((program) => existsSync(program));
      return installed ?? findBinary("postgres");
    },
    prepare: async (program, directory) => {
      handOver(directory, POSTGRES_USER);
      const initdb = asUser(POSTGRES_USER, join(dirname(program), "initdb"), ["-D", join(directory, "data"), "-A", "trust", "-U", "kv", "-E", "UTF8", "--no-sync"]);
      await run(initdb.command, initdb.args);
    },
    launch: (program, port, directory) =>
      asUser(POSTGRES_USER, program, [
        "-D", join(directory, "data"), "-p", String(port), "-k", directory,
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
      ]),
    ready: async (port) => {
      const pgIsReady = findBinary("pg_isready");
      if (pgIsReady === undefined) return connects(port);
      return run(pgIsReady, ["-h", "127.0.0.1", "-p", String(port), "-U", "kv"]).then(() => true, () => false);
    },
    url: ({ host, port }) => `postgres://kv@${host}:${port}/postgres`,
  },
  dynamodb: {
    envVar: "KV_TEST_DYNAMODB_URL",
    server: "dynalite",
    packages: "dynalite (npm, a dependency of @kv/test-servers)",
    findLocal: nodeProgram("dynalite/cli.js"),
    launch: (program, port) => ({ command: process.execPath, args: [program, "--port", String(port), "--host", "127.0.0.1"] }),
    ready: connects,
    url: ({ host, port }) => `http://${host}:${port}`,
  },
  moto: {
    envVar: "KV_TEST_MOTO_URL",
    server: "moto_server",
    packages: "moto[server] (PyPI; tooling/test-servers/install.sh puts it in a venv)",
    findLocal: () => {
      const venv = join(kvCache(), `moto-${MOTO_VERSION}`, "bin", "moto_server");
      return existsSync(venv) ? venv : findBinary("moto_server");
    },
    launch: (program, port) => ({ command: program, args: ["-H", "127.0.0.1", "-p", String(port)] }),
    ready: connects,
    url: ({ host, port }) => `http://${host}:${port}`,
  },
  mongodb: {
    envVar: "KV_TEST_MONGODB_URL",
    container: { image: "mongo:8", port: 27017 },
    server: "ferretdb",
    packages: "FerretDB (tooling/test-servers/install.sh builds tooling/ferretdb with Go)",
    findLocal: () => {
      const built = join(kvCache(), "ferretdb", "ferretdb");
      return existsSync(built) ? built : undefined;
    },
    launch: (program, port, directory) => ({ command: program, args: ["-listen", `127.0.0.1:${port}`, "-dir", directory] }),
    ready: connects,
    url: ({ host, port }) => `mongodb://${host}:${port}/`,
  },
  elasticsearch: {
    envVar: "KV_TEST_ELASTICSEARCH_URL",
    container: {
      image: `docker.elastic.co/elasticsearch/elasticsearch:${ELASTICSEARCH_VERSION}`,
      port: 9200,
      environment: { "discovery.type": "single-node", "xpack.security.enabled": "false", ES_JAVA_OPTS: "-Xms512m -Xmx512m" },
    },
    server: "elasticsearch",
    packages: "Elasticsearch's integ-test-zip (tooling/test-servers/install.sh fetches it from Maven Central)",
    findLocal: () =>
      [join("/var/cache/kv-test-servers", `elasticsearch-${ELASTICSEARCH_VERSION}`), join(kvCache(), `elasticsearch-${ELASTICSEARCH_VERSION}`)]
        .map((home) => join(home, "bin", "elasticsearch"))
        .find((program) => existsSync(program)),
    prepare: async (_program, directory) => handOver(directory, ELASTICSEARCH_USER),
    launch: async (program, port, directory) => ({
      ...asUser(ELASTICSEARCH_USER, program, [
        "-Expack.security.enabled=false", "-Ediscovery.type=single-node", "-Enetwork.host=127.0.0.1",
        `-Ehttp.port=${port}`, `-Etransport.port=${await freePort()}`,
        `-Epath.data=${join(directory, "data")}`, `-Epath.logs=${join(directory, "logs")}`,
      ]),
      environment: { ES_JAVA_OPTS: "-Xms512m -Xmx512m", ...javaHome() },
    }),
    ready: async (port) => {
      const reply = await ask(port, "GET /_cluster/health?wait_for_status=green&timeout=1s HTTP/1.0\r\n\r\n", (text) => text.includes("}"), 3_000);
      return reply.includes('"status":"green"');
    },
    // A JVM on two busy cores: 7 s when the machine is quiet, much longer while the whole test suite runs.
    startTimeoutMs: 180_000,
    url: ({ host, port }) => `http://${host}:${port}`,
  },
  "azure-tables": {
    envVar: "KV_TEST_AZURE_TABLES_URL",
    container: {
      image: "mcr.microsoft.com/azure-storage/azurite:3.35.0",
      port: 10002,
      command: ["azurite-table", "--tableHost", "0.0.0.0", "--inMemoryPersistence", "--disableTelemetry"],
    },
    server: "azurite-table",
    packages: "azurite (npm, a dependency of @kv/test-servers)",
    findLocal: nodeProgram("azurite/dist/src/table/main.js"),
    launch: (program, port) => ({
      command: process.execPath,
      args: [program, "--tableHost", "127.0.0.1", "--tablePort", String(port), "--inMemoryPersistence", "--disableTelemetry", "--silent"],
    }),
    ready: connects,
    url: ({ host, port }) =>
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT};`,
  },
};

function userId(name: string): number {
  return Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
}

function groupId(name: string): number {
  return Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
}

/** The local program for a kind of server, if this machine has it. */
export function findLocalServer(kind: ServerKind): string | undefined {
  const definition = DEFINITIONS[kind];
  return definition.findLocal ? definition.findLocal() : findBinary(definition.server);
}

export function findBinary(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(directory, name);
    if (directory !== "" && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function hasContainerRuntime(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync("/var/run/docker.sock");
}

function parseAddresses(text: string): ServerAddress[] {
  return text.split(",").map((part) => {
    const url = new URL(part.includes("://") ? part : `tcp://${part}`);
    return { host: url.hostname, port: Number(url.port) };
  });
}

function server(
  request: ServerRequest,
  source: TestServer["source"],
  nodes: ServerAddress[],
  control: { interrupt(index?: number): Promise<void>; resume(index?: number): Promise<void>; shutdown(): Promise<void> },
): TestServer {
  const first = nodes[0]!;
  return {
    kind: request.kind,
    cluster: request.cluster ?? false,
    source,
    host: first.host,
    port: first.port,
    url: DEFINITIONS[request.kind].url(first),
    nodes,
    ...control,
  };
}

const notControllable = async (): Promise<never> => {
  throw new Error("this server came from an environment variable; the harness cannot interrupt it");
};

/** The server's address from its environment variable, if set. */
export function fromEnvironment(request: ServerRequest): TestServer | undefined {
  const definition = DEFINITIONS[request.kind];
  const text = process.env[(request.cluster ? definition.clusterEnvVar : definition.envVar) ?? ""];
  if (request.controllable || text === undefined || text === "") return undefined;
  return server(request, "env", parseAddresses(text), { interrupt: notControllable, resume: notControllable, shutdown: async () => {} });
}

/** Starts the server binary on free 127.0.0.1 ports, in a temporary directory removed at shutdown. */
export async function startLocal(request: ServerRequest): Promise<TestServer> {
  const definition = DEFINITIONS[request.kind];
  const program = findLocalServer(request.kind);
  if (program === undefined) throw new Error(`${definition.server} is not installed`);
  const directory = mkdtempSync(join(tmpdir(), `kv-${request.kind}-`));
  const processes: LocalProcess[] = [];
  const nodes: ServerAddress[] = [];
  const shutdown = async (): Promise<void> => {
    await Promise.all(processes.map((process) => process.stop()));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const nodeCount = request.cluster ? 3 : 1;
    for (let index = 0; index < nodeCount; index++) {
      const port = await freePort(request.cluster ? 10_000 : undefined);
      const nodeDirectory = mkdtempSync(join(directory, `node-${index}-`));
      await definition.prepare?.(program, nodeDirectory);
      const { command, args, environment } = await definition.launch(program, port, nodeDirectory);
      if (request.cluster) args.push("--cluster-enabled", "yes", "--cluster-config-file", join(nodeDirectory, "nodes.conf"), "--cluster-node-timeout", "2000");
      const process = new LocalProcess(command, args, () => definition.ready(port), environment, definition.startTimeoutMs);
      processes.push(process);
      nodes.push({ host: "127.0.0.1", port });
      await process.start();
    }
    if (request.cluster) await createCluster(definition, nodes);
    const selected = (index?: number): LocalProcess[] => (index === undefined ? processes : [processes[index]!]);
    return server(request, "local", nodes, {
      interrupt: async (index) => {
        await Promise.all(selected(index).map((process) => process.stop()));
      },
      resume: async (index) => {
        await Promise.all(selected(index).map((process) => process.start()));
        if (request.cluster) await waitForCluster(definition, nodes);
      },
      shutdown,
    });
  } catch (error) {
    await shutdown();
    throw error;
  }
}

async function createCluster(definition: Definition, nodes: ServerAddress[]): Promise<void> {
  const cli = findBinary(definition.cli!);
  if (cli === undefined) throw new Error(`${definition.cli} is not installed`);
  await run(cli, ["--cluster", "create", ...nodes.map(({ host, port }) => `${host}:${port}`), "--cluster-replicas", "0", "--cluster-yes"]);
  await waitForCluster(definition, nodes);
}

/** Every node reports the cluster healthy and knows all three masters. */
async function waitForCluster(definition: Definition, nodes: ServerAddress[]): Promise<void> {
  const cli = findBinary(definition.cli!)!;
  await waitUntil("the cluster to be healthy", async () => {
    for (const { host, port } of nodes) {
      const { stdout } = await run(cli, ["-h", host, "-p", String(port), "cluster", "info"]);
      if (!stdout.includes("cluster_state:ok") || !stdout.includes(`cluster_known_nodes:${nodes.length}`)) return false;
    }
    return true;
  }, 30_000);
}

/**
 * Starts the official image with Testcontainers. A cluster runs as three nodes in
 * one container, each on a fixed host port announced as 127.0.0.1, so the
 * client's redirects reach them from the host.
 */
export async function startContainer(request: ServerRequest): Promise<TestServer> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const definition = DEFINITIONS[request.kind];
  const image = definition.container;
  if (image === undefined) throw new Error(`no container image is used for ${request.kind}`);
  if (!request.cluster) {
    const port = await freePort();
    let container = new GenericContainer(image.image)
      .withExposedPorts({ container: image.port, host: port })
      .withEnvironment(image.environment ?? {})
      .withWaitStrategy(Wait.forListeningPorts());
    if (image.command) container = container.withCommand(image.command);
    const started = await container.start();
    await waitUntil(`the ${request.kind} container`, () => definition.ready(port), 60_000);
    const node = { host: started.getHost(), port };
    return server(request, "container", [node], {
      interrupt: async () => {
        await started.stop({ remove: false });
      },
      resume: async () => {
        await started.restart();
        await waitUntil("the container", () => definition.ready(port));
      },
      shutdown: async () => {
        await started.stop();
      },
    });
  }
  const ports = [await freePort(10_000), await freePort(10_000), await freePort(10_000)];
  const launch = ports
    .map((port) => `${definition.server} --port ${port} --cluster-enabled yes --cluster-config-file nodes-${port}.conf --cluster-announce-ip 127.0.0.1 --save '' --daemonize yes`)
    .join(" && ");
  const create = `${definition.cli} --cluster create ${ports.map((port) => `127.0.0.1:${port}`).join(" ")} --cluster-replicas 0 --cluster-yes`;
  const container = await new GenericContainer(image.image)
    .withNetworkMode("host")
    .withEntrypoint(["sh", "-c"])
    .withCommand([`${launch} && sleep 1 && ${create} && sleep infinity`])
    .start();
  const nodes = ports.map((port) => ({ host: "127.0.0.1", port }));
  await waitUntil("the cluster", async () => (await Promise.all(ports.map((port) => definition.ready(port)))).every(Boolean), 30_000);
  return server(request, "container", nodes, {
    interrupt: async () => {
      throw new Error("interrupting a containerized cluster node is not supported; run the fault tests with local binaries");
    },
    resume: notControllable,
    shutdown: async () => {
      await container.stop();
    },
  });
}
