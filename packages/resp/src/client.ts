/**
 * The part of the ioredis API that RespStore uses, written structurally so that
 * ioredis and its fork iovalkey (and their `Cluster` classes) both satisfy it
 * without @kv/resp depending on either.
 */

/** The commands a batch queues; on a pipeline each returns the pipeline, on a client a promise. */
export interface RespBatchCommands {
  mget(keys: string[]): unknown;
  mset(...keyValues: string[]): unknown;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number): unknown;
  del(keys: string[]): unknown;
}

export interface RespPipeline extends RespBatchCommands {
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/** One connection: a standalone client, or one node of a cluster. */
export interface RespCommands extends RespBatchCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number): Promise<unknown>;
  mget(keys: string[]): Promise<(string | null)[]>;
  mset(...keyValues: string[]): Promise<unknown>;
  del(keys: string[]): Promise<number>;
  scan(cursor: string, patternToken: "MATCH", pattern: string, countToken: "COUNT", count: number): Promise<[cursor: string, elements: string[]]>;
  pipeline(): RespPipeline;
}

/** A standalone or cluster client (`new Redis(...)` or `new Cluster(...)`). */
export interface RespClient extends RespCommands {
  readonly status: string;
  readonly isCluster: boolean;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  once(event: "ready", listener: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "ready", listener: () => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
}

/** What a `Cluster` adds: its slot table and its master connections. */
export interface RespCluster extends RespClient {
  /** Slot → node keys (`host:port`), master first. */
  readonly slots: string[][];
  nodes(role: "master"): RespCommands[];
}

export function isCluster(client: RespClient): client is RespCluster {
  return client.isCluster;
}

export interface RespNodeAddress {
  host: string;
  port: number;
}

/** Options RespStore passes to the driver's constructors: connection settings plus fault handling. */
export interface RespClientOptions {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  connectTimeout: number;
  commandTimeout: number;
  maxRetriesPerRequest: number;
  enableOfflineQueue: boolean;
  lazyConnect: boolean;
  retryStrategy: (attempt: number) => number;
}

export interface RespClusterOptions {
  enableOfflineQueue: boolean;
  lazyConnect: boolean;
  clusterRetryStrategy: (attempt: number) => number;
  slotsRefreshTimeout: number;
  redisOptions: Omit<RespClientOptions, "host" | "port" | "db" | "lazyConnect" | "retryStrategy" | "enableOfflineQueue">;
}

/** The driver's two classes: ioredis's `{ Redis, Cluster }` or iovalkey's. */
export interface RespDriver<Client extends RespClient> {
  Redis: {
    new (url: string, options: RespClientOptions): Client;
    new (options: RespClientOptions): Client;
  };
  Cluster: new (nodes: RespNodeAddress[], options: RespClusterOptions) => Client;
}
