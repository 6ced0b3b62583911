import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { DynamoDBStore, MAX_ITEM_BYTES } from "../src/index.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describeWithServer({ kind: "dynamodb" }, "DynamoDBStore (dynalite)", (server) =>
  describeConformance({
    name: "DynamoDBStore (dynalite)",
    capabilities: ["keys", "destroyCollection", "destroy", "cull"],
    persistent: true,
    limits: { maxEntryBytes: MAX_ITEM_BYTES },
    createStore: () => new DynamoDBStore({ tableName: "kv-conformance", endpoint: server().url, credentials }),
    createForeignStore: () => new DynamoDBStore({ tableName: "kv-foreign", endpoint: server().url, credentials }),
  }),
);
