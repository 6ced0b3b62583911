import { beforeEach, describe, expect, it } from "@jest/globals";
import { InvalidKeyError, MissingKeyError, type AsyncKeyValue, type BaseStore, type JsonObject } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { z } from "zod";
import { RaiseOnMissingAdapter, TypedAdapter } from "../src/index.js";
import { eachTestWithStore, STORES } from "./fixtures/stores.js";

const ALICE = { name: "Alice" };
const BOB = { name: "Bob" };

describe.each(STORES)("RaiseOnMissingAdapter over $name", (kind) => {
  let store: BaseStore;
  let adapter: RaiseOnMissingAdapter;
  eachTestWithStore(kind, (opened) => (store = opened));

  beforeEach(async () => {
    adapter = new RaiseOnMissingAdapter(store);
    await store.putMany([["alice", ALICE], ["bob", BOB]], { collection: "users", ttl: 60 });
    await store.put("carol", { name: "Carol" });
  });

  it("get resolves a present value and rejects a missing one with MissingKeyError naming key and collection", async () => {
    const found: JsonObject = await adapter.get("alice", { collection: "users" });
    expect(found).toEqual(ALICE);
    await expect(adapter.get("carol")).resolves.toEqual({ name: "Carol" });
    const error = await adapter.get("dave", { collection: "users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingKeyError);
    expect(error).toMatchObject({ code: "KV_MISSING_KEY", key: "dave", collection: "users" });
    await expect(adapter.get("alice")).rejects.toMatchObject({ key: "alice", collection: "default_collection" });
  });

  it("getMany rejects naming the first missing key in request order", async () => {
    await expect(adapter.getMany(["bob", "alice"], { collection: "users" })).resolves.toEqual([BOB, ALICE]);
    await expect(adapter.getMany(["alice", "erin", "dave"], { collection: "users" })).rejects.toMatchObject({ key: "erin", collection: "users" });
    await expect(adapter.getMany([])).resolves.toEqual([]);
  });

  it("ttl and ttlMany resolve present entries with their TTL and reject a missing key", async () => {
    const alice = await adapter.ttl("alice", { collection: "users" });
    expect(alice.value).toEqual(ALICE);
    expect(alice.ttl).toBeGreaterThan(0);
    expect(alice.ttl).toBeLessThanOrEqual(60);
    await expect(adapter.ttl("carol")).resolves.toEqual({ value: { name: "Carol" }, ttl: undefined });
    await expect(adapter.ttl("dave")).rejects.toMatchObject({ key: "dave", collection: "default_collection" });
    const [bob] = await adapter.ttlMany(["bob"], { collection: "users" });
    expect(bob?.value).toEqual(BOB);
    await expect(adapter.ttlMany(["bob", "dave"], { collection: "users" })).rejects.toThrow(MissingKeyError);
  });

  it("with raiseOnMissing: false, resolves undefined like the inner store", async () => {
    await expect(adapter.get("dave", { raiseOnMissing: false })).resolves.toBeUndefined();
    await expect(adapter.getMany(["alice", "dave"], { collection: "users", raiseOnMissing: false })).resolves.toEqual([ALICE, undefined]);
    await expect(adapter.ttl("dave", { raiseOnMissing: false })).resolves.toBeUndefined();
    await expect(adapter.ttlMany(["dave"], { raiseOnMissing: false })).resolves.toEqual([undefined]);
    await expect(adapter.get("dave", { raiseOnMissing: true })).rejects.toThrow(MissingKeyError);
  });

  it("passes writes and deletes through, with collection and ttl", async () => {
    await adapter.put("dave", { name: "Dave" }, { collection: "users", ttl: 30 });
    await adapter.putMany([["erin", { name: "Erin" }]], { collection: "users" });
    expect((await store.ttl("dave", { collection: "users" }))?.ttl).toBeLessThanOrEqual(30);
    await expect(store.ttl("erin", { collection: "users" })).resolves.toEqual({ value: { name: "Erin" }, ttl: undefined });
    await expect(adapter.delete("dave", { collection: "users" })).resolves.toBe(true);
    await expect(adapter.delete("dave", { collection: "users" })).resolves.toBe(false);
    await expect(adapter.deleteMany(["alice", "bob", "nobody"], { collection: "users" })).resolves.toBe(2);
    await expect(adapter.get("alice", { collection: "users" })).rejects.toThrow(MissingKeyError);
  });

  it("leaves validation to the inner store", async () => {
    await expect(adapter.get("")).rejects.toThrow(InvalidKeyError);
    await expect(adapter.put("k", [] as never)).rejects.toThrow("plain JSON object");
  });
});

describe("RaiseOnMissingAdapter composition", () => {
  it("is an AsyncKeyValue, so a TypedAdapter over it raises on missing keys too", async () => {
    const store = new MemoryStore({ defaultCollection: "people" });
    const raising: AsyncKeyValue = new RaiseOnMissingAdapter(store);
    const typed = new TypedAdapter(raising, z.object({ name: z.string() }));
    await typed.put("alice", ALICE);
    await expect(typed.get("alice")).resolves.toEqual(ALICE);
    await expect(typed.get("bob")).rejects.toMatchObject({ code: "KV_MISSING_KEY", key: "bob", collection: "people" });
  });
});
