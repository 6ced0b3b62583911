import { expect, it } from "@jest/globals";
import { hasCapability, StoreConnectionError } from "@kv/core";
import { PostgresStore } from "@kv/postgres";
import { RedisStore } from "@kv/redis";
import { describeWithServer } from "@kv/test-servers";
import { openStore } from "../src/index.js";

const SECRET = "s3cr3t-Pa55";

async function roundTrip(url: string): Promise<void> {
  await using store = await openStore(url);
  await store.putMany(
    Array.from({ length: 20 }, (_, index) => [`key-${index}`, { index }] as const),
    { collection: "connect", ttl: 60 },
  );
  const found = await store.ttlMany(["key-0", "key-19", "missing"], { collection: "connect" });
  expect(found.map((entry) => entry?.value)).toEqual([{ index: 0 }, { index: 19 }, undefined]);
  expect(found[0]!.ttl).toBeGreaterThan(50);
}

describeWithServer({ kind: "redis" }, "openStore: redis://", (server) => {
  it("opens a RedisStore on the server and database of the URL", async () => {
    await roundTrip(`${server().url}/3`);
    await using store = new RedisStore({ url: `${server().url}/3` });
    expect(await store.get("key-5", { collection: "connect" })).toEqual({ index: 5 });
    await using other = new RedisStore({ url: `${server().url}/4` });
    expect(await other.get("key-5", { collection: "connect" })).toBeUndefined();
  });

  it("an unreachable server is a StoreConnectionError without the password", async () => {
    await using store = await openStore(`redis://user:${SECRET}@127.0.0.1:1/0`);
    const error = (await store.setup().catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect(`${error.message} ${error.stack} ${String((error.cause as Error | undefined)?.message)}`).not.toContain(SECRET);
  });
});

describeWithServer({ kind: "redis", cluster: true }, "openStore: redis+cluster://", (server) => {
  it("opens a RedisStore on the cluster's seed nodes", async () => {
    const nodes = server().nodes.map(({ host, port }) => `${host}:${port}`).join(",");
    await roundTrip(`redis+cluster://${nodes}`);
  });
});

describeWithServer({ kind: "postgres" }, "openStore: postgres://", (server) => {
  it("opens a PostgresStore in the schema and table of the URL", async () => {
    await roundTrip(`${server().url}?schema=kv_connect&table=connect_entries`);
    await using direct = new PostgresStore({ connectionString: server().url, schemaName: "kv_connect", tableName: "connect_entries" });
    expect(await direct.get("key-7", { collection: "connect" })).toEqual({ index: 7 });
  });

  it("offers the store's capabilities", async () => {
    await using store = await openStore(`${server().url}?table=connect_entries_2`);
    await store.put("k", { v: 1 }, { collection: "caps" });
    if (!hasCapability(store, "keys")) throw new Error("PostgresStore lists keys");
    const keys: string[] = [];
    for await (const key of store.keys({ collection: "caps" })) keys.push(key);
    expect(keys).toEqual(["k"]);
  });
});
