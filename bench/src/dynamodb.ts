import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import KeyvDynamo from "@keyv/dynamo";
import type { JsonObject } from "@kv/core";
import { DynamoDBStore } from "@kv/dynamodb";
import { startLocal } from "@kv/test-servers/servers";
import Keyv from "keyv";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

const RAW_TABLE = "raw_kv";
const COLLECTION = "default_collection";
const CONNECTION = { region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } };

/** The SDK making the calls DynamoDBStore makes: GetItem/PutItem, BatchGetItem of 100, BatchWriteItem of 25 sent at once. */
async function rawContender(client: DynamoDBClient): Promise<Contender> {
  await client.send(
    new CreateTableCommand({
      TableName: RAW_TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "collection", AttributeType: "S" },
        { AttributeName: "key", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "collection", KeyType: "HASH" },
        { AttributeName: "key", KeyType: "RANGE" },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: RAW_TABLE });
  const item = (key: string, value: JsonObject) => ({ collection: { S: COLLECTION }, key: { S: key }, value: { S: JSON.stringify(value) } });
  const keyOf = (key: string) => ({ collection: { S: COLLECTION }, key: { S: key } });
  return {
    name: "raw SDK",
    get: async (key) => {
      const { Item } = await client.send(new GetItemCommand({ TableName: RAW_TABLE, Key: keyOf(key), ConsistentRead: true }));
      return Item?.value?.S === undefined ? undefined : JSON.parse(Item.value.S);
    },
    put: (key, value) => client.send(new PutItemCommand({ TableName: RAW_TABLE, Item: item(key, value) })),
    getMany: async (keys) => {
      const { Responses } = await client.send(
        new BatchGetItemCommand({ RequestItems: { [RAW_TABLE]: { Keys: keys.map(keyOf), ConsistentRead: true } } }),
      );
      const found = new Map((Responses?.[RAW_TABLE] ?? []).map((row) => [row.key!.S!, JSON.parse(row.value!.S!) as unknown]));
      return keys.map((key) => found.get(key));
    },
    putMany: (entries) => {
      const chunks = Array.from({ length: Math.ceil(entries.length / 25) }, (_, index) => entries.slice(index * 25, index * 25 + 25));
      return Promise.all(
        chunks.map((chunk) =>
          client.send(new BatchWriteItemCommand({ RequestItems: { [RAW_TABLE]: chunk.map(([key, value]) => ({ PutRequest: { Item: item(key, value) } })) } })),
        ),
      );
    },
  };
}

/** DynamoDBStore against the raw SDK and @keyv/dynamo on a dynalite of its own. */
export async function benchDynamoDB(): Promise<string[]> {
  const server = await startLocal({ kind: "dynamodb" });
  const store = new DynamoDBStore({ tableName: "kv_bench", endpoint: server.url, ...CONNECTION });
  const client = new DynamoDBClient({ endpoint: server.url, ...CONNECTION });
  const keyv = new Keyv<JsonObject>({ store: new KeyvDynamo({ tableName: "keyv_bench", endpoint: server.url, ...CONNECTION }), namespace: "keyv" });
  try {
    return await compare(
      "DynamoDBStore (dynalite on 127.0.0.1)",
      kvContender("DynamoDBStore", store),
      [await rawContender(client), keyvContender("@keyv/dynamo", keyv)],
      [
        { operation: "getMany", peer: "raw SDK", atLeast: 0.85 },
        { operation: "putMany", peer: "raw SDK", atLeast: 0.85 },
      ],
      { inFlight: 8 },
    );
  } finally {
    await store.close();
    client.destroy();
    await keyv.disconnect();
    await server.shutdown();
  }
}
