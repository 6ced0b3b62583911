import { odata, TableClient, type TransactionAction } from "@azure/data-tables";
import { AzureTablesStore } from "@kv/azure-tables";
import type { JsonObject } from "@kv/core";
import { startLocal } from "@kv/test-servers/servers";
import { compare, kvContender, type Contender } from "./compare.js";

const RAW_TABLE = "rawkv";
const PARTITION = "default_collection";
/** Azure Tables allows 15 comparisons in a filter; the store asks for 14 keys per query. */
const KEYS_PER_QUERY = 14;

/** The SDK making the calls AzureTablesStore makes: point reads and upserts, one transaction per 100 writes, filtered queries of 14 keys at once. */
async function rawContender(connectionString: string): Promise<Contender> {
  const client = TableClient.fromConnectionString(connectionString, RAW_TABLE, { allowInsecureConnection: true });
  await client.createTable();
  const entity = (key: string, value: JsonObject) => ({ partitionKey: PARTITION, rowKey: key, value: JSON.stringify(value) });
  const query = async (keys: string[]): Promise<Map<string, unknown>> => {
    const found = new Map<string, unknown>();
    const filter = keys.map((key) => odata`RowKey eq ${key}`).join(" or ");
    for await (const row of client.listEntities<{ value: string }>({ queryOptions: { filter: `${odata`PartitionKey eq ${PARTITION}`} and (${filter})` } })) {
      found.set(row.rowKey!, JSON.parse(row.value));
    }
    return found;
  };
  return {
    name: "raw SDK",
    get: async (key) => {
      const row = await client.getEntity<{ value: string }>(PARTITION, key).catch(() => undefined);
      return row === undefined ? undefined : JSON.parse(row.value);
    },
    put: (key, value) => client.upsertEntity(entity(key, value), "Replace"),
    getMany: async (keys) => {
      const chunks = Array.from({ length: Math.ceil(keys.length / KEYS_PER_QUERY) }, (_, index) => keys.slice(index * KEYS_PER_QUERY, (index + 1) * KEYS_PER_QUERY));
      const found = new Map((await Promise.all(chunks.map(query))).flatMap((map) => [...map]));
      return keys.map((key) => found.get(key));
    },
    putMany: (entries) => client.submitTransaction(entries.map(([key, value]): TransactionAction => ["upsert", entity(key, value), "Replace"])),
  };
}

/** AzureTablesStore against the raw SDK on an Azurite of its own (Keyv has no Azure Tables adapter). */
export async function benchAzureTables(): Promise<string[]> {
  const server = await startLocal({ kind: "azure-tables" });
  const store = AzureTablesStore.fromConnectionString(server.url, { tableName: "kvbench" });
  try {
    return await compare(
      "AzureTablesStore (Azurite on 127.0.0.1)",
      kvContender("AzureTablesStore", store),
      [await rawContender(server.url)],
      [
        { operation: "getMany", peer: "raw SDK", atLeast: 0.85 },
        { operation: "putMany", peer: "raw SDK", atLeast: 0.85 },
      ],
      { inFlight: 8 },
    );
  } finally {
    await store.close();
    await server.shutdown();
  }
}
