import { expect, it } from "@jest/globals";
import { InvalidKeyError, StoreConnectionError } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { RedisStore } from "@kv/redis";
import { describeWithServer } from "@kv/test-servers";
import { CircuitBreakerWrapper, CircuitOpenError, FallbackWrapper, RetryWrapper, type RetryEvent } from "../src/index.js";

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Runs `attempt` until it succeeds, for at most `withinMs`. */
async function eventually(withinMs: number, attempt: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describeWithServer({ kind: "redis", controllable: true }, "wrappers over a Redis that is stopped and restarted", (server) => {
  it("RetryWrapper: a write made while Redis is down lands once it is back; bad input is never retried", async () => {
    const redis = new RedisStore({ url: server().url, defaultCollection: "retry" });
    const events: RetryEvent[] = [];
    let resumed: Promise<void> | undefined;
    const store = new RetryWrapper(redis, {
      maxRetries: 60,
      initialDelayMs: 50,
      maxDelayMs: 500,
      onRetry: (event) => {
        events.push(event);
        // The server comes back only after the write has failed at least once.
        resumed ??= server().resume();
      },
    });
    try {
      await store.put("before", { v: 0 });
      await server().interrupt();
      await expect(store.put("", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
      expect(events).toEqual([]);
      await store.put("during", { v: 1 });
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((event) => event.operation === "put" && event.error instanceof StoreConnectionError)).toBe(true);
      await expect(redis.get("during")).resolves.toEqual({ v: 1 });
    } finally {
      await (resumed ?? server().resume());
      await store.close();
    }
  }, 60_000);

  it("CircuitBreakerWrapper: opens while Redis is down (reads go to the fallback), and a probe closes it once Redis is back", async () => {
    const redis = new RedisStore({ url: server().url, defaultCollection: "breaker" });
    const breaker = new CircuitBreakerWrapper(redis, { failureThreshold: 2, resetTimeoutMs: 300 });
    const fallback = new MemoryStore();
    const store = new FallbackWrapper(breaker, { fallback });
    try {
      await store.put("k", { from: "redis" });
      await fallback.put("k", { from: "fallback" }, { collection: "breaker" });
      await server().interrupt();
      try {
        await expect(store.get("k")).resolves.toEqual({ from: "fallback" });
        await expect(store.get("k")).resolves.toEqual({ from: "fallback" });
        expect(breaker.state).toBe("open");
        await expect(breaker.get("k")).rejects.toBeInstanceOf(CircuitOpenError);
        await expect(store.getMany(["k"])).resolves.toEqual([{ from: "fallback" }]);
      } finally {
        await server().resume();
      }
      // Probes fail (and reopen the circuit) until the client has reconnected.
      await eventually(20_000, () => breaker.put("k", { from: "redis again" }));
      expect(breaker.state).toBe("closed");
      await expect(store.get("k")).resolves.toEqual({ from: "redis again" });
    } finally {
      await store.close();
    }
  }, 60_000);
});
