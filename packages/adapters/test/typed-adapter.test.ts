import { describe, expect, it } from "@jest/globals";
import { DeserializationError, InvalidKeyError, InvalidTtlError, SerializationError, type BaseStore } from "@kv/core";
import { TypedAdapter } from "../src/index.js";
import { LIBRARIES, type User } from "./fixtures/schemas.js";
import { eachTestWithStore, STORES } from "./fixtures/stores.js";

const ALICE: User = { name: "Alice", age: 30, tags: ["admin"] };
const BOB: User = { name: "Bob", age: 25, tags: [] };

describe.each(STORES)("TypedAdapter over $name", (kind) => {
  let store: BaseStore;
  eachTestWithStore(kind, (opened) => (store = opened));

  describe.each(LIBRARIES)("with $name", ({ schemas, unionWrapping }) => {
    const users = () => new TypedAdapter(store, schemas.user);

    it("puts and gets a validated object, stored as it is with the schema's defaults filled in", async () => {
      const adapter = users();
      expect(adapter.wrapping).toBe(unionWrapping === "always" ? "never" : "non-objects");
      await adapter.put("alice", ALICE);
      await adapter.put("bob", { name: "Bob", age: 25 });
      await expect(adapter.get("alice")).resolves.toEqual(ALICE);
      await expect(adapter.get("bob")).resolves.toEqual(BOB);
      await expect(store.get("bob")).resolves.toEqual(BOB);
    });

    it("resolves undefined, or the default given, for a missing key", async () => {
      const adapter = users();
      await expect(adapter.get("nobody")).resolves.toBeUndefined();
      await expect(adapter.get("nobody", { default: BOB })).resolves.toEqual(BOB);
      await adapter.put("alice", ALICE);
      await expect(adapter.get("alice", { default: BOB })).resolves.toEqual(ALICE);
    });

    it("addresses the collection given, else its own defaultCollection, else the store's", async () => {
      const plain = users();
      const scoped = new TypedAdapter(store, schemas.user, { defaultCollection: "people" });
      await plain.put("alice", ALICE, { collection: "staff" });
      await scoped.put("alice", BOB);
      await plain.put("alice", { ...ALICE, age: 31 });
      await expect(plain.get("alice", { collection: "staff" })).resolves.toEqual(ALICE);
      await expect(scoped.get("alice")).resolves.toEqual(BOB);
      await expect(store.get("alice", { collection: "people" })).resolves.toEqual(BOB);
      await expect(scoped.get("alice", { collection: "default_collection" })).resolves.toEqual({ ...ALICE, age: 31 });
      await expect(scoped.delete("alice", { collection: "staff" })).resolves.toBe(true);
      await expect(plain.get("alice", { collection: "staff" })).resolves.toBeUndefined();
    });

    it("getMany answers in request order, with undefined or the default for missing keys", async () => {
      const adapter = users();
      await adapter.putMany([["alice", ALICE], ["bob", BOB]], { collection: "team" });
      await expect(adapter.getMany(["bob", "nobody", "alice", "bob"], { collection: "team" })).resolves.toEqual([BOB, undefined, ALICE, BOB]);
      await expect(adapter.getMany(["nobody", "alice"], { collection: "team", default: BOB })).resolves.toEqual([BOB, ALICE]);
      await expect(adapter.getMany([])).resolves.toEqual([]);
    });

    it("ttl and ttlMany give the value with its remaining seconds", async () => {
      const adapter = users();
      await adapter.put("alice", ALICE, { ttl: 60 });
      await adapter.putMany([["bob", BOB]], { collection: "team", ttl: 120 });
      await adapter.put("carol", { name: "Carol", age: 40 }, { collection: "team" });
      const alice = await adapter.ttl("alice");
      expect(alice?.value).toEqual(ALICE);
      expect(alice?.ttl).toBeGreaterThan(0);
      expect(alice?.ttl).toBeLessThanOrEqual(60);
      const team = await adapter.ttlMany(["bob", "carol", "nobody"], { collection: "team" });
      expect(team[0]?.value).toEqual(BOB);
      expect(team[0]?.ttl).toBeGreaterThan(60);
      expect(team[0]?.ttl).toBeLessThanOrEqual(120);
      expect(team[1]).toEqual({ value: { name: "Carol", age: 40, tags: [] }, ttl: undefined });
      expect(team[2]).toBeUndefined();
      await expect(adapter.ttl("nobody")).resolves.toBeUndefined();
      await expect(adapter.ttlMany([])).resolves.toEqual([]);
    });

    it("delete and deleteMany report what they removed", async () => {
      const adapter = users();
      await adapter.putMany([["alice", ALICE], ["bob", BOB], ["carol", BOB]], { collection: "team" });
      await expect(adapter.delete("alice", { collection: "team" })).resolves.toBe(true);
      await expect(adapter.delete("alice", { collection: "team" })).resolves.toBe(false);
      await expect(adapter.deleteMany(["bob", "carol", "nobody"], { collection: "team" })).resolves.toBe(2);
      await expect(adapter.getMany(["alice", "bob", "carol"], { collection: "team" })).resolves.toEqual([undefined, undefined, undefined]);
    });

    it("refuses a value that fails the schema with SerializationError, before any write", async () => {
      const adapter = users();
      await adapter.put("alice", ALICE, { collection: "team" });
      const error = await adapter.put("alice", { name: "Alice", age: "thirty" } as never, { collection: "team" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect(error).toMatchObject({ code: "KV_SERIALIZATION", key: "alice", collection: "team" });
      expect((error as Error).message).toContain('value["age"]');
      expect((error as Error).message).not.toContain("thirty");
      expect(((error as Error).cause as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
      await expect(adapter.get("alice", { collection: "team" })).resolves.toEqual(ALICE);
      await expect(users().put("bob", null as never)).rejects.toThrow(SerializationError);
    });

    it("putMany writes nothing when one value fails the schema", async () => {
      const adapter = users();
      const batch = [["alice", ALICE], ["bob", { name: "Bob" }], ["carol", BOB]] as [string, User][];
      const error = await adapter.putMany(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect(error).toMatchObject({ key: "bob", collection: "default_collection" });
      await expect(store.getMany(["alice", "bob", "carol"])).resolves.toEqual([undefined, undefined, undefined]);
    });

    it("leaves keys and TTLs to the store's checks", async () => {
      const adapter = users();
      await expect(adapter.put("", ALICE)).rejects.toThrow(InvalidKeyError);
      await expect(adapter.put("alice", ALICE, { ttl: 0 })).rejects.toThrow(InvalidTtlError);
      await expect(adapter.putMany([["alice", ALICE]], { ttl: -1 })).rejects.toThrow(InvalidTtlError);
      await expect(adapter.get("alice", { collection: "" })).rejects.toThrow(InvalidKeyError);
      await expect(store.get("alice")).resolves.toBeUndefined();
    });

    it("stores arrays as {items: [...]}, as PydanticAdapter does", async () => {
      const adapter = new TypedAdapter(store, schemas.users);
      expect(adapter.wrapping).toBe(unionWrapping === "always" ? "always" : "non-objects");
      await adapter.put("team", [ALICE, { name: "Bob", age: 25 }], { ttl: 60 });
      await expect(store.get("team")).resolves.toEqual({ items: [ALICE, BOB] });
      await expect(adapter.get("team")).resolves.toEqual([ALICE, BOB]);
      await expect(adapter.ttl("team")).resolves.toMatchObject({ value: [ALICE, BOB] });
      await adapter.putMany([["none", []]], { collection: "c" });
      await expect(store.get("none", { collection: "c" })).resolves.toEqual({ items: [] });
      await expect(adapter.getMany(["none"], { collection: "c" })).resolves.toEqual([[]]);
    });

    it("stores scalars as {items: value}", async () => {
      const count = new TypedAdapter(store, schemas.count);
      const label = new TypedAdapter(store, schemas.label);
      const ratio = new TypedAdapter(store, schemas.ratio);
      const flag = new TypedAdapter(store, schemas.flag);
      await count.put("count", 0);
      await label.put("label", "");
      await ratio.put("ratio", 1.5);
      await flag.putMany([["flag", false]]);
      await expect(store.getMany(["count", "label", "ratio", "flag"])).resolves.toEqual([
        { items: 0 },
        { items: "" },
        { items: 1.5 },
        { items: false },
      ]);
      await expect(count.get("count")).resolves.toBe(0);
      await expect(label.get("label")).resolves.toBe("");
      await expect(ratio.ttlMany(["ratio"])).resolves.toEqual([{ value: 1.5, ttl: undefined }]);
      await expect(flag.get("flag", { default: true })).resolves.toBe(false);
      await expect(count.put("count", 1.5)).rejects.toThrow(SerializationError);
    });

    it("stores records as they are", async () => {
      const scores = new TypedAdapter(store, schemas.scores);
      await scores.put("scores", { alice: 3, items: 4 });
      await expect(store.get("scores")).resolves.toEqual({ alice: 3, items: 4 });
      await expect(scores.get("scores")).resolves.toEqual({ alice: 3, items: 4 });
    });

    it("stores a nullable object wrapped, as PydanticAdapter stores Optional[Model], where the schema has a JSON Schema", async () => {
      const adapter = new TypedAdapter(store, schemas.maybe_user);
      expect(adapter.wrapping).toBe(unionWrapping);
      await adapter.putMany([["nobody", null], ["alice", ALICE]]);
      await expect(store.get("nobody")).resolves.toEqual({ items: null });
      await expect(store.get("alice")).resolves.toEqual(unionWrapping === "always" ? { items: ALICE } : ALICE);
      await expect(adapter.getMany(["nobody", "alice", "missing"])).resolves.toEqual([null, ALICE, undefined]);
      // Python's wrapped form is read whichever way this adapter writes.
      await store.put("bob", { items: BOB });
      await expect(adapter.get("bob")).resolves.toEqual(BOB);
    });

    it("rejects invalid stored data with DeserializationError naming key and collection", async () => {
      const adapter = users();
      await store.put("alice", { name: "Alice", age: "secret-age" }, { collection: "team" });
      await store.put("bob", BOB, { collection: "team", ttl: 60 });
      const error = await adapter.get("alice", { collection: "team" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeserializationError);
      expect(error).toMatchObject({ code: "KV_DESERIALIZATION", key: "alice", collection: "team" });
      expect((error as Error).message).toContain('value["age"]');
      expect((error as Error).message).not.toContain("secret-age");
      await expect(adapter.getMany(["bob", "alice"], { collection: "team" })).rejects.toMatchObject({ key: "alice" });
      await expect(adapter.ttl("alice", { collection: "team" })).rejects.toThrow(DeserializationError);
      await expect(adapter.ttlMany(["alice"], { collection: "team" })).rejects.toThrow(DeserializationError);
      await expect(adapter.get("alice", { collection: "team", default: BOB })).rejects.toThrow(DeserializationError);
      await store.put("carol", { name: "Carol", age: 1 });
      await expect(new TypedAdapter(store, schemas.users).get("carol")).rejects.toMatchObject({
        key: "carol",
        collection: "default_collection",
      });
    });

    it("treats invalid stored data as missing with raiseOnValidationError: false", async () => {
      const adapter = new TypedAdapter(store, schemas.user, { raiseOnValidationError: false });
      await store.put("alice", { name: "Alice" }, { collection: "team" });
      await store.put("bob", BOB, { collection: "team", ttl: 60 });
      await expect(adapter.get("alice", { collection: "team" })).resolves.toBeUndefined();
      await expect(adapter.get("alice", { collection: "team", default: BOB })).resolves.toEqual(BOB);
      await expect(adapter.getMany(["alice", "bob"], { collection: "team", default: ALICE })).resolves.toEqual([ALICE, BOB]);
      await expect(adapter.ttl("alice", { collection: "team" })).resolves.toBeUndefined();
      const [alice, bob] = await adapter.ttlMany(["alice", "bob"], { collection: "team" });
      expect(alice).toBeUndefined();
      expect(bob?.value).toEqual(BOB);
    });

    it("refuses a stored array type without its items wrapper", async () => {
      await store.put("team", { members: [ALICE] });
      const error = await new TypedAdapter(store, schemas.users).get("team").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeserializationError);
      await expect(new TypedAdapter(store, schemas.users, { raiseOnValidationError: false }).get("team")).resolves.toBeUndefined();
    });
  });
});
