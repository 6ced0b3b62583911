export { ValkeyStore, type ValkeyStoreOptions } from "./store.js";
export { RespV1CollectionSanitizationStrategy as ValkeyV1CollectionSanitizationStrategy } from "@kv/resp";
