import { createHash } from "node:crypto";
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, InvalidKeyError, StoreClosedError, ValueTooLargeError, type JsonObject } from "@kv/core";
import { describeWithServer } from "@kv/test-servers";
import memjs from "memjs";
import { MemcachedStore, MemcachedV1KeySanitizationStrategy } from "../src/index.js";

const SILENT = { log: (): void => {} };
const DAY = 86_400;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Sends one text-protocol line and resolves the first reply line. */
function askText(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = "";
    socket.once("error", reject);
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf("\r\n")));
      }
    });
    socket.connect(port, "127.0.0.1", () => socket.write(`${line}\r\n`));
  });
}

/** Seconds memcached will keep `key`, read with the meta command `mg <key> t` (-1: never expires). */
async function remainingSeconds(port: number, key: string): Promise<number> {
  const reply = await askText(port, `mg ${key} t`);
  const match = /^HD t(-?\d+)/.exec(reply);
  if (!match) throw new Error(`unexpected reply to mg: ${reply}`);
  return Number(match[1]);
}

describeWithServer({ kind: "memcached" }, "MemcachedStore", (server) => {
  let raw: memjs.Client;
  let store: MemcachedStore;

  beforeAll(() => {
    raw = memjs.Client.create(server().url, { logger: SILENT, retries: 1 });
    store = new MemcachedStore({ servers: server().url });
  });

  afterAll(async () => {
    await store.close();
    raw.close();
  });

  async function rawText(storageKey: string): Promise<string | undefined> {
    const { value } = await raw.get(storageKey);
    return value === null ? undefined : value.toString("utf8");
  }

  describe("key layout", () => {
    it("stores collection::key unchanged when memcached takes it, with the envelope as value", async () => {
      await store.put("alice", { name: "Alice" }, { collection: "users" });
      const stored = JSON.parse((await rawText("users::alice"))!) as JsonObject;
      expect(stored).toEqual({ collection: "users", created_at: expect.stringMatching(/\+00:00$/), key: "alice", value: { name: "Alice" }, version: 1 });
      await store.put("日本語", { v: 1 }, { collection: "c" });
      expect(await rawText("c::日本語")).toContain('"key":"日本語"');
      await store.put("H_not-a-hash", { v: 1 }, { collection: "c" });
      expect(await rawText("c::H_not-a-hash")).toBeDefined();
    });

    it.each([
      ["a space", "hello world", "S_c::hello_world"],
      ["control characters", "a\nb\tc\u0000", "S_c::a_b_c_"],
      ["a non-breaking space", "a\u00a0b", "S_c::a_b"],
    ])("maps a key with %s to a readable name and 16 hex digits of SHA-256", async (_what, key, readable) => {
      await store.put(key, { key }, { collection: "c" });
      const storageKey = `${readable}-${sha256Hex(`c::${key}`).slice(0, 16)}`;
      expect(JSON.parse((await rawText(storageKey))!)).toMatchObject({ key, collection: "c", value: { key } });
      await expect(store.get(key, { collection: "c" })).resolves.toEqual({ key });
    });

    it("maps a 1,000-character key and a long non-ASCII key to at most 250 bytes", async () => {
      const long = "k".repeat(1_000);
      await store.put(long, { v: "long" }, { collection: "c" });
      const storageKey = `S_${`c::${long}`.slice(0, 250 - 19)}-${sha256Hex(`c::${long}`).slice(0, 16)}`;
      expect(storageKey).toHaveLength(250);
      expect(await rawText(storageKey)).toContain('"v":"long"');

      const fits = "é".repeat(123); // 3 + 246 bytes: kept
      const tooLong = "é".repeat(124); // 3 + 248 bytes: mapped
      await store.putMany(
        [
          [fits, { v: "fits" }],
          [tooLong, { v: "too long" }],
        ],
        { collection: "c" },
      );
      expect(await rawText(`c::${fits}`)).toContain('"v":"fits"');
      expect(await rawText(`S_c::_-${sha256Hex(`c::${tooLong}`).slice(0, 16)}`)).toContain('"v":"too long"');
      await expect(store.getMany([long, fits, tooLong], { collection: "c" })).resolves.toEqual([{ v: "long" }, { v: "fits" }, { v: "too long" }]);
    });

    it("maps a collection containing :: before joining, so that a::b + c and a + b::c stay apart", async () => {
      await store.put("b::c", { owner: "a" }, { collection: "a" });
      await store.put("c", { owner: "a::b" }, { collection: "a::b" });
      expect(await rawText("a::b::c")).toContain('"owner":"a"');
      const collection = `S_a_b-${sha256Hex("a::b").slice(0, 16)}`;
      const compound = `${collection}::c`;
      expect(await rawText(`S_${compound}-${sha256Hex(compound).slice(0, 16)}`)).toContain('"owner":"a::b"');
      await expect(store.get("b::c", { collection: "a" })).resolves.toEqual({ owner: "a" });
      await expect(store.get("c", { collection: "a::b" })).resolves.toEqual({ owner: "a::b" });
    });

    it("maps a collection that looks like a mapped name, so it cannot meet the mapped form of another", async () => {
      const lookalike = `S_a_b-${sha256Hex("a::b").slice(0, 16)}`;
      await store.put("c", { owner: "lookalike" }, { collection: lookalike });
      await store.put("c", { owner: "a::b" }, { collection: "a::b" });
      await expect(store.get("c", { collection: lookalike })).resolves.toEqual({ owner: "lookalike" });
      expect(await rawText(`${lookalike}::c`)).toBeUndefined();
    });
  });

  describe("MemcachedV1KeySanitizationStrategy (py-key-value's opt-in)", () => {
    let v1: MemcachedStore;
    beforeAll(() => {
      v1 = new MemcachedStore({ servers: server().url, keySanitizationStrategy: new MemcachedV1KeySanitizationStrategy() });
    });
    afterAll(() => v1.close());

    it("hashes a collection::key over 240 code points to H_ and 64 hex digits", async () => {
      const key = "x".repeat(241 - "c::".length);
      await v1.put(key, { v: 1 }, { collection: "c" });
      expect(await rawText(`H_${sha256Hex(`c::${key}`)}`)).toContain(`"key":"${key}"`);
      await v1.put("short", { v: 2 }, { collection: "c" });
      expect(await rawText("c::short")).toBeDefined();
    });

    it("refuses, before sending, keys memcached cannot hold and collections starting with H_ or S_", async () => {
      await expect(v1.put("hello world", { v: 1 }, { collection: "c" })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(v1.get("é".repeat(200), { collection: "c" })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(v1.getMany(["ok", "a\nb"], { collection: "c" })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(v1.put("k", { v: 1 }, { collection: "H_c" })).rejects.toBeInstanceOf(InvalidKeyError);
      // The connection is not stalled by what was refused.
      await expect(v1.get("short", { collection: "c" })).resolves.toEqual({ v: 2 });
    });
  });

  describe("py-key-value interoperability", () => {
    it("reads an entry py-key-value wrote under default_collection::key", async () => {
      const envelope =
        '{"collection": "default_collection", "created_at": "2026-01-02T03:04:05.678000+00:00", "key": "py-written", ' +
        '"value": {"name": "Alice", "s": "\\u00fcn\\u00ef \\ud83c\\udf89"}, "version": 1}';
      await raw.set("default_collection::py-written", envelope, {});
      await expect(store.get("py-written")).resolves.toEqual({ name: "Alice", s: "ünï 🎉" });
      const expired = '{"created_at": "2020-01-01T00:00:00+00:00", "expires_at": "2020-01-01T00:00:01+00:00", "value": {"v": 1}}';
      await raw.set("default_collection::py-expired", expired, {});
      await expect(store.get("py-expired")).resolves.toBeUndefined();
    });
  });

  describe("expiry", () => {
    it("sends whole seconds rounded up plus one, and past 30 days an absolute Unix time", async () => {
      await store.put("short", { v: 1 }, { collection: "ttl", ttl: 9.2 });
      await store.put("month", { v: 2 }, { collection: "ttl", ttl: 31 * DAY });
      await store.put("forever", { v: 3 }, { collection: "ttl" });
      expect(await remainingSeconds(server().port, "ttl::short")).toBeGreaterThanOrEqual(10);
      expect(await remainingSeconds(server().port, "ttl::short")).toBeLessThanOrEqual(11);
      // Sent as a relative 31 days, memcached would read a date in 1970 and drop the item at once.
      const month = await remainingSeconds(server().port, "ttl::month");
      expect(Math.abs(month - 31 * DAY)).toBeLessThanOrEqual(2);
      expect(await remainingSeconds(server().port, "ttl::forever")).toBe(-1);
      await expect(store.ttl("month", { collection: "ttl" })).resolves.toEqual({ value: { v: 2 }, ttl: expect.any(Number) });
    });
  });

  describe("delete", () => {
    it("counts only live entries: an item past its envelope's expiry is removed but not counted", async () => {
      const expired = '{"collection": "del", "created_at": "2020-01-01T00:00:00+00:00", "expires_at": "2020-01-01T00:00:01+00:00", "key": "old", "value": {"v": 1}}';
      await raw.set("del::old", expired, {});
      await store.put("live", { v: 2 }, { collection: "del" });
      await expect(store.deleteMany(["old", "live", "missing"], { collection: "del" })).resolves.toBe(1);
      expect(await rawText("del::old")).toBeUndefined();
      expect(await rawText("del::live")).toBeUndefined();
      await raw.set("del::old", expired, {});
      await expect(store.delete("old", { collection: "del" })).resolves.toBe(false);
      expect(await rawText("del::old")).toBeUndefined();
    });

    it("removes an unreadable item and counts it", async () => {
      await raw.set("del::garbage", "not json", {});
      await expect(store.delete("garbage", { collection: "del" })).resolves.toBe(true);
      expect(await rawText("del::garbage")).toBeUndefined();
    });
  });

  describe("batches", () => {
    /** A store over a client whose one connection records what it sends and when replies arrive. */
    function instrumentedStore(): { store: MemcachedStore; client: memjs.Client; log: string[] } {
      const client = memjs.Client.create(server().url, { logger: SILENT });
      const connection = client.servers[0]!;
      const log: string[] = [];
      const write = connection.write.bind(connection);
      const responseHandler = connection.responseHandler.bind(connection);
      connection.write = (blob) => {
        log.push("request");
        write(blob);
      };
      connection.responseHandler = (data) => {
        log.push("reply");
        responseHandler(data);
      };
      return { store: new MemcachedStore({ client }), client, log };
    }

    const keys = Array.from({ length: 100 }, (_, index) => `k${index}`);
    const entries = keys.map((key) => [key, { key, pad: "x".repeat(1_000) }] as [string, JsonObject]);

    it("getMany of 100 keys is one request (quiet gets ended by a NOOP), not one round trip per key", async () => {
      const { store: instrumented, client, log } = instrumentedStore();
      await instrumented.putMany(entries, { collection: "batch" });
      log.length = 0;
      const values = await instrumented.getMany([...keys, "missing"], { collection: "batch" });
      expect(values).toEqual([...entries.map(([, value]) => value), undefined]);
      expect(log.filter((event) => event === "request")).toHaveLength(1);
      await instrumented.close();
      client.close();
    });

    it("putMany and deleteMany send every request before the first reply arrives", async () => {
      const { store: instrumented, client, log } = instrumentedStore();
      await instrumented.get("warm-up", { collection: "batch" });
      log.length = 0;
      await instrumented.putMany(entries, { collection: "batch" });
      expect(log.indexOf("reply")).toBe(100);
      log.length = 0;
      await expect(instrumented.deleteMany(keys, { collection: "batch" })).resolves.toBe(100);
      expect(log.indexOf("reply")).toBe(101);
      await instrumented.close();
      client.close();
    });
  });

  describe("item size", () => {
    it("refuses an entry over maxItemSize before sending anything", async () => {
      const small = new MemcachedStore({ servers: server().url, maxItemSize: 10_000 });
      await small.put("big", { v: "old" }, { collection: "size" });
      await expect(small.put("big", { blob: "v".repeat(10_000) }, { collection: "size" })).rejects.toBeInstanceOf(ValueTooLargeError);
      await expect(small.get("big", { collection: "size" })).resolves.toEqual({ v: "old" });
      await small.close();
    });

    it("maps the server's own refusal to ValueTooLargeError when maxItemSize is set above its -I", async () => {
      const optimistic = new MemcachedStore({ servers: server().url, maxItemSize: 4 * 1_048_576 });
      const error = await optimistic.put("huge", { blob: "v".repeat(1_500_000) }, { collection: "size" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValueTooLargeError);
      expect((error as ValueTooLargeError).limit).toBeUndefined();
      await optimistic.put("after", { v: 1 }, { collection: "size" });
      await expect(optimistic.get("after", { collection: "size" })).resolves.toEqual({ v: 1 });
      await optimistic.close();
    });
  });

  describe("options and lifecycle", () => {
    it("connects with host and port", async () => {
      const byAddress = new MemcachedStore({ host: server().host, port: server().port });
      await byAddress.put("k", { v: 1 }, { collection: "options" });
      await expect(store.get("k", { collection: "options" })).resolves.toEqual({ v: 1 });
      await byAddress.close();
    });

    it("never closes a client passed in", async () => {
      const client = memjs.Client.create(server().url, { logger: SILENT });
      const borrowing = new MemcachedStore({ client });
      await borrowing.put("k", { v: 1 }, { collection: "options" });
      await borrowing.close();
      await expect(borrowing.get("k", { collection: "options" })).rejects.toBeInstanceOf(StoreClosedError);
      expect((await client.get("options::k")).value).not.toBeNull();
      client.close();
    });

    it("refuses contradictory or malformed options", () => {
      const client = memjs.Client.create(server().url, { logger: SILENT });
      expect(() => new MemcachedStore({ client, servers: server().url })).toThrow(InvalidArgumentError);
      expect(() => new MemcachedStore({ port: 70_000 })).toThrow(InvalidArgumentError);
      expect(() => new MemcachedStore({ servers: "" })).toThrow(InvalidArgumentError);
      expect(() => new MemcachedStore({ timeout: 0 })).toThrow(InvalidArgumentError);
      expect(() => new MemcachedStore({ maxItemSize: 1.5 })).toThrow(InvalidArgumentError);
      client.close();
    });

    it("has destroy only with destroyFlushesServer: true", async () => {
      const plain = new MemcachedStore({ servers: server().url });
      const flushing = new MemcachedStore({ servers: server().url, destroyFlushesServer: true });
      expect("destroy" in plain).toBe(false);
      expect(typeof flushing.destroy).toBe("function");
      await Promise.all([plain.close(), flushing.close()]);
    });
  });
});
