import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { MAX_DOCUMENT_BYTES, MongoDBStore } from "../src/index.js";

describeWithServer({ kind: "mongodb" }, "MongoDBStore", (server) =>
  describeConformance({
    name: "MongoDBStore",
    capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
    persistent: true,
    limits: { maxEntryBytes: MAX_DOCUMENT_BYTES },
    createStore: () => new MongoDBStore({ url: server().url }),
    createForeignStore: () => new MongoDBStore({ url: server().url, dbName: "kv-foreign" }),
  }),
);
