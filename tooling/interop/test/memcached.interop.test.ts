import { MemcachedStore } from "@kv/memcached";
import { describeWithServer } from "@kv/test-servers";
import { MEMCACHED_COLLECTIONS, MEMCACHED_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

describeWithServer({ kind: "memcached" }, "Memcached", (server) =>
  describeInterop({
    name: "MemcachedStore and py-key-value's MemcachedStore",
    python: () => ({ backend: "memcached", options: { host: server().host, port: server().port } }),
    createStore: () => new MemcachedStore({ servers: server().url }),
    keys: MEMCACHED_KEYS,
    collections: MEMCACHED_COLLECTIONS,
  }),
);
