export { DEFAULT_BATCH_SIZE, KeyValueKVStore, type KeyValueKVStoreOptions, type PutAllOptions } from "./kv-store.js";
