import { describe, expect, it } from "@jest/globals";
import { DeserializationError, SerializationError, type BaseStore } from "@kv/core";
import * as v from "valibot";
import { z } from "zod";
import { TypedAdapter } from "../src/index.js";
import type { StandardSchemaV1 } from "../src/standard-schema.js";
import { eachTestWithStore, STORES } from "./fixtures/stores.js";

type Account = { handle: string };

/** Stands in for a lookup a real validator would await (a database, a remote service). */
const reserved = async (handle: string): Promise<boolean> => {
  await new Promise((resolve) => setImmediate(resolve));
  return handle === "root";
};

const ASYNC_SCHEMAS: { name: string; schema: StandardSchemaV1<Account> }[] = [
  { name: "zod (async refine)", schema: z.object({ handle: z.string().refine(async (handle) => !(await reserved(handle))) }) },
  {
    name: "valibot (objectAsync, checkAsync)",
    schema: v.objectAsync({ handle: v.pipeAsync(v.string(), v.checkAsync(async (handle) => !(await reserved(handle)))) }),
  },
];

describe.each(STORES)("TypedAdapter with async validators over $name", (kind) => {
  let store: BaseStore;
  eachTestWithStore(kind, (opened) => (store = opened));

  it("validates wrapped values asynchronously", async () => {
    const handles = new TypedAdapter(store, z.array(z.string()).refine(async (list) => !(await Promise.all(list.map(reserved))).includes(true)));
    await handles.put("team", ["alice", "bob"]);
    await expect(store.get("team")).resolves.toEqual({ items: ["alice", "bob"] });
    await expect(handles.get("team")).resolves.toEqual(["alice", "bob"]);
    await expect(handles.put("team", ["root"])).rejects.toThrow(SerializationError);
    await store.put("team", { items: ["root"] });
    await expect(handles.get("team")).rejects.toThrow(DeserializationError);
  });

  describe.each(ASYNC_SCHEMAS)("$name", ({ schema }) => {
    it("validates puts and reads asynchronously", async () => {
      const adapter = new TypedAdapter(store, schema);
      await adapter.put("alice", { handle: "alice" }, { collection: "accounts", ttl: 60 });
      await adapter.putMany([["bob", { handle: "bob" }]], { collection: "accounts" });
      await expect(adapter.getMany(["alice", "bob"], { collection: "accounts" })).resolves.toEqual([{ handle: "alice" }, { handle: "bob" }]);
      await expect(adapter.ttl("alice", { collection: "accounts" })).resolves.toMatchObject({ value: { handle: "alice" } });
      await expect(adapter.ttlMany(["bob"], { collection: "accounts" })).resolves.toEqual([{ value: { handle: "bob" }, ttl: undefined }]);
    });

    it("refuses a value its async check fails, before any write", async () => {
      const adapter = new TypedAdapter(store, schema);
      await expect(adapter.put("admin", { handle: "root" })).rejects.toThrow(SerializationError);
      await expect(adapter.putMany([["alice", { handle: "alice" }], ["admin", { handle: "root" }]])).rejects.toMatchObject({
        code: "KV_SERIALIZATION",
        key: "admin",
      });
      await expect(store.getMany(["admin", "alice"])).resolves.toEqual([undefined, undefined]);
    });

    it("refuses stored data its async check fails", async () => {
      await store.put("admin", { handle: "root" });
      await expect(new TypedAdapter(store, schema).get("admin")).rejects.toThrow(DeserializationError);
      await expect(new TypedAdapter(store, schema, { raiseOnValidationError: false }).get("admin")).resolves.toBeUndefined();
    });
  });
});
