import { expect, it } from "@jest/globals";
import { MemcachedStore, MemcachedV1KeySanitizationStrategy } from "@kv/memcached";
import { describeWithPyKeyValue, describeWithServer, type TestServer } from "@kv/test-servers";
import { MEMCACHED_COLLECTIONS, MEMCACHED_KEYS } from "./names.js";
import { runPyKeyValue, type PyStore } from "./pykv.js";
import { describeInterop } from "./scenario.js";

const python = (server: TestServer, keySanitization?: string): PyStore => ({
  backend: "memcached",
  options: { host: server.host, port: server.port },
  keySanitization,
});

describeWithServer({ kind: "memcached" }, "Memcached", (server) => {
  describeInterop({
    name: "MemcachedStore and py-key-value's MemcachedStore",
    python: () => python(server()),
    createStore: () => new MemcachedStore({ servers: server().url }),
    keys: MEMCACHED_KEYS,
    collections: MEMCACHED_COLLECTIONS,
  });

  // py-key-value's defaults cannot store `collection::key` over 250 bytes; its docs recommend this strategy, which @kv ports.
  describeWithPyKeyValue("MemcachedV1KeySanitizationStrategy on both sides", () => {
    it("hashes `collection::key` over 240 characters to the same H_ name on both sides", async () => {
      const store = new MemcachedStore({ servers: server().url, keySanitizationStrategy: new MemcachedV1KeySanitizationStrategy() });
      const [pyKey, kvKey] = ["p".repeat(300), "é".repeat(250)];
      try {
        await runPyKeyValue(python(server(), "MemcachedV1KeySanitizationStrategy"), [{ op: "put", collection: "v1", key: pyKey, value: { by: "py" }, ttl: 600 }]);
        expect(await store.ttl(pyKey, { collection: "v1" })).toEqual({ value: { by: "py" }, ttl: expect.any(Number) });
        await store.put(kvKey, { by: "kv" }, { collection: "v1" });
        const results = await runPyKeyValue(python(server(), "MemcachedV1KeySanitizationStrategy"), [{ op: "get", collection: "v1", key: kvKey }]);
        expect(results).toEqual([{ value: { by: "kv" }, ttl: null }]);
      } finally {
        await store.close();
      }
    });
  });
});
