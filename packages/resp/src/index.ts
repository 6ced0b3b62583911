export { RespStore, type RespStoreOptions } from "./store.js";
export type { RespConnectionOptions } from "./connection.js";
export { isConnectionFailure } from "./faults.js";
export { COLLECTION_SEPARATOR, RespV1CollectionSanitizationStrategy } from "./sanitization.js";
export type {
  RespBatchCommands,
  RespClient,
  RespClientOptions,
  RespCluster,
  RespClusterOptions,
  RespCommands,
  RespDriver,
  RespNodeAddress,
  RespPipeline,
} from "./client.js";
