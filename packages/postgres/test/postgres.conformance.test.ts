import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { PostgresStore } from "../src/index.js";

describeWithServer({ kind: "postgres" }, "PostgresStore", (server) =>
  describeConformance({
    name: "PostgresStore",
    capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
    persistent: true,
    createStore: () => new PostgresStore({ connectionString: server().url }),
    createForeignStore: () => new PostgresStore({ connectionString: server().url, tableName: "kv_foreign" }),
  }),
);
