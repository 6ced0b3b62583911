import { describeConformance } from "@kv/core/conformance";
import { describeWithServer } from "@kv/test-servers";
import { RedisStore } from "../src/index.js";

for (const cluster of [false, true]) {
  const name = `RedisStore (${cluster ? "3-master cluster" : "standalone"})`;
  describeWithServer({ kind: "redis", cluster }, name, (server) =>
    describeConformance({
      name,
      capabilities: ["keys", "destroy"],
      persistent: true,
      createStore: () => new RedisStore(cluster ? { clusterNodes: server().nodes } : { url: server().url }),
    }),
  );
}
