import { spawn, type ChildProcess } from "node:child_process";
import { createServer, Socket } from "node:net";

/** A port on 127.0.0.1 that nothing listens on (with `busOffset`, `port + busOffset` is free too: Redis cluster buses). */
export async function freePort(busOffset?: number): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    if (busOffset === undefined) return port;
    if (port + busOffset < 65_536 && (await isFree(port + busOffset))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Sends `request` to 127.0.0.1:`port` and resolves the reply text once `done(reply)` says it is complete. */
export function ask(port: number, request: string, done: (reply: string) => boolean, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = "";
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply from 127.0.0.1:${port}`)));
    socket.once("error", fail);
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (done(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.connect(port, "127.0.0.1", () => socket.write(request));
  });
}

/** Polls `probe` until it resolves true, for at most `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A server process that can be stopped and started again with the same command line (same port, same directory). */
export class LocalProcess {
  private child: ChildProcess | undefined;
  private output = "";

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    private readonly ready: () => Promise<boolean>,
    private readonly environment: Record<string, string> = {},
    private readonly startTimeoutMs = 30_000,
  ) {}

  async start(): Promise<void> {
    this.output = "";
    const child = spawn(this.command, this.args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...this.environment } });
    this.child = child;
    const record = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-4_000);
    };
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`${this.command} exited (${code ?? signal}) before it was ready:\n${this.output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitUntil(`${this.command} ${this.args.join(" ")}`, this.ready, this.startTimeoutMs), exited]);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
  }
}
