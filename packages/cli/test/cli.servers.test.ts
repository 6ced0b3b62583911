import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { formatTimestamp, type JsonObject } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { describeWithServer } from "@kv/test-servers";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES } from "../src/exit-codes.js";
import { closedPort, kv } from "./run-kv.js";

const COLLECTIONS = ["sessions", "profiles"] as const;
const LIVE = 10_000;
const EXPIRED = 2_000;
/** Seconds to live per entry class; undefined never expires. */
const TTL_CLASSES = [undefined, 60, 3_600, 86_400] as const;
const TTL_TOLERANCE_SECONDS = 2;

interface Expected {
  collection: string;
  key: string;
  value: JsonObject;
  expiresAt: number | undefined;
}

/** 10,000 live entries in two collections with four kinds of TTL, plus 2,000 lines that have already expired. */
function generate(): { ndjson: string; expected: Expected[] } {
  const now = Date.now();
  const expected: Expected[] = [];
  const lines: string[] = [];
  for (let index = 0; index < LIVE + EXPIRED; index++) {
    const collection = COLLECTIONS[index % 2]!;
    const key = `entry-${index}`;
    const value = { index, name: `user ${index}`, tags: ["a", index % 7 === 0 ? "ü✓" : "b"] };
    const ttl = index < LIVE ? TTL_CLASSES[index % TTL_CLASSES.length] : -60;
    const expiresAt = ttl === undefined ? undefined : now + ttl * 1000;
    const expiry = expiresAt === undefined ? "" : `"expires_at":"${formatTimestamp(new Date(expiresAt))}",`;
    lines.push(`{"collection":${JSON.stringify(collection)},${expiry}"key":"${key}","value":${JSON.stringify(value)},"version":1}`);
    if (index < LIVE) expected.push({ collection, key, value, expiresAt });
  }
  return { ndjson: `${lines.join("\n")}\n`, expected };
}

describeWithServer({ kind: "redis" }, "kv against Redis", (redis) =>
  describeWithServer({ kind: "postgres" }, "and PostgreSQL", (postgres) => {
    let directory: string;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), "kv-cli-servers-"));
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    const redisUrl = () => `${redis().url}/5`;
    const postgresUrl = () => `${postgres().url}?table=kv_cli_copy`;

    it("put, get, ttl and keys on each server", async () => {
      for (const url of [redisUrl(), postgresUrl()]) {
        expect((await kv(["put", "probe", '{"ok":true}', "-s", url, "-c", "probe", "--ttl", "120"])).code).toBe(0);
        expect((await kv(["get", "probe", "-s", url, "-c", "probe", "--json"])).stdout).toBe('{"ok":true}\n');
        expect(Number.parseFloat((await kv(["ttl", "probe", "-s", url, "-c", "probe"])).stdout)).toBeGreaterThan(115);
        expect((await kv(["keys", "-s", url, "-c", "probe"])).stdout).toBe("probe\n");
        expect((await kv(["delete", "probe", "-s", url, "-c", "probe"])).stdout).toBe("deleted\n");
      }
    });

    it(`copies ${LIVE.toLocaleString("en-US")} entries Redis → PostgreSQL → DiskStore, keeping values and remaining TTLs`, async () => {
      const { ndjson, expected } = generate();
      const imported = await kv(["import", "-s", redisUrl(), "--json"], { input: ndjson });
      expect(imported).toEqual({ code: 0, stdout: `${JSON.stringify({ imported: LIVE, skipped: EXPIRED, failed: 0 })}\n`, stderr: "" });

      const unnamed = await kv(["copy", redisUrl(), postgresUrl()]);
      expect(unnamed).toEqual({ code: EXIT_CODES.badInput, stdout: "", stderr: "kv: RedisStore cannot list its collections: name them with --collection\n" });

      const toPostgres = await kv(["copy", redisUrl(), postgresUrl(), "-c", "sessions", "-c", "profiles", "--no-progress"]);
      expect(toPostgres).toEqual({ code: 0, stdout: `copied ${LIVE}, skipped 0 (expired), failed 0\n`, stderr: "" });
      const toDisk = await kv(["copy", postgresUrl(), `disk://${directory}`, "--json"]);
      expect(toDisk).toMatchObject({ code: 0, stdout: `${JSON.stringify({ copied: LIVE, skipped: 0, failed: 0 })}\n` });

      await using disk = new DiskStore({ directory });
      const now = Date.now();
      for (const collection of COLLECTIONS) {
        const wanted = expected.filter((entry) => entry.collection === collection);
        const found = await disk.ttlMany(
          wanted.map((entry) => entry.key),
          { collection },
        );
        found.forEach((result, index) => {
          const entry = wanted[index]!;
          expect(result?.value).toEqual(entry.value);
          if (entry.expiresAt === undefined) {
            expect(result!.ttl).toBeUndefined();
          } else {
            const remaining = (entry.expiresAt - now) / 1000;
            expect(Math.abs(result!.ttl! - remaining)).toBeLessThan(TTL_TOLERANCE_SECONDS);
          }
        });
      }
      const collections = await kv(["collections", "-s", `disk://${directory}`]);
      expect(collections.stdout.split("\n").sort()).toEqual(["", "profiles", "sessions"]);
    });

    it("exports a collection from Redis as NDJSON", async () => {
      const exported = await kv(["export", "-s", redisUrl(), "-c", "sessions", "--batch-size", "333"]);
      expect(exported.code).toBe(0);
      expect(exported.stdout.trim().split("\n")).toHaveLength(LIVE / 2);
      expect(exported.stderr).toBe(`exported ${LIVE / 2} entries from 1 collections\n`);
    });

    it("copy --dry-run lists entries without touching the destination", async () => {
      const port = await closedPort();
      const dry = await kv(["copy", postgresUrl(), `redis://127.0.0.1:${port}`, "-c", "profiles", "--dry-run", "--json"]);
      expect(dry.code).toBe(0);
      const lines = dry.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toEqual({ dryRun: true, wouldCopy: LIVE / 2, skipped: 0 });
      expect(lines[0]).toMatchObject({ collection: "profiles", key: expect.stringMatching(/^entry-/) });
    });

    it("a copy to an unreachable server stops with exit 4 before reading", async () => {
      const port = await closedPort();
      const result = await kv(["copy", postgresUrl(), `postgres://kv@127.0.0.1:${port}/postgres`]);
      expect(result.code).toBe(EXIT_CODES.unreachable);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^kv: PostgresStore (lost or )?cannot reach the server/);
    });
  }),
);
