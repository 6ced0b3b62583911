import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import {
  InvalidArgumentError,
  InvalidKeyError,
  PassthroughStrategy,
  StoreOperationError,
  StoreSetupError,
  type KeyValueError,
  type KeyValueErrorOptions,
  type SanitizationStrategy,
} from "@kv/core";
import { FileTreeCollectionSanitizationStrategy, FileTreeKeySanitizationStrategy, FileTreeStore } from "../src/index.js";

let root: string;
let data: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kv-filetree-"));
  data = path.join(root, "data");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of iterable) items.push(item);
  return items.sort();
}

function hash16(name: string): string {
  return createHash("sha256").update(name, "utf8").digest("hex").slice(0, 16);
}

/** Every file and directory below `directory`, as relative paths. */
function tree(directory: string): string[] {
  return (readdirSync(directory, { recursive: true }) as string[]).sort();
}

const passthrough = () =>
  new FileTreeStore({
    dataDirectory: data,
    keySanitizationStrategy: new PassthroughStrategy(),
    collectionSanitizationStrategy: new PassthroughStrategy(),
  });

describe("FileTreeStore layout", () => {
  it("writes {data}/{collection}/{key}.json with the envelope, and {collection}-info.json", async () => {
    const store = new FileTreeStore({ dataDirectory: data });
    await store.put("alice", { name: "Alice" }, { collection: "users" });

    expect(tree(data)).toEqual(["users", "users-info.json", path.join("users", "alice.json")]);
    const envelope = JSON.parse(readFileSync(path.join(data, "users", "alice.json"), "utf8"));
    expect(envelope).toEqual({ collection: "users", created_at: expect.any(String), key: "alice", value: { name: "Alice" }, version: 1 });
    expect(envelope.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const info = JSON.parse(readFileSync(path.join(data, "users-info.json"), "utf8"));
    expect(info).toEqual({ collection: "users", created_at: expect.any(String), directory: path.join(data, "users"), version: 1 });
    await store.close();
  });

  it.each([
    ["a/b", "S_a_b"],
    ["..", "S_"],
    ["CON", "S_CON"],
    ["con.txt", "S_con_txt"],
    ["a:b*c", "S_a_b_c"],
    ["tab\there", "S_tab_here"],
    ["S_looks_mapped", "S_S_looks_mapped"],
  ])("maps the key %j to %s-{16 hex}.json and returns it from keys()", async (key, readable) => {
    const store = new FileTreeStore({ dataDirectory: data });
    await store.put(key, { v: 1 }, { collection: "c" });
    expect(readdirSync(path.join(data, "c"))).toEqual([`${readable}-${hash16(key)}.json`]);
    expect(await store.get(key, { collection: "c" })).toEqual({ v: 1 });
    expect(await collect(store.keys({ collection: "c" }))).toEqual([key]);
    await store.close();
  });

  it.each(["hello world", "user@example.com", "ünïcödé 日本語 🎉", "it's a+b=c,d", ".hidden"])(
    "keeps the key %j and the collection \"tenant 42\" as file and directory names, where py-key-value writes them",
    async (key) => {
      const store = new FileTreeStore({ dataDirectory: data });
      await store.put(key, { v: 1 }, { collection: "tenant 42" });
      expect(tree(data)).toEqual(["tenant 42", "tenant 42-info.json", path.join("tenant 42", `${key}.json`)]);
      await store.close();
    },
  );

  it("keeps uppercase names where the file system tells case apart", async () => {
    const store = new FileTreeStore({ dataDirectory: data });
    await store.putMany([["Key", { v: 1 }], ["key", { v: 2 }]]);
    expect(readdirSync(path.join(data, "default_collection")).sort()).toEqual(["Key.json", "key.json"]);
    await store.close();
  });

  it("maps a 1,000-character key to a name that fits NAME_MAX", async () => {
    const store = new FileTreeStore({ dataDirectory: data });
    const key = "k".repeat(1000);
    await store.put(key, { v: 1 });
    const [file] = readdirSync(path.join(data, "default_collection"));
    expect(file).toBe(`S_${"k".repeat(231)}-${hash16(key)}.json`);
    expect(Buffer.byteLength(file!)).toBe(255);
    expect(await collect(store.keys())).toEqual([key]);
    await store.close();
  });

  it("maps collection names and lists the originals", async () => {
    const store = new FileTreeStore({ dataDirectory: data });
    await store.put("k", { v: 1 }, { collection: "a/b" });
    await store.put("k", { v: 2 }, { collection: "x.json" });
    expect(tree(data).filter((name) => !name.includes(path.sep))).toEqual([
      `S_a_b-${hash16("a/b")}`,
      `S_a_b-${hash16("a/b")}-info.json`,
      `S_x_json-${hash16("x.json")}`,
      `S_x_json-${hash16("x.json")}-info.json`,
    ]);
    expect(await collect(store.collections())).toEqual(["a/b", "x.json"]);
    await store.close();
  });

  it("keeps a separate metadataDirectory for the info files", async () => {
    const metadata = path.join(root, "meta");
    const store = new FileTreeStore({ dataDirectory: data, metadataDirectory: metadata });
    await store.put("k", { v: 1 }, { collection: "users" });
    expect(tree(data)).toEqual(["users", path.join("users", "k.json")]);
    expect(tree(metadata)).toEqual(["users-info.json"]);
    expect(await collect(store.collections())).toEqual(["users"]);
    await store.destroy();
    expect(tree(data)).toEqual([]);
    expect(tree(metadata)).toEqual([]);
    await store.close();
  });
});

describe("FileTree sanitization strategies", () => {
  it("keep portable names and map the rest", () => {
    const keys = new FileTreeKeySanitizationStrategy();
    const kept = ["alice", "Key", "a.b-c_d", "s_lower", "x.json", "k".repeat(250), "é".repeat(125), ".hidden", "-dash", "a b", "user@example.com", "ünïcödé 日本語 🎉"];
    for (const name of kept) expect(keys.sanitize(name)).toBe(name);
    const decomposed = "e\u0301";
    for (const mapped of ["", ".", "..", "a.", "a ", "a:b", "a<b", "a|b", "a*b", "a\tb", "NUL", "lpt1.log", "S_x", "H_x", "k".repeat(251), "é".repeat(126), decomposed]) {
      expect(keys.sanitize(mapped)).toMatch(/^S_[A-Za-z0-9_-]*-[0-9a-f]{16}$/);
    }
    const collections = new FileTreeCollectionSanitizationStrategy();
    expect(collections.sanitize("users")).toBe("users");
    expect(collections.sanitize("c".repeat(246))).toBe(`S_${"c".repeat(226)}-${hash16("c".repeat(246))}`);
    expect(collections.sanitize("users-info.json")).toMatch(/^S_/);
  });

  it("map uppercase and s_/h_ names where the file system folds case", () => {
    const keys = new FileTreeKeySanitizationStrategy({ caseSensitive: false });
    expect(keys.sanitize("key")).toBe("key");
    for (const mapped of ["Key", "KEY", "s_key", "h_key", "ü"]) expect(keys.sanitize(mapped)).toMatch(/^S_.*-[0-9a-f]{16}$/);
    expect(keys.sanitize("Key").toLowerCase()).not.toBe(keys.sanitize("KEY").toLowerCase());
  });
});

describe("FileTreeStore safety", () => {
  it.each(["../x", "/etc/passwd", "a\0b", "..", ".", "a\\b"])(
    "refuses the name %j from a passthrough strategy, writing nothing",
    async (name) => {
      const store = passthrough();
      await expect(store.put(name, { v: 1 }, { collection: "c" })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.get("k", { collection: name })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.put("k", { v: 1 }, { collection: name })).rejects.toBeInstanceOf(InvalidKeyError);
      expect(tree(root)).toEqual(["data", "data/c", "data/c-info.json"].map((name) => name.split("/").join(path.sep)));
      await store.close();
    },
  );

  it("refuses a name that a custom strategy maps to an unsafe one", async () => {
    const empty: SanitizationStrategy = { sanitize: () => "", validate: () => undefined };
    const store = new FileTreeStore({ dataDirectory: data, keySanitizationStrategy: empty });
    await expect(store.put("k", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.getMany(["a", "b"])).rejects.toBeInstanceOf(InvalidKeyError);
    await store.close();
  });

  it("refuses a collection directory that is a symbolic link, touching nothing outside", async () => {
    const outside = path.join(root, "outside");
    mkdirSync(outside);
    writeFileSync(path.join(outside, "k.json"), JSON.stringify({ value: { secret: true } }));
    mkdirSync(data);
    symlinkSync(outside, path.join(data, "users"));

    const store = new FileTreeStore({ dataDirectory: data });
    await expect(store.get("k", { collection: "users" })).rejects.toBeInstanceOf(StoreSetupError);
    await expect(store.put("x", { v: 1 }, { collection: "users" })).rejects.toBeInstanceOf(StoreSetupError);
    await expect(collect(store.keys({ collection: "users" }))).rejects.toBeInstanceOf(StoreSetupError);
    await store.destroyCollection("users");
    expect(tree(outside)).toEqual(["k.json"]);
    expect(tree(data)).toEqual([]);
    await store.close();
  });

  it("does not follow a symbolic link in place of an entry file", async () => {
    const secret = path.join(root, "secret.json");
    const secretText = JSON.stringify({ value: { secret: true } });
    writeFileSync(secret, secretText);
    const store = new FileTreeStore({ dataDirectory: data });
    await store.put("other", { v: 1 }, { collection: "users" });
    symlinkSync(secret, path.join(data, "users", "k.json"));

    await expect(store.get("k", { collection: "users" })).rejects.toBeInstanceOf(StoreOperationError);
    expect(await collect(store.keys({ collection: "users" }))).toEqual(["other"]);
    await store.put("k", { v: 2 }, { collection: "users" });
    expect(lstatSync(path.join(data, "users", "k.json")).isFile()).toBe(true);
    expect(readFileSync(secret, "utf8")).toBe(secretText);
    await store.close();
  });

  it("leaves no temp files behind, after success or failure", async () => {
    const store = new FileTreeStore({ dataDirectory: data });
    await store.putMany(Array.from({ length: 50 }, (_, index) => [`k${index}`, { index }] as const));
    await store.put("k0", { again: true });
    mkdirSync(path.join(data, "default_collection", "blocked.json"));
    await expect(store.put("blocked", { v: 1 })).rejects.toBeInstanceOf(StoreOperationError);
    expect(tree(data).filter((name) => name.includes(".tmp-"))).toEqual([]);
    await store.close();
  });
});

describe("FileTreeStore with py-key-value data", () => {
  it("reads envelopes without key or collection, with Z or +00:00 times, and counts only live entries on delete", async () => {
    const users = path.join(data, "users");
    mkdirSync(users, { recursive: true });
    writeFileSync(
      path.join(data, "users-info.json"),
      `{"collection": "users", "created_at": "2026-01-02T03:04:05.678000+00:00", "directory": "${users}", "version": 1}`,
    );
    writeFileSync(path.join(users, "alice.json"), '{"created_at": "2026-01-02T03:04:05.678000+00:00", "value": {"name": "Alice"}, "version": 1}');
    writeFileSync(path.join(users, "bob.json"), '{"created_at": "2026-01-02T03:04:05Z", "expires_at": "2999-01-01T00:00:00.5Z", "value": "{\\"name\\": \\"Bob\\"}"}');
    writeFileSync(path.join(users, "gone.json"), '{"created_at": "2020-01-02T03:04:05Z", "expires_at": "2020-01-02T04:04:05Z", "value": {}}');

    const store = new FileTreeStore({ dataDirectory: data });
    expect(await store.getMany(["alice", "bob", "gone"], { collection: "users" })).toEqual([{ name: "Alice" }, { name: "Bob" }, undefined]);
    expect((await store.ttl("bob", { collection: "users" }))?.ttl).toBeGreaterThan(0);
    expect(await collect(store.keys({ collection: "users" }))).toEqual(["alice", "bob"]);
    expect(await collect(store.collections())).toEqual(["users"]);
    expect(await store.deleteMany(["gone", "alice", "missing"], { collection: "users" })).toBe(1);
    expect(readdirSync(users)).toEqual(["bob.json"]);
    await store.close();
  });

  it("destroy removes only its collections, never other files in dataDirectory", async () => {
    mkdirSync(path.join(data, "foreign-dir"), { recursive: true });
    writeFileSync(path.join(data, "foreign-dir", "x.json"), "{}");
    writeFileSync(path.join(data, "notes.txt"), "keep me");
    writeFileSync(path.join(data, "stray.json"), "{}");
    const store = new FileTreeStore({ dataDirectory: data });
    await store.put("k", { v: 1 }, { collection: "a" });
    await store.put("k", { v: 1 }, { collection: "b/c" });
    expect(await store.destroy()).toBe(true);
    expect(tree(data)).toEqual(["foreign-dir", path.join("foreign-dir", "x.json"), "notes.txt", "stray.json"]);
    await store.put("k", { v: 2 }, { collection: "a" });
    expect(await store.get("k", { collection: "a" })).toEqual({ v: 2 });
    await store.close();
  });

  it("destroy leaves the info files of other stores in a shared metadataDirectory alone", async () => {
    const metadata = path.join(root, "meta");
    const mine = new FileTreeStore({ dataDirectory: data, metadataDirectory: metadata });
    const theirs = new FileTreeStore({ dataDirectory: path.join(root, "theirs"), metadataDirectory: metadata });
    await mine.put("k", { v: 1 }, { collection: "mine" });
    await theirs.put("k", { v: 2 }, { collection: "theirs" });
    await mine.destroy();
    expect(tree(metadata)).toEqual(["theirs-info.json"]);
    expect(await theirs.get("k", { collection: "theirs" })).toEqual({ v: 2 });
    expect(await collect(mine.collections())).toEqual([]);
    expect(await collect(theirs.collections())).toEqual(["theirs"]);
    await Promise.all([mine.close(), theirs.close()]);
  });
});

describe("FileTreeStore options and errors", () => {
  it("refuses bad options with InvalidArgumentError", () => {
    const make = (options: unknown) => () => new FileTreeStore(options as ConstructorParameters<typeof FileTreeStore>[0]);
    expect(make(undefined)).toThrow(InvalidArgumentError);
    expect(make({ dataDirectory: "" })).toThrow(InvalidArgumentError);
    expect(make({ dataDirectory: data, metadataDirectory: 3 })).toThrow(InvalidArgumentError);
    expect(make({ dataDirectory: data, keySanitizationStrategy: {} })).toThrow(InvalidArgumentError);
  });

  it("fails setup with StoreSetupError when dataDirectory is a file", async () => {
    writeFileSync(data, "");
    const store = new FileTreeStore({ dataDirectory: data });
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreSetupError);
    await store.close();
  });

  it("maps file system errors onto @kv errors, keeping the original as cause", () => {
    class Probe extends FileTreeStore {
      classify(code: string): KeyValueError {
        return this.classifyError(Object.assign(new Error(code), { code }), { key: "k" } satisfies KeyValueErrorOptions);
      }
    }
    const probe = new Probe({ dataDirectory: data });
    for (const code of ["ENOSPC", "EACCES", "EROFS", "EMFILE", "ELOOP"]) {
      const error = probe.classify(code);
      expect(error).toBeInstanceOf(StoreOperationError);
      expect((error.cause as NodeJS.ErrnoException).code).toBe(code);
      expect(error.key).toBe("k");
    }
    expect(probe.classify("ENAMETOOLONG")).toBeInstanceOf(InvalidKeyError);
  });
});
