import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { ValkeyStore } from "../src/index.js";

for (const cluster of [false, true]) {
  const name = `ValkeyStore (${cluster ? "3-master cluster" : "standalone"})`;
  describeWithServer({ kind: "valkey", cluster }, name, (server) =>
    describeConformance({
      name,
      capabilities: ["keys", "destroy"],
      persistent: true,
      createStore: () => new ValkeyStore(cluster ? { clusterNodes: server().nodes } : { url: server().url }),
    }),
  );
}
