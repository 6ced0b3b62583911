import { AcceptOrMapStrategy, HybridSanitizationStrategy } from "@kv/core";

/** Joins collection and key in a Redis key name: `collection::key`. */
export const COLLECTION_SEPARATOR = "::";

/**
 * The default collection strategy of RedisStore and ValkeyStore: every
 * collection stays as it is (Redis key names are binary-safe), except one
 * containing `::` (it would blur where the collection ends) or looking mapped
 * (`H_…`, `S_…`): those become `S_{name}-{16 hex digits of SHA-256}`.
 */
export class RespV1CollectionSanitizationStrategy extends AcceptOrMapStrategy {
  constructor() {
    super({
      accepts: (collection) => !collection.includes(COLLECTION_SEPARATOR),
      mapper: new HybridSanitizationStrategy({ hashFragmentMode: "always", hashFragmentLength: 16 }),
    });
  }
}
