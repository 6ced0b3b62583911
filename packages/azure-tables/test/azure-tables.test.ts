import { describe, expect, it } from "@jest/globals";
import type { TokenCredential } from "@azure/core-auth";
import { AzureNamedKeyCredential, generateAccountSas, TableClient } from "@azure/data-tables";
import { StoreConnectionError, StoreSetupError, ValueTooLargeError, type JsonObject } from "@kv/core";
import { describeWithServer, type TestServer } from "@kv/test-servers";
import { AzureTablesStore, MAX_ENTITY_BYTES } from "../src/index.js";

/** The account, key and table endpoint of Azurite's connection string. */
function account(server: TestServer): { name: string; key: string; endpoint: string } {
  const fields = Object.fromEntries(server.url.split(";").filter(Boolean).map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]));
  return { name: fields.AccountName!, key: fields.AccountKey!, endpoint: fields.TableEndpoint!.replace(/\/$/, "") };
}

/** A client on Azurite that counts the entity-group transactions it sends. */
function countingClient(server: TestServer, tableName: string): { client: TableClient; transactions: () => number; requests: () => number } {
  let transactions = 0;
  let requests = 0;
  const client = TableClient.fromConnectionString(server.url, tableName, { allowInsecureConnection: true });
  client.pipeline.addPolicy({
    name: "count",
    sendRequest: (request, next) => {
      requests++;
      if (new URL(request.url).pathname.endsWith("/$batch")) transactions++;
      return next(request);
    },
  });
  return { client, transactions: () => transactions, requests: () => requests };
}

const bareKey = (server: TestServer) => account(server).key;

