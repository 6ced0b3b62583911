export { RedisStore, type RedisStoreOptions } from "./store.js";
export { RespV1CollectionSanitizationStrategy as RedisV1CollectionSanitizationStrategy } from "@kv/resp";
