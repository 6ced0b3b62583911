import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { AzureTablesStore } from "../src/index.js";

describeWithServer({ kind: "azure-tables" }, "AzureTablesStore (Azurite)", (server) =>
  describeConformance({
    name: "AzureTablesStore",
    capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
    persistent: true,
    // An ASCII envelope of N bytes takes 2N bytes of the 1 MiB entity (Azure counts strings in UTF-16).
    limits: { maxEntryBytes: 512 * 1024 },
    createStore: () => AzureTablesStore.fromConnectionString(server().url, { tableName: "kvconformance" }),
    createForeignStore: () => AzureTablesStore.fromConnectionString(server().url, { tableName: "kvforeign" }),
  }),
);
