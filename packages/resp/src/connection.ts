import { InvalidArgumentError } from "@kv/core";
import type { RespClient, RespClientOptions, RespDriver, RespNodeAddress } from "./client.js";

/** How RedisStore and ValkeyStore connect: a client of your own, or settings for one the store creates. */
export interface RespConnectionOptions<Client> {
  /** `redis://[[username]:password@]host[:port][/db]`, or `rediss://` for TLS. Options below override its parts. */
  url?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  /** Database number on a standalone server. Default 0. */
  db?: number;
  /** ACL user name (Redis 6+, Valkey). */
  username?: string;
  password?: string;
  /** Seed nodes of a cluster: the store creates a `Cluster` client instead of a standalone one. */
  clusterNodes?: readonly RespNodeAddress[];
  /** An existing `Redis` or `Cluster` client; the store never closes it, and its own fault settings apply. */
  client?: Client;
  /** Milliseconds to wait for a connection. Default 2000. */
  connectTimeout?: number;
  /** Milliseconds before a sent command fails with `StoreConnectionError`. Default 3000. */
  commandTimeout?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 3_000;
/** Reconnection keeps going in the background while the server is away, at most this far apart. */
const MAX_RECONNECT_DELAY_MS = 1_000;

const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);

/**
 * A client that never makes an operation wait for the server: no offline queue
 * (a command sent while disconnected fails at once), one resend of commands
 * caught in a dropped connection, bounded connect and command times, and
 * reconnection in the background so the same client works once the server is back.
 */
export function createClient<Client extends RespClient>(driver: RespDriver<Client>, options: RespConnectionOptions<Client>): Client {
  const faults = {
    connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  };
  const credentials = withoutUndefined({ username: options.username, password: options.password });
  let client: Client;
  if (options.clusterNodes !== undefined) {
    if (options.url !== undefined || options.db !== undefined) throw new InvalidArgumentError("clusterNodes cannot be combined with url or db");
    client = new driver.Cluster(
      options.clusterNodes.map(({ host, port }) => ({ host, port })),
      {
        enableOfflineQueue: false,
        lazyConnect: true,
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: faults.connectTimeout,
        redisOptions: { ...faults, ...credentials },
      },
    );
  } else {
    const clientOptions: RespClientOptions = {
      ...withoutUndefined({ host: options.host, port: options.port, db: options.db }),
      ...credentials,
      ...faults,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: reconnectDelay,
    };
    client = options.url === undefined ? new driver.Redis(clientOptions) : new driver.Redis(options.url, clientOptions);
  }
  // Failures reach the caller through the rejected commands; without a listener the driver would also log each one.
  client.on("error", () => undefined);
  return client;
}

/** The credentials in the options, for BaseStore to redact from every error. */
export function connectionSecrets(options: RespConnectionOptions<unknown>): string[] {
  const secrets = [options.password, options.username];
  if (options.url !== undefined) {
    try {
      const url = new URL(options.url);
      secrets.push(decodeURIComponent(url.password), decodeURIComponent(url.username));
    } catch {
      // The driver reports a malformed URL; there is nothing to extract from it.
    }
  }
  return secrets.filter((secret): secret is string => secret !== undefined && secret !== "");
}

/**
 * Resolves once `client` is ready: connects a client that has not started, waits
 * (at most `timeoutMs`) for one that is connecting, and fails at once for one
 * that is between reconnection attempts — its server is known to be away.
 */
export async function whenReady(client: RespClient, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return;
  if (client.status === "wait") return connect(client);
  if (client.status !== "connecting" && client.status !== "connect") throw new Error(`Connection is closed (client status: ${client.status})`);
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      client.removeListener("ready", onReady);
      client.removeListener("error", onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => settle();
    const onError = (error: Error): void => settle(error);
    const timer = setTimeout(() => settle(new Error(`Connection timed out after ${timeoutMs} ms`)), timeoutMs);
    client.once("ready", onReady);
    client.once("error", onError);
  });
}

/** `client.connect()`, rejecting with the error that closed the connection (ECONNREFUSED, WRONGPASS) rather than a bare "Connection is closed". */
async function connect(client: RespClient): Promise<void> {
  let cause: Error | undefined;
  const onError = (error: Error): void => {
    cause ??= error;
  };
  client.on("error", onError);
  try {
    await client.connect();
  } catch (error) {
    throw cause ?? error;
  } finally {
    client.removeListener("error", onError);
  }
}

/** Closes a client the store created: QUIT when connected (pending replies arrive first), else just stop reconnecting. */
export async function closeClient(client: RespClient): Promise<void> {
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // The connection went away meanwhile; disconnecting below still stops reconnection.
    }
  }
  client.disconnect();
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
