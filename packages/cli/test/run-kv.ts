import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** The built command, as `npx kv` runs it. */
export const KV_BIN = join(__dirname, "..", "dist", "bin.js");

export interface KvResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KvRun {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Another `bin.js` (a copy installed elsewhere). */
  bin?: string;
}

/** Runs `node dist/bin.js …` in a child process, without any KV_* variable of this one. */
export function kv(args: readonly string[], run: KvRun = {}): Promise<KvResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("KV_")));
  const child = spawn(process.execPath, [run.bin ?? KV_BIN, ...args], { cwd: run.cwd, env: { ...env, ...run.env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(run.input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
