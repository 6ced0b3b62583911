import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { ask, freePort, LocalProcess, waitUntil } from "./local-process.js";

const run = promisify(execFile);

export type ServerKind = "redis" | "valkey" | "memcached";

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
  /** `redis://127.0.0.1:6379`-style for Redis and Valkey, `127.0.0.1:11211` for Memcached. */
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

interface Definition {
  /** Environment variable with a server to use instead of starting one. */
  envVar: string;
  clusterEnvVar?: string;
  image: string;
  containerPort: number;
  server: string;
  cli?: string;
  /** What to install for a local server, for the skip message. */
  packages: string;
  args(port: number, directory: string): string[];
  ready(port: number): Promise<boolean>;
  url(address: ServerAddress): string;
}

const isRoot = process.getuid?.() === 0;

function redisLike(server: string, cli: string, image: string, prefix: string, packages: string): Definition {
  return {
    envVar: `KV_TEST_${prefix}_URL`,
    clusterEnvVar: `KV_TEST_${prefix}_CLUSTER_NODES`,
    image,
    containerPort: 6379,
    server,
    cli,
    packages,
    args: (port, directory) => ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
    ready: async (port) => (await ask(port, "PING\r\n", (reply) => reply.includes("\r\n"))).startsWith("+PONG"),
    url: ({ host, port }) => `redis://${host}:${port}`,
  };
}

export const DEFINITIONS: Record<ServerKind, Definition> = {
  redis: redisLike("redis-server", "redis-cli", "redis:7", "REDIS", "redis-server (apt)"),
  valkey: redisLike("valkey-server", "valkey-cli", "valkey/valkey:8", "VALKEY", "valkey-server (apt, bookworm-backports)"),
  memcached: {
    envVar: "KV_TEST_MEMCACHED_URL",
    image: "memcached:1.6",
    containerPort: 11211,
    server: "memcached",
    packages: "memcached (apt)",
    args: (port) => ["-l", "127.0.0.1", "-p", String(port), "-m", "64", "-U", "0", ...(isRoot ? ["-u", "root"] : [])],
    ready: async (port) => (await ask(port, "version\r\n", (reply) => reply.includes("\r\n"))).startsWith("VERSION"),
    url: ({ host, port }) => `${host}:${port}`,
  },
};

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
  const binary = findBinary(definition.server);
  if (binary === undefined) throw new Error(`${definition.server} is not installed`);
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
      const args = definition.args(port, nodeDirectory);
      if (request.cluster) args.push("--cluster-enabled", "yes", "--cluster-config-file", join(nodeDirectory, "nodes.conf"), "--cluster-node-timeout", "2000");
      const process = new LocalProcess(binary, args, () => definition.ready(port));
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
  if (!request.cluster) {
    const port = await freePort();
    const container = await new GenericContainer(definition.image)
      .withExposedPorts({ container: definition.containerPort, host: port })
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    const node = { host: container.getHost(), port };
    return server(request, "container", [node], {
      interrupt: async () => {
        await container.stop({ remove: false });
      },
      resume: async () => {
        await container.restart();
        await waitUntil("the container", () => definition.ready(port));
      },
      shutdown: async () => {
        await container.stop();
      },
    });
  }
  const ports = [await freePort(10_000), await freePort(10_000), await freePort(10_000)];
  const launch = ports
    .map((port) => `${definition.server} --port ${port} --cluster-enabled yes --cluster-config-file nodes-${port}.conf --cluster-announce-ip 127.0.0.1 --save '' --daemonize yes`)
    .join(" && ");
  const create = `${definition.cli} --cluster create ${ports.map((port) => `127.0.0.1:${port}`).join(" ")} --cluster-replicas 0 --cluster-yes`;
  const container = await new GenericContainer(definition.image)
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
