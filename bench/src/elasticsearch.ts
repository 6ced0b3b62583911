import { Client } from "@elastic/elasticsearch";
import type { JsonObject } from "@kv/core";
import { ElasticsearchStore } from "@kv/elasticsearch";
import { startLocal } from "@kv/test-servers/servers";
import { compare, kvContender, type Contender } from "./compare.js";

const RAW_INDEX = "raw_kv";

/** The client making the calls ElasticsearchStore makes: `mget` for reads, `_bulk` with refresh for writes. */
function rawContender(client: Client): Contender {
  const read = async (keys: string[]): Promise<unknown[]> => {
    const { docs } = await client.mget<{ value: JsonObject }>({ index: RAW_INDEX, ids: keys });
    return docs.map((doc) => ("found" in doc && doc.found ? doc._source?.value : undefined));
  };
  const write = (entries: [string, JsonObject][]): Promise<unknown> =>
    client.bulk({ refresh: true, operations: entries.flatMap(([key, value]) => [{ index: { _index: RAW_INDEX, _id: key } }, { value }]) });
  return {
    name: "raw client",
    get: async (key) => (await read([key]))[0],
    put: (key, value) => write([[key, value]]),
    getMany: read,
    putMany: write,
  };
}

/** ElasticsearchStore against the raw client on an Elasticsearch of its own (Keyv has no Elasticsearch adapter). */
export async function benchElasticsearch(): Promise<string[]> {
  const server = await startLocal({ kind: "elasticsearch" });
  const store = new ElasticsearchStore({ url: server.url, indexPrefix: "kvbench" });
  const client = new Client({ node: server.url });
  await client.indices.create({ index: RAW_INDEX, mappings: { properties: { value: { type: "flattened" } } } });
  try {
    return await compare(
      "ElasticsearchStore (Elasticsearch 8.19 on 127.0.0.1)",
      kvContender("ElasticsearchStore", store),
      [rawContender(client)],
      [
        { operation: "getMany", peer: "raw client", atLeast: 0.85 },
        { operation: "putMany", peer: "raw client", atLeast: 0.85 },
      ],
      { inFlight: 8 },
    );
  } finally {
    await store.close();
    await client.close();
    await server.shutdown();
  }
}
