import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { LoggingWrapper, type Logger } from "../src/index.js";
import { ALL_CAPABILITIES, collect, full } from "./fixtures.js";

type Line = [level: "debug" | "info" | "error", message: string, details: Record<string, unknown> | undefined];

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    debug: (message, details) => lines.push(["debug", message, details]),
    info: (message, details) => lines.push(["info", message, details]),
    error: (message, details) => lines.push(["error", message, details]),
  };
}

const silent: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined };

describeConformance({
  name: "LoggingWrapper",
  createStore: () => new LoggingWrapper(new MemoryStore(), { logger: silent, logValues: true }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("LoggingWrapper", () => {
  it("logs reads at debug and writes at info, with values redacted by default", async () => {
    const logger = recorder();
    const store = full(new LoggingWrapper(new MemoryStore(), { logger }));
    await store.put("alice", { secret: "s3cret" }, { collection: "users", ttl: 60 });
    await store.get("alice", { collection: "users" });
    await store.getMany(["alice", "bob"], { collection: "users" });
    await store.deleteMany(["alice"], { collection: "users" });
    await collect(store.keys({ collection: "users" }));
    expect(logger.lines).toEqual([
      ["info", "put", { operation: "put", collection: "users", key: "alice", ttl: 60, value: "[redacted]" }],
      ["debug", "get", { operation: "get", collection: "users", key: "alice", found: true, value: "[redacted]" }],
      ["debug", "getMany", { operation: "getMany", collection: "users", keys: ["alice", "bob"], found: 1, values: ["[redacted]", undefined] }],
      ["info", "deleteMany", { operation: "deleteMany", collection: "users", keys: ["alice"], removed: 1 }],
      ["debug", "keys", { operation: "keys", collection: "users", limit: undefined, yielded: 0 }],
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain("s3cret");
  });

  it("logs values when asked, and failures at error with the error's code", async () => {
    const logger = recorder();
    const store = new LoggingWrapper(new MemoryStore(), { logger, logValues: true });
    await store.put("k", { v: 1 });
    await expect(store.get("")).rejects.toBeInstanceOf(InvalidKeyError);
    expect(logger.lines[0]![2]).toMatchObject({ value: { v: 1 } });
    expect(logger.lines[1]).toEqual([
      "error",
      "get failed",
      { operation: "get", collection: "default_collection", key: "", error: { name: "InvalidKeyError", code: "KV_INVALID_KEY", message: "key must not be empty" } },
    ]);
  });

  it("logs an enumeration the caller stopped early", async () => {
    const logger = recorder();
    const memory = new MemoryStore();
    await memory.putMany([["a", { v: 1 }], ["b", { v: 2 }]]);
    const store = full(new LoggingWrapper(memory, { logger }));
    for await (const key of store.keys()) if (key) break;
    expect(logger.lines).toEqual([["debug", "keys", { operation: "keys", collection: "default_collection", limit: undefined, yielded: 1 }]]);
  });
});
