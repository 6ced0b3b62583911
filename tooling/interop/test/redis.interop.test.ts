import { RedisStore } from "@kv/redis";
import { describeWithServer } from "@kv/test-servers";
import { describeInterop } from "./scenario.js";
import { RESP_COLLECTIONS, RESP_KEYS } from "./names.js";

describeWithServer({ kind: "redis" }, "Redis", (server) =>
  describeInterop({
    name: "RedisStore and py-key-value's RedisStore",
    python: () => ({ backend: "redis", options: { url: server().url } }),
    createStore: () => new RedisStore({ url: server().url }),
    keys: RESP_KEYS,
    collections: RESP_COLLECTIONS,
  }),
);
