import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { DiskStore } from "@kv/disk";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES } from "../src/exit-codes.js";
import { closedPort, kv } from "./run-kv.js";

const SECRET = "s3cr3t-Pa55";
let root: string;
let counter = 0;

/** A fresh working directory: the default store is its `./.kv`. */
function workspace(): string {
  const directory = join(root, `w${counter++}`);
  rmSync(directory, { recursive: true, force: true });
  writeFileSync(join(root, ".keep"), "");
  return mkdtempSync(`${directory}-`);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kv-cli-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kv --help", () => {
  it("lists the commands, store URLs and exit codes", async () => {
    const { code, stdout } = await kv(["--help"]);
    expect(code).toBe(0);
    for (const text of ["Usage: kv", "get", "put", "delete", "ttl", "keys", "collections", "destroy-collection", "export", "import", "copy", "Exit codes", "disk://./.kv"]) {
      expect(stdout).toContain(text);
    }
  });

  it("shows each command's options", async () => {
    const { code, stdout } = await kv(["put", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: kv put \[options\] <key> \[json\]/);
    for (const option of ["-s, --store <url>", "-c, --collection <name>", "--json", "--verbose", "--ttl <seconds>"]) expect(stdout).toContain(option);
  });
});

describe("kv on the embedded default store", () => {
  it("puts, gets, lists and deletes in ./.kv of the working directory", async () => {
    const cwd = workspace();
    expect(await kv(["put", "alice", '{"name":"Alice","tags":["a"]}', "-c", "users"], { cwd })).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(join(cwd, ".kv", "kv.sqlite"))).toBe(true);
    expect(await kv(["put", "bob", "--collection", "users", "--ttl", "3600"], { cwd, input: '{"name":"Bob"}\n' })).toMatchObject({ code: 0 });

    const got = await kv(["get", "alice", "-c", "users"], { cwd });
    expect(got).toMatchObject({ code: 0, stderr: "" });
    expect(got.stdout).toBe(`${JSON.stringify({ name: "Alice", tags: ["a"] }, null, 2)}\n`);
    expect((await kv(["get", "alice", "-c", "users", "--json"], { cwd })).stdout).toBe('{"name":"Alice","tags":["a"]}\n');

    const ttl = await kv(["ttl", "bob", "-c", "users"], { cwd });
    expect(ttl.stdout).toMatch(/^3\d{3}\.\d{3} s\n$/);
    expect(Number.parseFloat(ttl.stdout)).toBeGreaterThan(3590);
    expect((await kv(["ttl", "alice", "-c", "users"], { cwd })).stdout).toBe("never expires\n");
    expect(JSON.parse((await kv(["ttl", "alice", "-c", "users", "--json"], { cwd })).stdout)).toEqual({ ttl: null });

    expect((await kv(["keys", "-c", "users"], { cwd })).stdout.split("\n").sort()).toEqual(["", "alice", "bob"]);
    expect((await kv(["keys", "-c", "users", "--limit", "1"], { cwd })).stdout.split("\n")).toHaveLength(2);
    expect(await kv(["collections", "--json"], { cwd })).toEqual({ code: 0, stdout: '"users"\n', stderr: "" });

    expect(await kv(["delete", "alice", "-c", "users"], { cwd })).toEqual({ code: 0, stdout: "deleted\n", stderr: "" });
    expect((await kv(["destroy-collection", "users", "--json"], { cwd })).stdout).toBe('{"destroyed":true}\n');
    expect((await kv(["collections"], { cwd })).stdout).toBe("");
  });

  it("uses the default collection, KV_STORE and -s", async () => {
    const cwd = workspace();
    await kv(["put", "k", '{"v":1}'], { cwd, env: { KV_STORE: "disk://./elsewhere" } });
    expect(existsSync(join(cwd, "elsewhere", "kv.sqlite"))).toBe(true);
    expect((await kv(["keys", "-s", "disk://./elsewhere", "-c", "default_collection"], { cwd })).stdout).toBe("k\n");
    expect((await kv(["get", "k"], { cwd, env: { KV_STORE: `disk://${join(cwd, "elsewhere")}` } })).stdout).toContain('"v": 1');
  });

  it("prints keys with --json as JSON strings, one per line", async () => {
    const cwd = workspace();
    await kv(["put", "two\nlines", "{}"], { cwd });
    expect((await kv(["keys", "--json"], { cwd })).stdout).toBe('"two\\nlines"\n');
  });
});

