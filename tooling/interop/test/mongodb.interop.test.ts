import { MongoDBStore } from "@kv/mongodb";
import { describeWithServer } from "@kv/test-servers";
import { MONGODB_COLLECTIONS, MONGODB_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

describeWithServer({ kind: "mongodb" }, "MongoDB (FerretDB)", (server) =>
  describeInterop({
    name: "MongoDBStore and py-key-value's MongoDBStore (database kv-store-adapter)",
    python: () => ({ backend: "mongodb", options: { url: server().url } }),
    createStore: () => new MongoDBStore({ url: server().url }),
    keys: MONGODB_KEYS,
    collections: MONGODB_COLLECTIONS,
    kvCreatesFirst: "FerretDB refuses the TTL index py-key-value adds to each collection it creates",
  }),
);
