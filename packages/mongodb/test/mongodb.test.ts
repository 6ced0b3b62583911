import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, StoreConnectionError, type JsonObject } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import { MongoClient, ObjectId, type CommandStartedEvent } from "mongodb";
import { MongoDBStore, type MongoDBStoreOptions } from "../src/index.js";

const unique = (label: string): string => `${label}_${randomUUID().replaceAll("-", "").slice(0, 10)}`;

describe("MongoDBStore options", () => {
  it("needs a url or a client, and a non-empty dbName", () => {
    expect(() => new MongoDBStore()).toThrow(InvalidArgumentError);
    expect(() => new MongoDBStore({ url: "mongodb://127.0.0.1:1/", dbName: "" })).toThrow(InvalidArgumentError);
  });
});

describeWithServer({ kind: "mongodb" }, "MongoDBStore", (server) => {
  let admin: MongoClient;
  const stores: MongoDBStore[] = [];
  const clients: MongoClient[] = [];

  const openStore = (options: Partial<MongoDBStoreOptions> = {}): MongoDBStore => {
    const store = new MongoDBStore({ url: server().url, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    admin = new MongoClient(server().url, { serverSelectionTimeoutMS: 5_000 });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((store) => store.close()));
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await admin.close();
  });

  describe("py-key-value layout", () => {
    it("writes {key, collection, version, value: {object}, created_at, expires_at} with BSON dates", async () => {
      const dbName = unique("shape");
      const store = openStore({ dbName });
      const before = Date.now();
      await store.put("alice", { name: "Alice", tags: ["a", "b"] }, { collection: "users", ttl: 60 });
      await store.putMany([["bob", { name: "Bob" }]], { collection: "users" });
      const documents = await admin.db(dbName).collection("users").find({}, { projection: { _id: 0 } }).sort({ key: 1 }).toArray();
      expect(documents).toHaveLength(2);
      const [alice, bob] = documents as JsonObject[] as Record<string, unknown>[];
      expect(alice).toMatchObject({ key: "alice", collection: "users", version: 1, value: { object: { name: "Alice", tags: ["a", "b"] } } });
      expect(alice!.created_at).toBeInstanceOf(Date);
      expect(alice!.expires_at).toBeInstanceOf(Date);
      const created = (alice!.created_at as Date).getTime();
      expect(created).toBeGreaterThanOrEqual(before - 1_000);
      expect((alice!.expires_at as Date).getTime() - created).toBeCloseTo(60_000, -3);
      expect(bob).toMatchObject({ key: "bob", collection: "users", version: 1, value: { object: { name: "Bob" } } });
      expect(bob!.created_at).toBeInstanceOf(Date);
      expect("expires_at" in bob!).toBe(false);
    });

    it("creates the key index; the TTL index exists exactly where the server has TTL indexes (none on FerretDB), and the store works either way", async () => {
      const dbName = unique("index");
      const store = openStore({ dbName });
      await store.put("k", { v: 1 }, { collection: "c", ttl: 1 });
      const indexes = await admin.db(dbName).collection("c").listIndexes().toArray();
      expect(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ key: 1 }))).toBe(true);
      const ttl = indexes.filter((index) => index.expireAfterSeconds !== undefined);
      expect(ttl.length > 0).toBe(store.hasTtlIndexes);
      if (server().source === "local") expect(store.hasTtlIndexes).toBe(false);
      await expect(store.get("k", { collection: "c" })).resolves.toEqual({ v: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(store.get("k", { collection: "c" })).resolves.toBeUndefined();
      await store.cull();
      expect(await admin.db(dbName).collection("c").countDocuments({})).toBe(0);
    });

    it("reads documents py-key-value wrote (ObjectId _id), and replaces them on write without leaving duplicates", async () => {
      const dbName = unique("py");
      const collection = admin.db(dbName).collection("users");
      const now = new Date();
      await collection.insertMany([
        { _id: new ObjectId(), key: "alice", collection: "users", version: 1, value: { object: { name: "Alice", n: 1.5 } }, created_at: now, expires_at: new Date(now.getTime() + 3_600_000) },
        { _id: new ObjectId(), key: "bob", collection: "users", version: 1, value: { object: { name: "Bob" } }, created_at: now },
        { _id: new ObjectId(), key: "gone", collection: "users", version: 1, value: { object: { name: "Gone" } }, created_at: new Date(now.getTime() - 2_000), expires_at: new Date(now.getTime() - 1_000) },
      ]);
      const store = openStore({ dbName, autoCreate: false });
      const alice = await store.ttl("alice", { collection: "users" });
      expect(alice?.value).toEqual({ name: "Alice", n: 1.5 });
      expect(alice?.ttl).toBeGreaterThan(3_590);
      await expect(store.ttl("bob", { collection: "users" })).resolves.toEqual({ value: { name: "Bob" }, ttl: undefined });
      await expect(store.get("gone", { collection: "users" })).resolves.toBeUndefined();
      const keys: string[] = [];
      for await (const key of store.keys({ collection: "users" })) keys.push(key);
      expect(keys.sort()).toEqual(["alice", "bob"]);
      await store.put("bob", { name: "Bobby" }, { collection: "users" });
      expect(await collection.countDocuments({ key: "bob" })).toBe(1);
      await expect(store.get("bob", { collection: "users" })).resolves.toEqual({ name: "Bobby" });
    });

    it("stores values FerretDB cannot hold as documents as JSON text in value.json, and reads them back", async () => {
      const dbName = unique("json");
      const store = openStore({ dbName });
      const odd = { nested: [[1, 2], [3]], "a.b": 1, $dollar: true };
      await store.put("odd", odd);
      await expect(store.get("odd")).resolves.toEqual(odd);
      const [document] = await admin.db(dbName).collection("default_collection").find({ key: "odd" }).toArray();
      expect(typeof (document!.value as { json?: unknown }).json).toBe("string");
    });
  });

  describe("batches", () => {
    it("putMany is one ordered bulkWrite per 50 entries (1 delete + 2 update commands for 100), also when overwriting; getMany one find", async () => {
      const client = new MongoClient(server().url, { monitorCommands: true });
      clients.push(client);
      const commands: string[] = [];
      client.on("commandStarted", (event: CommandStartedEvent) => commands.push(event.commandName));
      const store = openStore({ client, dbName: unique("batch") });
      await store.setup();
      await store.put("warm", { v: 0 });
      const entries = Array.from({ length: 100 }, (_, index) => [`key-${index}`, { index }] as [string, JsonObject]);
      commands.length = 0;
      await store.putMany(entries);
      expect(commands).toEqual(["delete", "update", "update"]);
      // Overwriting 100 existing documents (one update command of them never returns on FerretDB 1.24).
      commands.length = 0;
      await store.putMany(entries);
      expect(commands).toEqual(["delete", "update", "update"]);
      commands.length = 0;
      await expect(store.getMany(entries.map(([key]) => key))).resolves.toEqual(entries.map(([, value]) => value));
      expect(commands).toEqual(["find"]);
      commands.length = 0;
      await expect(store.deleteMany(entries.map(([key]) => key))).resolves.toBe(100);
      expect(commands).toEqual(["delete"]);
      await store.close();
      // The caller's client stays open.
      await expect(client.db("admin").command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    });
  });
});

describeWithServer({ kind: "mongodb", controllable: true }, "MongoDBStore through an outage", (server) => {
  it("reports StoreConnectionError in bounded time while the server is down, and the same store works once it is back", async () => {
    await using store = new MongoDBStore({ url: server().url, dbName: "kv_outage" });
    await store.put("k", { v: 1 });
    await server().interrupt();
    try {
      // Each operation gives up after the store's 5 s server selection timeout, not the driver's 30 s.
      const bounded = async (operation: () => Promise<unknown>): Promise<void> => {
        const started = Date.now();
        await expect(operation()).rejects.toBeInstanceOf(StoreConnectionError);
        expect(Date.now() - started).toBeLessThan(10_000);
      };
      await bounded(() => store.get("k"));
      await bounded(() => store.putMany([["k2", { v: 2 }]]));
    } finally {
      await server().resume();
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await store.put("k3", { v: 3 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    await expect(store.getMany(["k", "k3"])).resolves.toEqual([{ v: 1 }, { v: 3 }]);
  }, 60_000);
});