describe("kv exit codes", () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = workspace();
    await kv(["put", "present", "{}"], { cwd });
  });

  it.each([
    ["get", ["get", "absent"], 'kv: key "absent" is missing from collection "default_collection"\n'],
    ["ttl", ["ttl", "absent", "-c", "other"], 'kv: key "absent" is missing from collection "other"\n'],
    ["delete", ["delete", "absent"], 'kv: key "absent" is missing from collection "default_collection"\n'],
    ["destroy-collection", ["destroy-collection", "empty"], 'kv: collection "empty" holds nothing\n'],
  ])("%s of something absent: not found (3), one line on stderr", async (_, args, stderr) => {
    expect(await kv(args, { cwd })).toEqual({ code: EXIT_CODES.notFound, stdout: "", stderr });
  });

  it.each([
    ["bad JSON", ["put", "k", "{nope"], /^kv: the value is not valid JSON: /],
    ["JSON that is not an object", ["put", "k", "[1,2]"], /^kv: value must be a plain JSON object, got an array\n$/],
    ["a negative TTL", ["put", "k", "{}", "--ttl", "-5"], /^kv: ttl must be a finite number of seconds greater than 0, got -5\n$/],
    ["a TTL that is not a number", ["put", "k", "{}", "--ttl", "soon"], /^kv: ttl must be a finite number/],
    ["a bad limit", ["keys", "--limit", "-1"], /^kv: limit must be a whole number/],
    ["a bad batch size", ["export", "--batch-size", "0"], /^kv: --batch-size must be a whole number ≥ 1, got 0\n$/],
    ["an unknown command", ["fetch", "k"], /^error: unknown command 'fetch'/],
    ["a missing argument", ["get"], /^error: missing required argument 'key'/],
    ["an unknown option", ["get", "k", "--colection", "x"], /^error: unknown option '--colection'/],
    ["an unknown URL scheme", ["get", "k", "-s", "sqlite://db"], /^kv: unknown store URL scheme sqlite:\/\/ \(known: memory:\/\//],
    ["a bad port", ["get", "k", "-s", "redis://127.0.0.1:99999"], /^kv: invalid host in a redis:\/\/ URL/],
    ["an unknown URL parameter", ["get", "k", "-s", "disk://./x?maxsize=1"], /^kv: invalid store URL disk:\/\/\.\/x\?maxsize=1: unknown parameter "maxsize"/],
    ["a store that cannot list collections", ["collections", "-s", "redis://127.0.0.1:1"], /^kv: RedisStore cannot list collections\n$/],
  ])("%s: bad input (2)", async (_, args, stderr) => {
    const result = await kv(args, { cwd });
    expect(result.code).toBe(EXIT_CODES.badInput);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(stderr);
  });

  it("wrote nothing for the refused commands", async () => {
    expect((await kv(["keys"], { cwd })).stdout).toBe("present\n");
  });

  it("an unreachable server: 4, and no credential on stderr even with --verbose", async () => {
    const port = await closedPort();
    for (const [url, env] of [
      [`redis://app:${SECRET}@127.0.0.1:${port}/0`, {}],
      [`redis://127.0.0.1:${port}`, { KV_REDIS_PASSWORD: SECRET }],
      [`postgres://kv:${SECRET}@127.0.0.1:${port}/postgres`, {}],
    ] as const) {
      const result = await kv(["get", "k", "-s", url, "--verbose"], { cwd, env });
      expect(result.code).toBe(EXIT_CODES.unreachable);
      expect(result.stderr).toMatch(/^kv: \w+Store (lost or )?cannot reach the server: connect ECONNREFUSED/);
      expect(result.stderr).toMatch(/error: StoreConnectionError \(KV_CONNECTION\)\n/);
      expect(result.stderr + result.stdout).not.toContain(SECRET);
    }
  });

  it("a URL's password is not shown when the URL is refused", async () => {
    const result = await kv(["get", "k", "-s", `redis://app:${SECRET}@h/zero`, "--verbose"], { cwd });
    expect(result.code).toBe(EXIT_CODES.badInput);
    expect(result.stderr).toContain("redis://app:***@h/zero");
    expect(result.stderr).not.toContain(SECRET);
  });
});

