import { describe, expect, it } from "@jest/globals";
import { StoreConnectionError, type JsonObject } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import calculateSlot from "cluster-key-slot";
import type { RespCluster, RespStore } from "../src/index.js";
import { BACKENDS, eventually, openStore, within } from "./fixtures.js";

/** An operation that is down must fail this fast; it must never hang. */
const REJECT_WITHIN_MS = 5_000;
/** How long the same store may take to work again once the server is back. */
const RECOVER_WITHIN_MS = 15_000;

type Operation = readonly [string, (store: RespStore, keys: readonly string[]) => Promise<unknown>];

const OPERATIONS: readonly Operation[] = [
  ["get", (store, keys) => store.get(keys[0]!)],
  ["put", (store, keys) => store.put(keys[0]!, { v: 1 })],
  ["getMany", (store, keys) => store.getMany(keys)],
  ["putMany", (store, keys) => store.putMany(keys.map((key) => [key, { v: 2 }] as [string, JsonObject]))],
  ["delete", (store, keys) => store.delete(keys[0]!)],
];

async function expectAllUnreachable(store: RespStore, keys: readonly string[]): Promise<void> {
  for (const [name, operation] of OPERATIONS) {
    const started = Date.now();
    const failure = await within(REJECT_WITHIN_MS, operation(store, keys)).then(
      () => new Error(`${name} succeeded while the server was down`),
      (error: unknown) => error,
    );
    if (process.env.KV_REPORT_TIMES) console.log(`${name} rejected after ${Date.now() - started} ms`, String(failure));
    expect({ name, error: failure }).toEqual({ name, error: expect.any(StoreConnectionError) });
  }
}

async function expectWorksAgain(store: RespStore, keys: readonly string[]): Promise<void> {
  const took = await eventually(RECOVER_WITHIN_MS, () => within(REJECT_WITHIN_MS, store.put(keys[0]!, { back: true })));
  if (process.env.KV_REPORT_TIMES) console.log(`works again ${took} ms after resume`);
  await expect(store.getMany(keys.slice(0, 1))).resolves.toEqual([{ back: true }]);
}

/** Keys whose `collection::key` names hash to slots that `node` serves. */
function keysOnNode(store: RespStore, node: { host: string; port: number }, count: number): string[] {
  const { slots } = store.client as RespCluster;
  const keys: string[] = [];
  for (let index = 0; keys.length < count; index++) {
    if (slots[calculateSlot(`faults::k${index}`)]?.[0] === `${node.host}:${node.port}`) keys.push(`k${index}`);
  }
  return keys;
}

for (const backend of BACKENDS) {
  describe(`faults (${backend.kind})`, () => {
    describeWithServer({ kind: backend.kind, controllable: true }, "standalone server stopped and restarted", (server) => {
      it("operations reject with StoreConnectionError in bounded time while it is down; the same store works again after", async () => {
        const store = openStore(backend, server(), { defaultCollection: "faults" });
        const keys = ["a", "b", "c"];
        await store.put("a", { v: 0 });
        await server().interrupt();
        try {
          await expectAllUnreachable(store, keys);
        } finally {
          await server().resume();
        }
        await expectWorksAgain(store, keys);
      }, 60_000);

      it("a store first used while the server is down rejects, then works once it is back", async () => {
        await server().interrupt();
        const store = openStore(backend, server(), { defaultCollection: "faults" });
        try {
          await expectAllUnreachable(store, ["a", "b"]);
        } finally {
          await server().resume();
        }
        await expectWorksAgain(store, ["a", "b"]);
      }, 60_000);
    });

    describeWithServer({ kind: backend.kind, cluster: true, controllable: true }, "cluster master stopped and restarted", (server) => {
      it("operations on its slots reject with StoreConnectionError in bounded time; the same store works again after", async () => {
        const store = openStore(backend, server(), { defaultCollection: "faults" });
        await store.setup();
        const keys = keysOnNode(store, server().nodes[1]!, 3);
        await store.put(keys[0]!, { v: 0 });
        await server().interrupt(1);
        try {
          await expectAllUnreachable(store, keys);
        } finally {
          await server().resume(1);
        }
        await expectWorksAgain(store, keys);
      }, 90_000);
    });
  });
}
