import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, StoreConnectionError } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import { RespStore } from "../src/index.js";
import { BACKENDS, closedPort, openStore, within } from "./fixtures.js";

const SECRET = "s3cret-Pa55word";
const USER = "kv-test-user";

/** Every message and stack along the cause chain, as one text. */
function everythingSaid(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message, current.stack ?? "");
  return parts.join("\n");
}

async function failureOf(operation: Promise<unknown>): Promise<unknown> {
  return within(5_000, operation).then(
    () => new Error("the operation succeeded"),
    (error: unknown) => error,
  );
}

for (const backend of BACKENDS) {
  describe(`connection options (${backend.kind})`, () => {
    it("credentials in a URL to an unreachable server appear in no message or cause", async () => {
      const url = `redis://${USER}:${SECRET}@127.0.0.1:${await closedPort()}`;
      const store = new RespStore({ url }, backend.driver);
      try {
        const error = await failureOf(store.get("k"));
        expect(error).toBeInstanceOf(StoreConnectionError);
        expect(everythingSaid(error)).not.toContain(SECRET);
        expect(everythingSaid(error)).not.toContain(USER);
      } finally {
        await store.close();
      }
    });

    it("clusterNodes cannot be combined with url or db", () => {
      const clusterNodes = [{ host: "127.0.0.1", port: 1 }];
      expect(() => new RespStore({ clusterNodes, url: "redis://127.0.0.1" }, backend.driver)).toThrow(InvalidArgumentError);
      expect(() => new RespStore({ clusterNodes, db: 1 }, backend.driver)).toThrow(InvalidArgumentError);
    });

    describeWithServer({ kind: backend.kind }, "against a running server", (server) => {
      it("credentials the server refuses give a StoreConnectionError that does not repeat them", async () => {
        const store = openStore(backend, server(), { username: USER, password: SECRET });
        const error = await failureOf(store.get("k"));
        expect(error).toBeInstanceOf(StoreConnectionError);
        expect(everythingSaid(error)).not.toContain(SECRET);
      });

      it("host, port and db select the database", async () => {
        const store = new RespStore({ host: server().host, port: server().port, db: 3 }, backend.driver);
        const other = openStore(backend, server());
        try {
          await store.put("k", { db: 3 }, { collection: "databases" });
          await expect(other.get("k", { collection: "databases" })).resolves.toBeUndefined();
        } finally {
          await store.close();
        }
      });
    });
  });
}
