import { ElasticsearchStore } from "@kv/elasticsearch";
import { describeWithServer } from "@kv/test-servers";
import { ELASTICSEARCH_COLLECTIONS, ELASTICSEARCH_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

/** Both sides require a prefix; this is py-key-value's `DEFAULT_INDEX_PREFIX`. */
const INDEX_PREFIX = "kv_store";

describeWithServer({ kind: "elasticsearch" }, "Elasticsearch", (server) =>
  describeInterop({
    name: "ElasticsearchStore and py-key-value's ElasticsearchStore",
    python: () => ({ backend: "elasticsearch", options: { url: server().url, index_prefix: INDEX_PREFIX } }),
    createStore: () => new ElasticsearchStore({ url: server().url, indexPrefix: INDEX_PREFIX }),
    keys: ELASTICSEARCH_KEYS,
    collections: ELASTICSEARCH_COLLECTIONS,
  }),
);
