import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES } from "../src/exit-codes.js";
import { kv } from "./run-kv.js";

const packages = join(__dirname, "..", "..");

/**
 * An install of @kv/cli with its dependencies only, as `npm install @kv/cli`
 * lays it out: the two packages copied (so Node resolves their imports from
 * here, not from the workspace, where every backend is linked), the rest linked.
 */
function install(root: string): string {
  const modules = join(root, "node_modules");
  for (const name of ["cli", "connect"]) {
    const target = join(modules, "@kv", name);
    mkdirSync(target, { recursive: true });
    cpSync(join(packages, name, "package.json"), join(target, "package.json"));
    cpSync(join(packages, name, "dist"), join(target, "dist"), { recursive: true });
  }
  for (const name of ["core", "disk"]) symlinkSync(realpathSync(join(packages, name)), join(modules, "@kv", name));
  for (const name of ["commander", "cli-progress"]) symlinkSync(realpathSync(join(packages, "cli", "node_modules", name)), join(modules, name));
  const manifest = JSON.parse(readFileSync(join(modules, "@kv", "cli", "package.json"), "utf8")) as { bin: { kv: string } };
  return join(modules, "@kv", "cli", manifest.bin.kv);
}

describe("kv installed with its dependencies only", () => {
  let root: string;
  let bin: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "kv-install-"));
    bin = install(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("works on the embedded default store", async () => {
    expect(await kv(["put", "k", '{"a":1}'], { bin, cwd: root })).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await kv(["get", "k", "--json"], { bin, cwd: root })).toEqual({ code: 0, stdout: '{"a":1}\n', stderr: "" });
  });

  it("names the backend package to install (exit 5)", async () => {
    expect(await kv(["get", "k", "-s", "redis://127.0.0.1:6379"], { bin, cwd: root })).toEqual({
      code: EXIT_CODES.backendMissing,
      stdout: "",
      stderr: "kv: redis:// stores need the package @kv/redis, which is not installed: npm install @kv/redis\n",
    });
    const copy = await kv(["copy", "disk://./.kv", "postgres://kv@127.0.0.1/postgres"], { bin, cwd: root });
    expect(copy.code).toBe(EXIT_CODES.backendMissing);
    expect(copy.stderr).toMatch(/npm install @kv\/postgres\n$/);
  });
});
