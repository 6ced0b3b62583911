import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { StoreSetupError } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { FileTreeStore } from "@kv/filetree";
import { MemoryStore } from "@kv/memory";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKENDS, BackendNotInstalledError, openStore, type BackendImporter } from "../src/index.js";

const SECRET = "s3cr3t-Pa55";

function missing(packageName: string, style: "esm" | "cjs"): Error {
  const error = new Error(style === "esm" ? `Cannot find package '${packageName}' imported from /app/node_modules/@kv/connect/dist/index.js` : `Cannot find module '${packageName}'`);
  return Object.assign(error, { code: style === "esm" ? "ERR_MODULE_NOT_FOUND" : "MODULE_NOT_FOUND" });
}

describe("openStore: loading backend packages", () => {
  it.each(["esm", "cjs"] as const)("a missing package is a BackendNotInstalledError naming it (%s wording)", async (style) => {
    const importBackend: BackendImporter = (name) => Promise.reject(missing(name, style));
    const error = await openStore("dynamodb://sessions", { importBackend }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendNotInstalledError);
    expect(error).toBeInstanceOf(StoreSetupError);
    expect((error as BackendNotInstalledError).packageName).toBe("@kv/dynamodb");
    expect((error as Error).message).toBe("dynamodb:// stores need the package @kv/dynamodb, which is not installed: npm install @kv/dynamodb");
  });

  it("a package whose own dependency is missing is not reported as not installed", async () => {
    const importBackend: BackendImporter = () => Promise.reject(missing("ioredis", "esm"));
    const error = await openStore("redis://h", { importBackend }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreSetupError);
    expect(error).not.toBeInstanceOf(BackendNotInstalledError);
    expect((error as Error).message).toMatch(/cannot load @kv\/redis: Cannot find package 'ioredis'/);
  });

  it("imports only the package the URL names", async () => {
    const imported: string[] = [];
    const importBackend: BackendImporter = async (name) => {
      imported.push(name);
      return { MemoryStore };
    };
    await (await openStore("memory://", { importBackend })).close();
    expect(imported).toEqual(["@kv/memory"]);
  });

  it("a package without the expected class is a StoreSetupError", async () => {
    await expect(openStore("memory://", { importBackend: async () => ({}) })).rejects.toThrow(/@kv\/memory does not export MemoryStore/);
  });

  it("calls the static factory a URL asks for, with the options last", async () => {
    const calls: unknown[][] = [];
    class AzureTablesStore {
      static fromAccountAndKey(...args: unknown[]): AzureTablesStore {
        calls.push(args);
        return new AzureTablesStore();
      }
    }
    await openStore("azure-tables://?account=dev&key=k3y&table=sessions", { importBackend: async () => ({ AzureTablesStore }) });
    expect(calls).toEqual([["dev", "k3y", { tableName: "sessions" }]]);
  });

  it("redacts credentials from a constructor's own error", async () => {
    class RedisStore {
      constructor(options: { url: string }) {
        throw new TypeError(`cannot parse ${options.url}`);
      }
    }
    const error = (await openStore(`redis://user:${SECRET}@h`, { importBackend: async () => ({ RedisStore }) }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(StoreSetupError);
    expect(error.message).toMatch(/^cannot create RedisStore for redis:\/\/user:\*\*\*@h: cannot parse/);
    expect(`${error.message} ${error.stack} ${String((error.cause as Error).message)}`).not.toContain(SECRET);
  });

  it("every backend package is an optional peer dependency", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const backend of BACKENDS) {
      expect(manifest.peerDependencies[backend.packageName]).toBeDefined();
      expect(manifest.peerDependenciesMeta[backend.packageName]?.optional).toBe(true);
    }
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(BACKENDS.map((backend) => backend.packageName).sort());
  });
});

describe("openStore: embedded stores, really opened", () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "kv-connect-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("memory://", async () => {
    await using store = await openStore("memory://", { defaultCollection: "users" });
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.defaultCollection).toBe("users");
    await store.put("alice", { name: "Alice" });
    expect(await store.get("alice", { collection: "users" })).toEqual({ name: "Alice" });
  });

  it("no URL: DiskStore in ./.kv of cwd, and data outlives the store", async () => {
    {
      await using store = await openStore(undefined, { cwd: directory });
      expect(store).toBeInstanceOf(DiskStore);
      await store.put("k", { v: 1 }, { ttl: 60 });
    }
    await using again = await openStore("disk://./.kv", { cwd: directory });
    expect((await again.ttl("k"))?.value).toEqual({ v: 1 });
    expect(readFileSync(join(directory, ".kv", "kv.sqlite")).length).toBeGreaterThan(0);
  });

  it("file:///abs/dir", async () => {
    await using store = await openStore(`file://${join(directory, "tree")}`);
    expect(store).toBeInstanceOf(FileTreeStore);
    await store.put("k", { v: 2 }, { collection: "c" });
    expect(JSON.parse(readFileSync(join(directory, "tree", "c", "k.json"), "utf8"))).toMatchObject({ key: "k", value: { v: 2 } });
  });
});
