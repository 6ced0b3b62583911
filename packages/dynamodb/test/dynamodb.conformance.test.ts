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

describeWithServer({ kind: "moto" }, "DynamoDBStore (moto)", (server) =>
  describeConformance({
    name: "DynamoDBStore (moto)",
    capabilities: ["keys", "destroyCollection", "destroy", "cull"],
    persistent: true,
    // moto counts item size more strictly than DynamoDB and dynalite (it refuses items from about 405,000 bytes), so its
    // refusals exercise the path where the server, not the store, says the item is too large.
    limits: { maxEntryBytes: 405_500 },
    createStore: () => new DynamoDBStore({ tableName: "kv-conformance", endpoint: server().url, credentials }),
    createForeignStore: () => new DynamoDBStore({ tableName: "kv-foreign", endpoint: server().url, credentials }),
  }),
);
