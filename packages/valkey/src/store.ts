import { RespStore, type RespStoreOptions } from "@kv/resp";
import { Cluster, Valkey } from "iovalkey";

/** Connection settings (`url`, `host`, `port`, `db`, `username`, `password`, `clusterNodes`) or an iovalkey `client`, plus the common store options. */
export type ValkeyStoreOptions = RespStoreOptions<Valkey | Cluster>;

/** A @kv store on Valkey through iovalkey, standalone or cluster. The behaviour lives in @kv/resp. */
export class ValkeyStore extends RespStore<Valkey | Cluster> {
  constructor(options: ValkeyStoreOptions = {}) {
    super(options, { Redis: Valkey, Cluster });
  }
}
