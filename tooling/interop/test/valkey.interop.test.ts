import { describeWithServer } from "@kv/test-servers";
import { ValkeyStore } from "@kv/valkey";
import { RESP_COLLECTIONS, RESP_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

describeWithServer({ kind: "valkey" }, "Valkey", (server) =>
  describeInterop({
    name: "ValkeyStore and py-key-value's ValkeyStore (valkey-glide)",
    python: () => ({ backend: "valkey", options: { host: server().host, port: server().port } }),
    createStore: () => new ValkeyStore({ url: server().url }),
    keys: RESP_KEYS,
    collections: RESP_COLLECTIONS,
  }),
);
