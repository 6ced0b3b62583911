import { Client } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, SerializationError, StoreConnectionError, sha256Hex } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import { ElasticsearchStore } from "../src/index.js";

// A JVM restart on two cores busy with the rest of the test suite can take minutes.
const RESTART_TIMEOUT_MS = 300_000;

describe("ElasticsearchStore options", () => {
  it("refuses an index prefix that could reach another store's indices", () => {
    for (const indexPrefix of ["", "kv-a", "kv*", "_kv", "a".repeat(51)]) {
      expect(() => new ElasticsearchStore({ url: "http://127.0.0.1:1", indexPrefix })).toThrow(InvalidArgumentError);
    }
    expect(new ElasticsearchStore({ url: "http://127.0.0.1:1", indexPrefix: "KV_Store" }).indexPrefix).toBe("kv_store");
  });

  it("keeps a collection Elasticsearch holds in an index name as it is, as py-key-value names its index", () => {
    const store = new ElasticsearchStore({ url: "http://127.0.0.1:1", indexPrefix: "kv" });
    for (const collection of ["users", "orders-2026.q1", "tenant@42", "user+tag", "café", "日本語"]) expect(store.indexName(collection)).toBe(`kv-${collection}`);
    for (const collection of ["Users", "a b", "a:b", "a,b", "a#b", "a/b", "a*b", "tab\t", "s_x", "h_x", "é".repeat(101)]) {
      expect(store.indexName(collection)).toMatch(/^kv-s_[a-z0-9_.-]*-[0-9a-f]{16}$/);
    }
  });

  it("fails fast with StoreConnectionError when nothing listens, without the API key in the error", async () => {
    await using store = new ElasticsearchStore({ url: "http://127.0.0.1:1", apiKey: "c2VjcmV0LWFwaS1rZXk=", indexPrefix: "kv" });
    const error = await store.get("a").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect(JSON.stringify(error) + String(error) + String((error as Error).cause)).not.toContain("c2VjcmV0LWFwaS1rZXk=");
  });
});

