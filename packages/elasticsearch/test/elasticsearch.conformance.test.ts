import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { ElasticsearchStore } from "../src/index.js";

describeWithServer({ kind: "elasticsearch" }, "ElasticsearchStore", (server) =>
  describeConformance({
    name: "ElasticsearchStore",
    capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
    persistent: true,
    createStore: () => new ElasticsearchStore({ url: server().url, indexPrefix: "kv_conformance" }),
    createForeignStore: () => new ElasticsearchStore({ url: server().url, indexPrefix: "kv_foreign" }),
  }),
);
