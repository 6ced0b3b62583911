export { TypedAdapter, type TypedAdapterOptions, type TypedGetOptions, type TypedTtlResult } from "./typed-adapter.js";
export { RaiseOnMissingAdapter, type RaiseOnMissingOptions } from "./raise-on-missing-adapter.js";
export { detectItemsWrapping, type ItemsWrapping } from "./items-wrapping.js";
export type { StandardJSONSchemaV1, StandardSchemaV1 } from "./standard-schema.js";
