import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, StoreConnectionError, StoreSetupError, ValueTooLargeError } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStore } from "../src/index.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const TABLE = "kv-specific";

/** Items exactly as py-key-value-aio 0.4.6's DynamoDBStore wrote them (captured from a run). */
const PY_ITEMS: Record<string, AttributeValue>[] = [
  {
    collection: { S: "users" },
    key: { S: "alice" },
    value: { S: '{"collection": "users", "created_at": "2026-11-26T00:39:30.576710+00:00", "key": "alice", "value": {"n": [1, 2.5, null], "name": "Alice"}, "version": 1}' },
  },
  {
    collection: { S: "users" },
    key: { S: "bob" },
    value: { S: '{"collection": "users", "created_at": "2026-11-26T00:39:30.582948+00:00", "expires_at": "2099-11-26T01:39:30.582948+00:00", "key": "bob", "value": {"x": 1}, "version": 1}' },
    ttl: { N: "4099425570" },
  },
];

function newClient(url: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

/** Counts the commands a client sends, by name. */
function countCommands(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName!.replace(/Command$/, "");
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return counts;
}

/**
 * Makes the service leave the last `withheld` requests of a batch unprocessed, as
 * under throttling: once per command (the first BatchWriteItem and BatchGetItem), or always.
 */
function withholdItems(client: DynamoDBClient, always = false, withheld = 5): void {
  const done = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName!.replace(/Command$/, "");
      if (done.has(name) || (name !== "BatchWriteItem" && name !== "BatchGetItem")) return next(args);
      if (!always) done.add(name);
      if (name === "BatchWriteItem") {
        const input = args.input as BatchWriteItemCommandInput;
        const [table, requests] = Object.entries(input.RequestItems!)[0]!;
        const sent = requests.slice(0, -withheld);
        const output: BatchWriteItemCommandOutput =
          sent.length === 0 ? { $metadata: {} } : ((await next({ ...args, input: { RequestItems: { [table]: sent } } })).output as BatchWriteItemCommandOutput);
        return { output: { ...output, UnprocessedItems: { [table]: requests.slice(-withheld) } }, response: {} } as never;
      }
      const input = args.input as BatchGetItemCommandInput;
      const [table, request] = Object.entries(input.RequestItems!)[0]!;
      const keys = request.Keys!;
      const result = await next({ ...args, input: { RequestItems: { [table]: { ...request, Keys: keys.slice(0, -withheld) } } } });
      (result.output as BatchGetItemCommandOutput).UnprocessedKeys = { [table]: { ...request, Keys: keys.slice(-withheld) } };
      return result;
    },
    { step: "initialize", name: "withholdItems" },
  );
}

const entries = (count: number, prefix = "k") =>
  Array.from({ length: count }, (_, index) => [`${prefix}${index}`, { index, pad: "x".repeat(1000) }] as [string, { index: number; pad: string }]);

describe("DynamoDBStore options", () => {
  it.each([["too short", "ab"], ["a space", "has space"], ["too long", "a".repeat(256)], ["a slash", "bad/name"], ["empty", ""]])("refuses a table name that is %s", (_reason, tableName) => {
    expect(() => new DynamoDBStore({ tableName })).toThrow(InvalidArgumentError);
  });
});

