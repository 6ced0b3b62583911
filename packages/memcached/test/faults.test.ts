import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { StoreConnectionError } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import memjs from "memjs";
import { MemcachedStore } from "../src/index.js";

/** How long an operation may take to fail while the server is away, with the default timeouts. */
const REJECT_WITHIN_MS = 1_000;

async function rejectsWithConnectionError(operation: Promise<unknown>, withinMs: number): Promise<number> {
  const started = Date.now();
  const error = await operation.then(
    () => new Error("expected a rejection"),
    (caught: unknown) => caught,
  );
  const elapsed = Date.now() - started;
  expect(error).toBeInstanceOf(StoreConnectionError);
  expect(elapsed).toBeLessThan(withinMs);
  return elapsed;
}

describeWithServer({ kind: "memcached", controllable: true }, "MemcachedStore faults", (server) => {
  it("rejects every operation with StoreConnectionError while the server is down, and the same instance works once it is back", async () => {
    const store = new MemcachedStore({ servers: server().url });
    try {
      await store.put("k", { v: 1 });
      await server().interrupt();
      const operations = [
        () => store.get("k"),
        () => store.getMany(["k", "l"]),
        () => store.ttl("k"),
        () => store.put("k", { v: 2 }),
        () => store.putMany([["k", { v: 2 }], ["l", { v: 3 }]]),
        () => store.delete("k"),
        () => store.deleteMany(["k", "l"]),
      ];
      for (const operation of operations) await rejectsWithConnectionError(operation(), REJECT_WITHIN_MS);
      await server().resume();
      await store.put("k", { v: 3 });
      await expect(store.getMany(["k", "l"])).resolves.toEqual([{ v: 3 }, undefined]);
    } finally {
      await store.close();
    }
  }, 30_000);

  it("a batch that fails leaves no memjs request running behind it (whose retry could undo a later write)", async () => {
    const client = memjs.Client.create(server().url, { logger: { log: () => {} } });
    let running = 0;
    const perform = client.perform.bind(client);
    // memjs calls perform again for each retry, with the callback it was first given.
    client.perform = (key, request, seq, callback, retries) => {
      if (retries !== undefined) return perform(key, request, seq, callback, retries);
      running++;
      perform(key, request, seq, (...args) => {
        running--;
        callback?.(...args);
      });
    };
    const store = new MemcachedStore({ client });
    try {
      await server().interrupt();
      await rejectsWithConnectionError(store.deleteMany(["k", "l", "m"]), REJECT_WITHIN_MS);
      expect(running).toBe(0);
      await rejectsWithConnectionError(store.putMany([["k", { v: 1 }], ["l", { v: 2 }]]), REJECT_WITHIN_MS);
      expect(running).toBe(0);
    } finally {
      await server().resume();
      await store.close();
      client.close();
    }
  }, 30_000);

  it("a store first used while the server is down works once it is up", async () => {
    await server().interrupt();
    const store = new MemcachedStore({ servers: server().url });
    try {
      await rejectsWithConnectionError(store.get("k"), REJECT_WITHIN_MS);
      await server().resume();
      await store.put("k", { v: 1 });
      await expect(store.get("k")).resolves.toEqual({ v: 1 });
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe("MemcachedStore against a server that does not answer", () => {
  let silent: Server;
  let port = 0;
  let behaviour: "hold" | "close" = "hold";
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("data", () => {
        // Reads every request and answers none; "close" hangs up cleanly once a request arrived.
        if (behaviour === "close") socket.end();
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    port = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const options = () => ({ servers: `127.0.0.1:${port}`, timeout: 200, connectTimeout: 200 });

  it("times out a request that gets no reply (memjs timeout, one retry)", async () => {
    behaviour = "hold";
    const store = new MemcachedStore(options());
    await rejectsWithConnectionError(store.get("k"), 1_500);
    await rejectsWithConnectionError(store.getMany(["k", "l"]), 1_500);
    await store.close();
  });

  it("never hangs when the server closes the connection mid-request (memjs would wait forever)", async () => {
    behaviour = "close";
    const store = new MemcachedStore(options());
    await rejectsWithConnectionError(store.get("k"), 2_000);
    await rejectsWithConnectionError(store.put("k", { v: 1 }), 2_000);
    await store.close();
  });
});
