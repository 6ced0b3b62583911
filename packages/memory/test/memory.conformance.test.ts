import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "../src/index.js";

describeConformance({
  name: "MemoryStore",
  createStore: () => new MemoryStore(),
  capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
  persistent: false,
});

describeConformance({
  name: "MemoryStore (bounded)",
  createStore: () => new MemoryStore({ maxEntriesPerCollection: 5_000 }),
  capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
  persistent: false,
});
