import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { MemcachedStore } from "../src/index.js";

const limits = { maxEntryBytes: 1_048_576 };

describeWithServer({ kind: "memcached" }, "memcached", (server) => {
  describeConformance({
    name: "MemcachedStore",
    createStore: () => new MemcachedStore({ servers: server().url }),
    capabilities: [],
    persistent: true,
    limits,
  });
});

// flush_all empties the whole server: this suite gets one of its own, never a shared one.
describeWithServer({ kind: "memcached", controllable: true }, "memcached (own server)", (server) => {
  describeConformance({
    name: "MemcachedStore (destroyFlushesServer)",
    createStore: () => new MemcachedStore({ servers: server().url, destroyFlushesServer: true }),
    capabilities: ["destroy"],
    persistent: true,
    limits,
  });
});
