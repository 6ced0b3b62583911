import { RespStore, type RespStoreOptions } from "@kv/resp";
import { Cluster, Redis } from "ioredis";

/** Connection settings (`url`, `host`, `port`, `db`, `username`, `password`, `clusterNodes`) or an ioredis `client`, plus the common store options. */
export type RedisStoreOptions = RespStoreOptions<Redis | Cluster>;

/** A @kv store on Redis through ioredis, standalone or cluster. The behaviour lives in @kv/resp. */
export class RedisStore extends RespStore<Redis | Cluster> {
  constructor(options: RedisStoreOptions = {}) {
    super(options, { Redis, Cluster });
  }
}
