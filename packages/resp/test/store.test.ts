import { describe, expect, it, jest } from "@jest/globals";
import { AlwaysHashStrategy, DeserializationError, parseEnvelope, type JsonObject } from "@kv/core";
import { describeWithServer, type TestServer } from "@kv/test-servers";
import calculateSlot from "cluster-key-slot";
import type { Redis } from "ioredis";
import { BACKENDS, openStore, rawClient, rawNode, type Backend } from "./fixtures.js";

const KILOBYTE_VALUE = { text: "x".repeat(1_000) };

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Calls of each command on every node since the last reset, summed: `{ mget: 2, … }`. */
async function commandCounts(nodes: readonly Redis[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of nodes) {
    const stats = await node.info("commandstats");
    for (const [, command, calls] of stats.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
      counts[command!] = (counts[command!] ?? 0) + Number(calls);
    }
  }
  return counts;
}

async function resetCommandCounts(nodes: readonly Redis[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.config("RESETSTAT")));
}

function describeStore(backend: Backend, server: () => TestServer): void {
  const batch = (count: number, prefix = "k"): [string, JsonObject][] =>
    Array.from({ length: count }, (_, index) => [`${prefix}${index}`, KILOBYTE_VALUE]);

  it("stores the envelope under collection::key with native millisecond expiry", async () => {
    const store = openStore(backend, server());
    await store.put("alice", { name: "Alice" }, { collection: "users", ttl: 60 });
    const raw = rawClient(server());
    const stored = await raw.get("users::alice");
    expect(parseEnvelope(stored!)).toMatchObject({ key: "alice", collection: "users", entry: { value: { name: "Alice" } } });
    expect(JSON.parse(stored!)).toMatchObject({ version: 1, key: "alice", collection: "users" });
    const remaining = await raw.pttl("users::alice");
    expect(remaining).toBeGreaterThan(58_000);
    expect(remaining).toBeLessThanOrEqual(60_000);
    await store.put("bob", { name: "Bob" }, { collection: "users" });
    await expect(raw.pttl("users::bob")).resolves.toBe(-1);
  });

  it("maps a collection containing :: with a 64-bit hash, and lists its original keys", async () => {
    const store = openStore(backend, server());
    await store.putMany(
      [
        ["b::c", { v: 1 }],
        ["plain", { v: 2 }],
      ],
      { collection: "a::b" },
    );
    await store.put("c", { v: 3 }, { collection: "a" });
    const names = await collect(scanAll(server(), "*"));
    expect(names).toContain("a::c");
    expect(names.filter((name) => /^S_a::b-[0-9a-f]{16}::/.test(name)).sort()).toHaveLength(2);
    expect((await collect(store.keys({ collection: "a::b" }))).sort()).toEqual(["b::c", "plain"]);
    expect(await collect(store.keys({ collection: "a" }))).toEqual(["c"]);
  });

  it("keys matches a collection with glob characters literally", async () => {
    const store = openStore(backend, server());
    await store.put("k", { v: 1 }, { collection: "we*rd[1]?\\" });
    await store.put("other", { v: 2 }, { collection: "weXrd1x\\" });
    await expect(collect(store.keys({ collection: "we*rd[1]?\\" }))).resolves.toEqual(["k"]);
  });

  it("keys yields the original keys under a key strategy that maps them", async () => {
    const store = openStore(backend, server(), { keySanitizationStrategy: new AlwaysHashStrategy({ hashLength: 32 }) });
    await store.putMany(batch(5, "original-"), { collection: "hashed-keys" });
    await expect(collect(store.keys({ collection: "hashed-keys" }))).resolves.toEqual(
      expect.arrayContaining(["original-0", "original-1", "original-2", "original-3", "original-4"]),
    );
  });

  it("a value that is not an envelope is a DeserializationError naming key and collection", async () => {
    const store = openStore(backend, server());
    await rawClient(server()).set("broken::k", "not json");
    await expect(store.get("k", { collection: "broken" })).rejects.toEqual(expect.objectContaining({ key: "k", collection: "broken" }));
    await expect(store.getMany(["k", "missing"], { collection: "broken" })).rejects.toBeInstanceOf(DeserializationError);
  });

  it("destroy removes only this store's entries and leaves foreign keys alone", async () => {
    const store = openStore(backend, server());
    const raw = rawClient(server());
    const foreignEnvelope = JSON.stringify({ collection: "elsewhere", key: "q", value: { v: 1 }, version: 1 });
    const foreign: Record<string, () => Promise<unknown>> = {
      plain: () => raw.set("plain", "value"),
      "x::y": () => raw.set("x::y", "not an envelope"),
      "x::json": () => raw.set("x::json", JSON.stringify({ some: "json" })),
      "x::misfiled": () => raw.set("x::misfiled", foreignEnvelope),
      "x::old-format": () => raw.set("x::old-format", JSON.stringify({ value: { v: 1 }, created_at: null })),
      "h::1": () => raw.hset("h::1", "field", "value"),
      "l::1": () => raw.rpush("l::1", "item"),
      "s::1": () => raw.sadd("s::1", "member"),
    };
    await Promise.all(Object.values(foreign).map((write) => write()));
    await store.putMany(batch(50), { collection: "mine" });
    await store.put("k", { v: 1 }, { collection: "x::y" });
    await store.put("k", { v: 1 }, { collection: "x" });
    await expect(store.destroy()).resolves.toBe(true);
    await expect(store.getMany(["k0", "k49"], { collection: "mine" })).resolves.toEqual([undefined, undefined]);
    await expect(store.get("k", { collection: "x::y" })).resolves.toBeUndefined();
    await expect(store.get("k", { collection: "x" })).resolves.toBeUndefined();
    const left = await Promise.all(Object.keys(foreign).map(async (name) => [name, await raw.exists(name)]));
    expect(Object.fromEntries(left)).toEqual(Object.fromEntries(Object.keys(foreign).map((name) => [name, 1])));
  });

  it("getMany, putMany and deleteMany of 100 use a handful of batch commands, never one GET/SET/DEL each", async () => {
    const store = openStore(backend, server());
    const nodes = server().nodes.map((node) => rawNode(node));
    const entries = batch(100);
    const keys = entries.map(([key]) => key);
    const slots = new Set(keys.map((key) => calculateSlot(`counted::${key}`))).size;
    const batchCommands = server().cluster ? slots : 1;
    await store.setup();
    await resetCommandCounts(nodes);
    await store.putMany(entries, { collection: "counted" });
    await expect(store.getMany(keys, { collection: "counted" })).resolves.toEqual(keys.map(() => KILOBYTE_VALUE));
    await expect(store.deleteMany(keys, { collection: "counted" })).resolves.toBe(100);
    const counts = await commandCounts(nodes);
    expect({ mset: counts.mset, mget: counts.mget, del: counts.del, get: counts.get, set: counts.set }).toEqual({
      mset: batchCommands,
      mget: batchCommands,
      del: batchCommands,
      get: undefined,
      set: undefined,
    });
  });

  it("a putMany with a TTL is one pipeline per node; a cluster's getMany too", async () => {
    const store = openStore(backend, server());
    await store.setup();
    const pipeline = jest.spyOn(store.client, "pipeline");
    await store.putMany(batch(100), { collection: "per-node", ttl: 60 });
    await store.getMany(
      batch(100).map(([key]) => key),
      { collection: "per-node" },
    );
    // A standalone getMany is one MGET, sent without a pipeline.
    expect(pipeline).toHaveBeenCalledTimes(server().cluster ? 2 * server().nodes.length : 1);
  });

  it("close quits a client the store created and never one passed in", async () => {
    const created = openStore(backend, server());
    await created.get("k");
    await created.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(created.client.status).toBe("end");
    const passed = openStore(backend, server());
    const borrowed = openStore(backend, server(), { client: passed.client });
    await borrowed.put("k", { v: 1 });
    await borrowed.close();
    await expect(passed.get("k")).resolves.toEqual({ v: 1 });
    expect(passed.client.status).toBe("ready");
  });
}

/** Every key name on every node, through SCAN. */
async function* scanAll(server: TestServer, pattern: string): AsyncGenerator<string> {
  for (const node of server.nodes) {
    const client = rawNode(node);
    let cursor = "0";
    do {
      const [next, names] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      yield* names;
    } while (cursor !== "0");
  }
}

for (const backend of BACKENDS) {
  describe(`RespStore over ${backend.kind}`, () => {
    describeWithServer({ kind: backend.kind }, "standalone", (server) => describeStore(backend, server));
    describeWithServer({ kind: backend.kind, cluster: true }, "3-master cluster", (server) => describeStore(backend, server));
  });
}