describeWithServer({ kind: "dynamodb" }, "DynamoDBStore on dynalite", (server) => {
  let raw: DynamoDBClient;
  let store: DynamoDBStore;

  beforeAll(() => {
    raw = newClient(server().url);
    store = new DynamoDBStore({ tableName: TABLE, endpoint: server().url, credentials });
  });

  afterAll(async () => {
    await store.close();
    raw.destroy();
  });

  it("writes py-key-value's layout: collection, key, value (envelope), ttl (epoch seconds)", async () => {
    const before = Date.now();
    await store.put("alice", { name: "Alice" }, { collection: "users", ttl: 3600 });
    await store.put("forever", { v: 1 }, { collection: "users" });
    const { Item: item } = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { collection: { S: "users" }, key: { S: "alice" } } }));
    expect(Object.keys(item!).sort()).toEqual(["collection", "key", "ttl", "value"]);
    const envelope = JSON.parse(item!.value!.S!);
    expect(envelope).toMatchObject({ collection: "users", key: "alice", value: { name: "Alice" }, version: 1 });
    const ttl = Number(item!.ttl!.N);
    expect(ttl).toBe(Math.floor(Date.parse(envelope.expires_at) / 1000));
    expect(ttl).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 3600);
    expect(ttl).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
    const { Item: forever } = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { collection: { S: "users" }, key: { S: "forever" } } }));
    expect(forever!.ttl).toBeUndefined();
  });

  it("reads items written by py-key-value", async () => {
    await store.setup();
    for (const item of PY_ITEMS) await raw.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    await expect(store.get("alice", { collection: "users" })).resolves.toEqual({ name: "Alice", n: [1, 2.5, null] });
    const bob = await store.ttl("bob", { collection: "users" });
    expect(bob?.value).toEqual({ x: 1 });
    expect(bob?.ttl).toBeGreaterThan(1e9);
  });

  it("maps names over DynamoDB's key limits, and keys() yields the original", async () => {
    const key = "🔑".repeat(1000);
    const collection = "c".repeat(3000);
    await store.put(key, { long: true }, { collection });
    await expect(store.get(key, { collection })).resolves.toEqual({ long: true });
    const keys: string[] = [];
    for await (const found of store.keys({ collection })) keys.push(found);
    expect(keys).toEqual([key]);
  });

  it("refuses an item over 400 KB before sending it", async () => {
    const counts = countCommands(store.client);
    await expect(store.put("big", { blob: "€".repeat(140_000) })).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(counts.get("PutItem")).toBeUndefined();
  });

  it("sends putMany(60) as 3 BatchWriteItem and getMany(250) as 3 BatchGetItem", async () => {
    const client = newClient(server().url);
    const counts = countCommands(client);
    const batchStore = new DynamoDBStore({ tableName: TABLE, client });
    try {
      await batchStore.setup();
      await batchStore.putMany(entries(60), { collection: "chunks" });
      const keys = Array.from({ length: 250 }, (_, index) => `k${index}`);
      const values = await batchStore.getMany(keys, { collection: "chunks" });
      expect(values.filter(Boolean)).toHaveLength(60);
      expect(values[59]).toMatchObject({ index: 59 });
      expect(counts.get("BatchWriteItem")).toBe(3);
      expect(counts.get("BatchGetItem")).toBe(3);
      await expect(batchStore.deleteMany(keys, { collection: "chunks" })).resolves.toBe(60);
    } finally {
      await batchStore.close();
    }
    // A caller's client is never destroyed by the store.
    await expect(client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "#c = :c", ExpressionAttributeNames: { "#c": "collection" }, ExpressionAttributeValues: { ":c": { S: "chunks" } } }))).resolves.toMatchObject({ Count: 0 });
    client.destroy();
  });

  it("retries unprocessed items and keys", async () => {
    const client = newClient(server().url);
    const counts = countCommands(client);
    withholdItems(client);
    const batchStore = new DynamoDBStore({ tableName: TABLE, client });
    try {
      await batchStore.setup();
      await batchStore.putMany(entries(20, "u"), { collection: "unprocessed" });
      expect(counts.get("BatchWriteItem")).toBe(2);
      const values = await batchStore.getMany(entries(20, "u").map(([key]) => key), { collection: "unprocessed" });
      expect(values.map((value) => value?.index)).toEqual(Array.from({ length: 20 }, (_, index) => index));
      expect(counts.get("BatchGetItem")).toBe(2);
    } finally {
      await batchStore.close();
      client.destroy();
    }
  });

  it("fails with StoreConnectionError when items stay unprocessed", async () => {
    const client = newClient(server().url);
    withholdItems(client, true);
    const batchStore = new DynamoDBStore({ tableName: TABLE, client });
    try {
      await batchStore.setup();
      await expect(batchStore.putMany(entries(10, "never"), { collection: "unprocessed" })).rejects.toBeInstanceOf(StoreConnectionError);
    } finally {
      await batchStore.close();
      client.destroy();
    }
  }, 15_000);

  describe("DYNAMODB_URL", () => {
    const saved = process.env.DYNAMODB_URL;
    afterEach(() => {
      if (saved === undefined) delete process.env.DYNAMODB_URL;
      else process.env.DYNAMODB_URL = saved;
    });

    it("is the endpoint when none is given", async () => {
      process.env.DYNAMODB_URL = server().url;
      const envStore = new DynamoDBStore({ tableName: TABLE, credentials });
      try {
        await envStore.put("from-env", { ok: true });
        await expect(store.get("from-env")).resolves.toEqual({ ok: true });
      } finally {
        await envStore.close();
      }
    });
  });

  it("with autoCreate false, a missing table is a StoreSetupError", async () => {
    const strict = new DynamoDBStore({ tableName: "kv-missing", endpoint: server().url, credentials, autoCreate: false });
    try {
      await expect(strict.get("a")).rejects.toBeInstanceOf(StoreSetupError);
    } finally {
      await strict.close();
    }
  });
});

/** An operation must fail this fast while the endpoint is down; it must never hang. */
const REJECT_WITHIN_MS = 5_000;

describeWithServer({ kind: "dynamodb", controllable: true }, "DynamoDBStore faults", (server) => {
  it("rejects with StoreConnectionError in bounded time while dynalite is down; the same store works once it is back", async () => {
    const store = new DynamoDBStore({ tableName: "kv-faults", endpoint: server().url, credentials });
    try {
      await store.put("a", { v: 0 });
      await server().interrupt();
      try {
        const operations = [() => store.get("a"), () => store.put("a", { v: 1 }), () => store.getMany(["a", "b"]), () => store.putMany([["a", { v: 2 }], ["b", { v: 2 }]]), () => store.delete("a")];
        for (const operation of operations) {
          const started = Date.now();
          await expect(operation()).rejects.toBeInstanceOf(StoreConnectionError);
          expect(Date.now() - started).toBeLessThan(REJECT_WITHIN_MS);
        }
      } finally {
        await server().resume();
      }
      // dynalite keeps its tables in memory: the restarted server is empty, and the store creates the table again.
      await store.put("a", { back: true });
      await expect(store.get("a")).resolves.toEqual({ back: true });
    } finally {
      await store.close();
    }
  }, 60_000);
});
