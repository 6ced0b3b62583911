/**
 * Unusual names each backend holds as they are. py-key-value writes them
 * unchanged (its default strategies pass everything through), so @kv's default
 * strategies must keep them too, or each side would miss the other's entries.
 */

/** Keys with separators, Unicode, path and URL characters, quotes: memcached holds them (no whitespace), as do the servers below. */
const PRINTABLE = ["key::with::colons", "ünïcödé-日本語-🎉", "path/to/../key", "question?hash#percent%", "quote'double\"back\\slash", "user@example.com"];
const WITH_WHITESPACE = ["hello world", "tab\tand\nnewline"];

/** Redis and Valkey: any key; any collection without `::` (which would blur where the collection ends in `collection::key`). */
export const RESP_KEYS = [...PRINTABLE, ...WITH_WHITESPACE];
export const RESP_COLLECTIONS = ["tenant:42/orders é", "Mixed Case"];

/** Memcached: `collection::key` of at most 250 bytes without whitespace or control characters. */
export const MEMCACHED_KEYS = PRINTABLE;
export const MEMCACHED_COLLECTIONS = ["tenant:42/orders-é", "Mixed_Case"];

/** Servers that keep collection and key as separate fields (PostgreSQL, DynamoDB): anything. */
export const FIELD_KEYS = [...PRINTABLE, ...WITH_WHITESPACE];
export const FIELD_COLLECTIONS = ["tenant:42/orders é", "Mixed Case", "a::b", "user@example.com"];

/** MongoDB: keys are fields; collections are Mongo collection names (no `$`, NUL or leading `system.`). */
export const MONGODB_KEYS = FIELD_KEYS;
export const MONGODB_COLLECTIONS = ["tenant:42/orders é", "Mixed Case", "a::b", "user@example.com"];

/** FileTree: file and directory names. */
export const FILETREE_KEYS = ["user.name-1", "Mixed_Case-2.v1", "_leading_underscore", "0123", "hello world", "user@example.com", "ünïcödé", "a+b=c,d", "it's"];
export const FILETREE_COLLECTIONS = ["orders-2026.q1", "Mixed_Case", "hello world", "tenant@42"];

/** Elasticsearch: any document id up to 512 bytes; collections that are lowercase index names (no `\ / * ? " < > | , # :` or spaces). */
export const ELASTICSEARCH_KEYS = [...PRINTABLE, ...WITH_WHITESPACE];
export const ELASTICSEARCH_COLLECTIONS = ["orders-2026.q1", "tenant@42", "café", "user+tag"];
