import { createServer } from "node:net";
import { afterEach } from "@jest/globals";
import type { ServerAddress, TestServer } from "@kv/test-servers";
import { Cluster as RedisCluster, Redis } from "ioredis";
import { Cluster as ValkeyCluster, Valkey } from "iovalkey";
import { RespStore, type RespClient, type RespDriver, type RespStoreOptions } from "../src/index.js";

/** Both drivers, each against its own server: the engine must behave the same over either. */
export const BACKENDS = [
  { kind: "redis", driver: { Redis, Cluster: RedisCluster } as RespDriver<RespClient> },
  { kind: "valkey", driver: { Redis: Valkey, Cluster: ValkeyCluster } as RespDriver<RespClient> },
] as const;

export type Backend = (typeof BACKENDS)[number];

const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((closeable) => closeable.close()));
});

/** A store on `server` (its cluster when it is one), closed after the test. */
export function openStore(backend: Backend, server: TestServer, options: RespStoreOptions<RespClient> = {}): RespStore {
  const connection = server.cluster ? { clusterNodes: server.nodes } : { url: server.url };
  const store = new RespStore({ ...connection, ...options }, backend.driver);
  opened.push(store);
  return store;
}

/** A plain ioredis connection to one node, for looking behind the store's back; closed after the test. */
export function rawNode(address: ServerAddress): Redis {
  const client = new Redis(address.port, address.host);
  opened.push({ close: () => client.quit() });
  return client;
}

/** A plain ioredis client for the whole server or cluster; closed after the test. */
export function rawClient(server: TestServer): Redis | RedisCluster {
  if (!server.cluster) return rawNode(server);
  const cluster = new RedisCluster([...server.nodes]);
  opened.push({ close: () => cluster.quit() });
  return cluster;
}

/** Rejects when `promise` has not settled within `milliseconds`: a hang fails the test with a clear message. */
export function within<T>(milliseconds: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Retries `attempt` every 100 ms until it resolves, for at most `milliseconds`; resolves how long that took. */
export async function eventually(milliseconds: number, attempt: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await attempt();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > milliseconds) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A 127.0.0.1 port nothing listens on. */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
    });
  });
}