describeWithServer({ kind: "elasticsearch" }, "ElasticsearchStore against Elasticsearch", (server) => {
  let client: Client;
  let store: ElasticsearchStore;

  beforeAll(() => {
    client = new Client({ node: server().url });
    store = new ElasticsearchStore({ client, indexPrefix: "kv_specific" });
  });

  afterAll(async () => {
    await store.close();
    await client.close();
  });

  it("names one index per collection and gives it py-key-value's mapping", async () => {
    await store.put("k", { v: 1 }, { collection: "users" });
    await store.put("k", { v: 2 }, { collection: "Users/Admins" });
    expect(store.indexName("users")).toBe("kv_specific-users");
    expect(store.indexName("Users/Admins")).toBe(`kv_specific-s_users_admins-${sha256Hex("Users/Admins").slice(0, 16)}`);
    const mapping = await client.indices.getMapping({ index: "kv_specific-users" });
    expect(mapping["kv_specific-users"]!.mappings.properties).toEqual({
      collection: { type: "keyword" },
      created_at: { type: "date" },
      expires_at: { type: "date" },
      key: { type: "keyword" },
      version: { type: "integer" },
      value: { properties: { flattened: { type: "flattened", ignore_above: 8191, depth_limit: 1000 } } },
    });
    expect(await client.indices.exists({ index: store.indexName("Users/Admins") })).toBe(true);
  });

  it("stores py-key-value's document under the key as id, and hashes ids over 512 bytes", async () => {
    await store.put("alice", { name: "Alice", tags: ["a"] }, { collection: "docs", ttl: 60 });
    const { _source } = await client.get<Record<string, unknown>>({ index: "kv_specific-docs", id: "alice" });
    expect(_source).toEqual({
      collection: "docs",
      key: "alice",
      version: 1,
      value: { flattened: { name: "Alice", tags: ["a"] } },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
      expires_at: expect.stringMatching(/\+00:00$/),
    });
    const long = "é".repeat(300);
    await store.put(long, { v: "long" }, { collection: "docs" });
    const { hits } = await client.search<{ key: string }>({ index: "kv_specific-docs", query: { term: { key: long } } });
    expect(hits.hits[0]!._id).toMatch(/^S_-[0-9a-f]{16}$/);
    await expect(store.get(long, { collection: "docs" })).resolves.toEqual({ v: "long" });
  });

  it("reads a document py-key-value indexed", async () => {
    await store.setup();
    await store.put("seed", { v: 0 }, { collection: "from_python" });
    const later = new Date(Date.now() + 3_600_000).toISOString().replace("Z", "000+00:00");
    await client.index({
      index: "kv_specific-from_python",
      id: "py",
      document: { collection: "from_python", key: "py", value: { flattened: { n: 1.5, nested: { ok: true } } }, created_at: "2026-01-02T03:04:05.678901+00:00", expires_at: later, version: 1 },
      refresh: true,
    });
    const read = await store.ttl("py", { collection: "from_python" });
    expect(read?.value).toEqual({ n: 1.5, nested: { ok: true } });
    expect(read?.ttl).toBeGreaterThan(3_590);
  });

  it("destroy deletes its own indices and leaves other prefixes' alone", async () => {
    const own = new ElasticsearchStore({ client, indexPrefix: "kv_own" });
    await own.put("a", { v: 1 }, { collection: "c" });
    await client.indices.create({ index: "kv_own_other-c" });
    await client.indices.create({ index: "kv_ownx-c" });
    await expect(own.destroy()).resolves.toBe(true);
    expect(await client.indices.exists({ index: "kv_own-c" })).toBe(false);
    expect(await client.indices.exists({ index: "kv_own_other-c,kv_ownx-c" })).toBe(true);
    await own.close();
    await client.indices.delete({ index: "kv_own_other-c,kv_ownx-c" });
  });

  it("writes a putMany in one _bulk request and reads a getMany in one mget", async () => {
    const paths: string[] = [];
    const counted = new Client({ node: server().url });
    counted.diagnostic.on("request", (error, event) => {
      if (error === null && event !== null) paths.push(event.meta.request.params.path);
    });
    const batchStore = new ElasticsearchStore({ client: counted, indexPrefix: "kv_specific" });
    await batchStore.setup();
    await batchStore.get("warm", { collection: "batch" });
    paths.length = 0;
    const entries = Array.from({ length: 100 }, (_, index) => [`k${index}`, { index }] as const);
    await batchStore.putMany(entries, { collection: "batch" });
    await expect(batchStore.getMany(entries.map(([key]) => key), { collection: "batch" })).resolves.toHaveLength(100);
    expect(paths).toEqual(["/_bulk", "/kv_specific-batch/_mget"]);
    await batchStore.close();
    await counted.close();
  });

  it("turns a document the index refuses into a SerializationError", async () => {
    await client.indices.create({ index: "kv_specific-strict", mappings: { dynamic: "strict", properties: { key: { type: "keyword" } } } });
    const error = await store.put("k", { v: 1 }, { collection: "strict" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SerializationError);
    expect(String(error)).toMatch(/strict_dynamic_mapping_exception/);
  });
});

describeWithServer({ kind: "elasticsearch", controllable: true }, "ElasticsearchStore through an outage", (server) => {
  it(
    "reports StoreConnectionError in bounded time while the server is down, and the same store works once it is back",
    async () => {
      await using store = new ElasticsearchStore({ url: server().url, indexPrefix: "kv_outage" });
      await store.put("k", { v: 1 });
      // The harness waits for green after a restart: a single node cannot place replicas.
      const admin = new Client({ node: server().url });
      await admin.indices.putSettings({ index: "kv_outage-*", settings: { number_of_replicas: 0 } });
      await admin.close();
      await server().interrupt();
      const started = Date.now();
      await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
      expect(Date.now() - started).toBeLessThan(25_000);
      await server().resume();
      // Elasticsearch takes about 10 s to come back and recover the index.
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await expect(store.get("k")).resolves.toEqual({ v: 1 });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
    RESTART_TIMEOUT_MS,
  );
});
