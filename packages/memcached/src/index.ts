export { MemcachedStore, type MemcachedStoreConstructor, type MemcachedStoreOptions } from "./store.js";
export { MemcachedKeySanitizationStrategy, MemcachedV1KeySanitizationStrategy } from "./sanitization.js";