describeWithServer({ kind: "azure-tables" }, "AzureTablesStore on Azurite", (server) => {
  describe("connecting", () => {
    it("fromConnectionString", async () => {
      await using store = AzureTablesStore.fromConnectionString(server().url, { tableName: "kvconnstring" });
      await store.put("k", { via: "connection string" });
      await expect(store.get("k")).resolves.toEqual({ via: "connection string" });
    });

    it("fromAccountAndKey with an explicit endpoint", async () => {
      const { name, key, endpoint } = account(server());
      await using store = AzureTablesStore.fromAccountAndKey(name, key, { endpoint, tableName: "kvaccountkey" });
      await store.put("k", { via: "account key" });
      await expect(store.get("k")).resolves.toEqual({ via: "account key" });
    });

    it("fromSasToken with an account SAS made from the key", async () => {
      const { name, key, endpoint } = account(server());
      const sas = generateAccountSas(new AzureNamedKeyCredential(name, key), {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: { query: true, write: true, delete: true, list: true, add: true, update: true },
        resourceTypes: "sco",
      });
      await using store = AzureTablesStore.fromSasToken(endpoint, sas, { tableName: "kvsastoken" });
      await store.putMany([["a", { via: "sas" }], ["b", { via: "sas" }]]);
      await expect(store.getMany(["a", "b"])).resolves.toEqual([{ via: "sas" }, { via: "sas" }]);
    });

    it("fromTokenCredential asks the credential for a storage token and sends it", async () => {
      // Azurite accepts OAuth only over https with --oauth basic; the harness runs plain http, so this checks the request made.
      const scopes: string[] = [];
      const credential: TokenCredential = {
        getToken: async (scope) => {
          scopes.push(...[scope].flat());
          return { token: "fake-token", expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const store = AzureTablesStore.fromTokenCredential("https://example.table.core.windows.net/", credential, { tableName: "kvtoken" });
      let authorization: string | undefined;
      store.client.pipeline.addPolicy({
        name: "capture",
        sendRequest: async (request) => {
          authorization = request.headers.get("authorization");
          throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        },
      }, { afterPhase: "Sign" });
      expect(store.client.url).toBe("https://example.table.core.windows.net");
      await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
      expect(scopes).toEqual(["https://storage.azure.com/.default"]);
      expect(authorization).toBe("Bearer fake-token");
    });

    it("fromAccountAndKey picks the public endpoint for the service mode", () => {
      expect(AzureTablesStore.fromAccountAndKey("acct", "a2V5", { serviceMode: "storage" }).client.url).toBe("https://acct.table.core.windows.net");
      expect(AzureTablesStore.fromAccountAndKey("acct", "a2V5", { serviceMode: "cosmos" }).client.url).toBe("https://acct.table.cosmos.azure.com");
    });

    it("refuses a table name Azure would refuse", () => {
      expect(() => AzureTablesStore.fromConnectionString(server().url, { tableName: "kv-store" })).toThrow(/tableName/);
    });

    it("with autoCreate off and no table, fails with StoreSetupError", async () => {
      await using store = AzureTablesStore.fromConnectionString(server().url, { tableName: "kvmissing", autoCreate: false });
      await expect(store.put("k", { v: 1 })).rejects.toBeInstanceOf(StoreSetupError);
    });
  });

  describe("layout", () => {
    it("splits a large value across numbered properties and reads it back", async () => {
      const { client } = countingClient(server(), "kvlayout");
      await using store = new AzureTablesStore({ client });
      // ASCII bulk: Azurite 3.35 garbles multi-byte characters that straddle its request body chunks.
      const value = { text: "x".repeat(300_000), emoji: "🎉".repeat(100), accents: "é".repeat(100) };
      await store.put("large", value, { collection: "split" });
      await expect(store.get("large", { collection: "split" })).resolves.toEqual(value);
      const entity = await client.getEntity<Record<string, unknown>>("split", "large");
      const parts = Object.keys(entity).filter((name) => /^value_\d+$/.test(name));
      expect(parts.length).toBeGreaterThan(5);
      expect(entity.value).toBeUndefined();
    });

    it("refuses an entity over 1 MiB with ValueTooLargeError before sending anything", async () => {
      const { client, requests } = countingClient(server(), "kvlayout");
      await using store = new AzureTablesStore({ client });
      await store.setup();
      const before = requests();
      const error = await store.put("huge", { text: "x".repeat(MAX_ENTITY_BYTES / 2) }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValueTooLargeError);
      expect((error as ValueTooLargeError).limit).toBe(MAX_ENTITY_BYTES);
      expect(requests()).toBe(before);
    });

    it("writes putMany of 250 entries as ceil(250 / 100) entity-group transactions", async () => {
      const { client, transactions } = countingClient(server(), "kvlayout");
      await using store = new AzureTablesStore({ client });
      const entries = Array.from({ length: 250 }, (_, index) => [`k${index}`, { index }] as [string, JsonObject]);
      await store.putMany(entries, { collection: "batches" });
      expect(transactions()).toBe(3);
      await expect(store.getMany(entries.map(([key]) => key), { collection: "batches" })).resolves.toEqual(entries.map(([, value]) => value));
    });

    it("maps keys and collections Azure forbids, and returns the originals", async () => {
      const { client } = countingClient(server(), "kvlayout");
      await using store = new AzureTablesStore({ client });
      const collection = "team/a#b?c";
      const keys = ["a/b", "a\\b", "a#b", "a?b", "tab\there", "nul\u0000", "del\u007f", "c1\u0085", "plain-key"];
      await store.putMany(keys.map((key) => [key, { key }] as [string, JsonObject]), { collection });
      await expect(store.getMany(keys, { collection })).resolves.toEqual(keys.map((key) => ({ key })));
      const listed: string[] = [];
      for await (const key of store.keys({ collection })) listed.push(key);
      expect(listed.sort()).toEqual([...keys].sort());
      const stored: { partitionKey?: string; rowKey?: string }[] = [];
      for await (const entity of client.listEntities({ queryOptions: { filter: "key ne ''", select: ["PartitionKey", "RowKey", "collection"] } })) {
        if (entity.collection === collection) stored.push(entity);
      }
      expect(stored).toHaveLength(keys.length);
      for (const { partitionKey, rowKey } of stored) {
        expect(partitionKey).toMatch(/^S_team_a_b_c-[0-9a-f]{16}$/);
        expect(rowKey === "plain-key" || /^S_[A-Za-z0-9._-]*-[0-9a-f]{16}$/.test(rowKey ?? "")).toBe(true);
      }
    });
  });

  describe("secrets", () => {
    it("keeps the account key and SAS signature out of errors", async () => {
      const { name, key } = account(server());
      const down = "http://127.0.0.1:9/devstoreaccount1";
      const sas = generateAccountSas(new AzureNamedKeyCredential(name, key), { expiresOn: new Date(Date.now() + 3_600_000), resourceTypes: "sco" });
      const stores = [
        AzureTablesStore.fromAccountAndKey(name, key, { endpoint: down, maxRetries: 0 }),
        AzureTablesStore.fromSasToken(down, sas, { maxRetries: 0 }),
        AzureTablesStore.fromConnectionString(server().url.replace(/TableEndpoint=[^;]+/, `TableEndpoint=${down}`), { maxRetries: 0 }),
      ];
      const signature = new URLSearchParams(sas).get("sig")!;
      for (const store of stores) {
        const error = await store.put("k", { v: 1 }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StoreConnectionError);
        let text = "";
        for (let current: unknown = error; current instanceof Error; current = current.cause) text += `${current.message}\n${current.stack}\n`;
        for (const secret of [bareKey(server()), signature, encodeURIComponent(signature)]) expect(text).not.toContain(secret);
        await store.close();
      }
    });
  });
});

describeWithServer({ kind: "azure-tables", controllable: true }, "AzureTablesStore when Azurite stops", (server) => {
  it("rejects with StoreConnectionError in bounded time while it is down, and the same store works after", async () => {
    await using store = AzureTablesStore.fromConnectionString(server().url, { tableName: "kvfaults", maxRetries: 1 });
    await store.put("a", { v: 0 });
    await server().interrupt();
    try {
      const operations: (() => Promise<unknown>)[] = [
        () => store.get("a"),
        () => store.getMany(["a", "b"]),
        () => store.put("a", { v: 1 }),
        () => store.putMany([["a", { v: 1 }], ["b", { v: 2 }]]),
        () => store.delete("a"),
      ];
      for (const operation of operations) {
        const started = Date.now();
        await expect(operation()).rejects.toBeInstanceOf(StoreConnectionError);
        expect(Date.now() - started).toBeLessThan(5_000);
      }
    } finally {
      await server().resume();
    }
    // Azurite runs in memory: the restarted server has no table, which the store creates again.
    await store.put("a", { back: true });
    await expect(store.getMany(["a"])).resolves.toEqual([{ back: true }]);
  }, 60_000);
});
