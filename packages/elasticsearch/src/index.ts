export { ElasticsearchStore, type ElasticsearchStoreOptions } from "./store.js";
