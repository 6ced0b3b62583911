export { LangGraphStore, type LangGraphStoreOptions, type LangGraphTtlConfig } from "./langgraph-store.js";
