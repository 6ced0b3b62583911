import KeyvMongo from "@keyv/mongo";
import type { JsonObject } from "@kv/core";
import { MongoDBStore } from "@kv/mongodb";
import { startLocal } from "@kv/test-servers/servers";
import Keyv from "keyv";
import { MongoClient, type AnyBulkWriteOperation } from "mongodb";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

/**
 * The driver making the calls MongoDBStore makes, on a collection with the same index on `key`:
 * `find` with `$in` for reads, upserting `bulkWrite`s of 50 by `_id` for writes, one write at a time.
 */
async function rawContender(client: MongoClient): Promise<Contender> {
  const collection = client.db("raw_kv").collection<{ _id: string; key: string; value: JsonObject; created_at: Date }>("default_collection");
  await collection.createIndex("key");
  const read = async (keys: string[]): Promise<unknown[]> => {
    const documents = await collection.find({ key: { $in: keys } }, { projection: { _id: 0 } }).toArray();
    const byKey = new Map(documents.map((document) => [document.key, document.value]));
    return keys.map((key) => byKey.get(key));
  };
  const writeNow = async (entries: [string, JsonObject][]): Promise<void> => {
    const operations: AnyBulkWriteOperation<{ _id: string; key: string; value: JsonObject; created_at: Date }>[] = entries.map(([key, value]) => ({
      replaceOne: { filter: { _id: key }, replacement: { key, value, created_at: new Date() }, upsert: true },
    }));
    for (let start = 0; start < operations.length; start += 50) await collection.bulkWrite(operations.slice(start, start + 50), { ordered: true });
  };
  // One write at a time, as MongoDBStore writes a collection: concurrent writes stall FerretDB's SQLite.
  let queue: Promise<unknown> = Promise.resolve();
  const write = (entries: [string, JsonObject][]): Promise<void> => {
    const written = queue.then(() => writeNow(entries));
    queue = written.catch(() => undefined);
    return written;
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
  // A FerretDB each: one contender's writes stalling its SQLite locks must not slow the others.
  const [storeServer, rawServer, keyvServer] = await Promise.all([0, 1, 2].map(() => startLocal({ kind: "mongodb" })));
  const store = new MongoDBStore({ url: storeServer!.url, dbName: "kvbench" });
  const client = new MongoClient(rawServer!.url);
  const keyv = new Keyv<JsonObject>({ store: await keyvMongo(keyvServer!.url), namespace: "keyv" });
  try {
    return await compare(
      "MongoDBStore (FerretDB 1.24 on SQLite, 127.0.0.1)",
      kvContender("MongoDBStore", store),
      [
        await rawContender(client),
        { ...keyvContender("@keyv/mongo", keyv), cannot: { putMany: "its one bulkWrite of 100 upserts never returns on FerretDB (which hangs replacing more than about 60 documents in one update)" } },
      ],
      [
        { operation: "getMany", peer: "raw driver", atLeast: 0.85 },
        { operation: "putMany", peer: "raw driver", atLeast: 0.85 },
      ],
      // FerretDB on SQLite scans a collection for every query on `key`: tens of milliseconds each.
      { inFlight: 8, minIterations: 8 },
    );
  } finally {
    await store.close();
    await client.close();
    await keyv.disconnect();
    await Promise.all([storeServer, rawServer, keyvServer].map((server) => server!.shutdown()));
  }
}
