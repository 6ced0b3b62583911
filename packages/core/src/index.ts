export * from "./types.js";
export * from "./errors.js";
export { assertJsonObject, cloneJsonObject, isPlainObject, isWellFormedString, parseJsonObject } from "./values.js";
export { assertValidLimit, assertValidName, assertValidTtl } from "./validation.js";
export { batched } from "./iteration.js";
export {
  ManagedEntry,
  formatTimestamp,
  parseTimestamp,
  parseEnvelope,
  serializeEnvelope,
  type EnvelopeNames,
  type ParsedEnvelope,
} from "./entry.js";
export * from "./sanitization.js";
export { redactError, redactText } from "./redaction.js";
export { BaseStore, type BackendDefaults, type BaseStoreOptions } from "./store.js";
export { NullStore } from "./null-store.js";