describe("kv export and import", () => {
  it("round-trip every collection through NDJSON, keeping TTLs", async () => {
    const cwd = workspace();
    await kv(["put", "a", '{"n":1}', "-c", "one", "--ttl", "600"], { cwd });
    await kv(["put", "b", '{"n":2}', "-c", "two"], { cwd });
    const exported = await kv(["export"], { cwd });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe("exported 2 entries from 2 collections\n");
    const lines = exported.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.key === "b")).toEqual({ collection: "two", key: "b", value: { n: 2 }, version: 1 });
    expect(lines.find((line) => line.key === "a")).toMatchObject({ collection: "one", key: "a", value: { n: 1 }, expires_at: expect.stringMatching(/\+00:00$/) });

    const imported = await kv(["import", "-s", "disk://./copy"], { cwd, input: exported.stdout });
    expect(imported).toEqual({ code: 0, stdout: "imported 2, skipped 0 (expired), failed 0\n", stderr: "" });
    expect(Number.parseFloat((await kv(["ttl", "a", "-c", "one", "-s", "disk://./copy"], { cwd })).stdout)).toBeGreaterThan(590);

    await kv(["export", "dump.ndjson", "-c", "one"], { cwd });
    expect(readFileSync(join(cwd, "dump.ndjson"), "utf8").trim().split("\n")).toHaveLength(1);
    const forced = await kv(["import", "dump.ndjson", "-s", "disk://./third", "-c", "elsewhere", "--json"], { cwd });
    expect(JSON.parse(forced.stdout)).toEqual({ imported: 1, skipped: 0, failed: 0 });
    expect((await kv(["keys", "-s", "disk://./third", "-c", "elsewhere"], { cwd })).stdout).toBe("a\n");
  });

  it("skip entries that have expired, and stop at a bad line after writing the lines before it", async () => {
    const cwd = workspace();
    const input = [
      '{"collection":"c","key":"k1","value":{"n":1}}',
      '{"collection":"c","expires_at":"2001-01-01T00:00:00.000000+00:00","key":"old","value":{}}',
      "",
      '{"collection":"c","key":"k2","value":{"n":2}}',
      "{not json",
      '{"collection":"c","key":"k3","value":{"n":3}}',
    ].join("\n");
    const result = await kv(["import"], { cwd, input });
    expect(result.code).toBe(EXIT_CODES.badInput);
    expect(result.stderr).toBe("kv: line 5 is not an @kv envelope: it is not valid JSON (the 2 entries before it were imported)\n");
    expect((await kv(["keys", "-c", "c"], { cwd })).stdout.split("\n").sort()).toEqual(["", "k1", "k2"]);

    const clean = await kv(["import"], { cwd, input: input.split("\n").slice(0, 4).join("\n") });
    expect(clean.stdout).toBe("imported 2, skipped 1 (expired), failed 0\n");
  });
});

describe("kv copy between DiskStores", () => {
  it("copies every collection, or those chosen, and --dry-run writes nothing", async () => {
    const cwd = workspace();
    const entries = Array.from({ length: 30 }, (_, index) => `{"collection":"c${index % 3}","key":"k${index}","value":{"i":${index}}}`);
    await kv(["import", "--batch-size", "7"], { cwd, input: entries.join("\n") });

    const dry = await kv(["copy", "disk://./.kv", "disk://./dry", "-c", "c1"], { cwd, env: {} }).then(() => kv(["copy", "disk://./.kv", "disk://./never", "--dry-run", "-c", "c1"], { cwd }));
    expect(dry.code).toBe(0);
    expect(dry.stdout.split("\n").filter((line) => line.startsWith("would copy \"c1\""))).toHaveLength(10);
    expect(dry.stdout).toMatch(/would copy 10, skipped 0 \(expired\)\n$/);
    expect(existsSync(join(cwd, "never"))).toBe(false);

    const all = await kv(["copy", "disk://./.kv", "disk://./all", "--batch-size", "4", "--json"], { cwd });
    expect(all).toMatchObject({ code: 0, stdout: '{"copied":30,"skipped":0,"failed":0}\n' });
    expect((await kv(["collections", "-s", "disk://./all"], { cwd })).stdout.split("\n").sort()).toEqual(["", "c0", "c1", "c2"]);

    const chosen = await kv(["copy", "disk://./.kv", "disk://./some", "-c", "c0", "-c", "c2"], { cwd });
    expect(chosen).toEqual({ code: 0, stdout: "copied 20, skipped 0 (expired), failed 0\n", stderr: "" });
    await using copied = new DiskStore({ directory: join(cwd, "some") });
    expect(await copied.get("k3", { collection: "c0" })).toEqual({ i: 3 });
    expect(await copied.get("k1", { collection: "c1" })).toBeUndefined();
  });
});
