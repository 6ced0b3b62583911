import KeyvMongo from "@keyv/mongo";
import type { JsonObject } from "@kv/core";
import { MongoDBStore } from "@kv/mongodb";
import { startLocal } from "@kv/test-servers/servers";
import Keyv from "keyv";
import { MongoClient, type AnyBulkWriteOperation } from "mongodb";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

/**
 * The driver making the calls MongoDBStore makes, on a collection with the same index on `key`:
 * `find` with `$in` for reads, upserting `bulkWrite`s of 50 by `_id` for writes.
 */
async function rawContender(client: MongoClient): Promise<Contender> {
  const collection = client.db("raw_kv").collection<{ _id: string; key: string; value: JsonObject; created_at: Date }>("default_collection");
  await collection.createIndex("key");
  const read = async (keys: string[]): Promise<unknown[]> => {
    const documents = await collection.find({ key: { $in: keys } }, { projection: { _id: 0 } }).toArray();
    const byKey = new Map(documents.map((document) => [document.key, document.value]));
    return keys.map((key) => byKey.get(key));
  };
  const write = async (entries: [string, JsonObject][]): Promise<void> => {
    const operations: AnyBulkWriteOperation<{ _id: string; key: string; value: JsonObject; created_at: Date }>[] = entries.map(([key, value]) => ({
      replaceOne: { filter: { _id: key }, replacement: { key, value, created_at: new Date() }, upsert: true },
    }));
    for (let start = 0; start < operations.length; start += 50) await collection.bulkWrite(operations.slice(start, start + 50), { ordered: true });
  };
  return {
    name: "raw driver",
    get: async (key) => (await read([key]))[0],
    put: (key, value) => write([[key, value]]),
    getMany: read,
    putMany: write,
  };
}

/**
 * @keyv/mongo on FerretDB: its connect promise never settles there, because FerretDB refuses the
 * TTL index it creates (code 238) and it only emits the error. It gets its collection with the
 * unique key index it also creates, and no TTL index, which reads and writes do not use.
 */
async function keyvMongo(url: string): Promise<KeyvMongo> {
  const keyvStore = new KeyvMongo(url, { db: "keyvbench" });
  keyvStore.on("error", () => undefined);
  const mongoClient = new MongoClient(url);
  const store = mongoClient.db("keyvbench").collection("keyv");
  await store.createIndex({ key: 1 }, { unique: true });
  // Driver 6's client where @keyv/mongo has 7's: the calls it makes are the same in both.
  keyvStore.connect = Promise.resolve({ store, mongoClient } as unknown as Awaited<KeyvMongo["connect"]>);
  return keyvStore;
}

/** MongoDBStore against the driver making the same calls and against @keyv/mongo, on a FerretDB of its own (Mongo with Docker). */
export async function benchMongoDB(): Promise<string[]> {
  const server = await startLocal({ kind: "mongodb" });
  const store = new MongoDBStore({ url: server.url, dbName: "kvbench" });
  const client = new MongoClient(server.url);
  const keyv = new Keyv<JsonObject>({ store: await keyvMongo(server.url), namespace: "keyv" });
  try {
    return await compare(
      "MongoDBStore (FerretDB 1.24 on SQLite, 127.0.0.1)",
      kvContender("MongoDBStore", store),
      [await rawContender(client), keyvContender("@keyv/mongo", keyv)],
      [
        { operation: "getMany", peer: "raw driver", atLeast: 0.85 },
        { operation: "putMany", peer: "raw driver", atLeast: 0.85 },
      ],
      { inFlight: 8 },
    );
  } finally {
    await store.close();
    await client.close();
    await keyv.disconnect();
    await server.shutdown();
  }
}
