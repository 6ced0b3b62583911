import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError, StoreConnectionError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { CircuitBreakerWrapper, CircuitOpenError, FallbackWrapper, type CircuitStateChange } from "../src/index.js";
import { ALL_CAPABILITIES, FaultyStore } from "./fixtures.js";

describeConformance({
  name: "CircuitBreakerWrapper",
  createStore: () => new CircuitBreakerWrapper(new MemoryStore()),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("CircuitBreakerWrapper", () => {
  it("opens after N consecutive failures and then refuses calls without trying the store", async () => {
    const faulty = new FaultyStore();
    const changes: CircuitStateChange[] = [];
    const store = new CircuitBreakerWrapper(faulty, { failureThreshold: 3, resetTimeoutMs: 60_000, onStateChange: (change) => changes.push(change) });
    faulty.failNext = 3;
    for (let attempt = 0; attempt < 3; attempt++) await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
    expect(store.state).toBe("open");
    const refused = await store.get("k").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toBeInstanceOf(StoreConnectionError);
    expect(faulty.calls).toBe(3);
    expect(changes.map(({ from, to }) => `${from}->${to}`)).toEqual(["closed->open"]);
  });

  it("a success in between resets the count; input errors do not count", async () => {
    const faulty = new FaultyStore();
    const store = new CircuitBreakerWrapper(faulty, { failureThreshold: 2 });
    faulty.failNext = 1;
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
    await store.get("k");
    faulty.failNext = 1;
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
    await expect(store.get("")).rejects.toBeInstanceOf(InvalidKeyError);
    expect(store.state).toBe("closed");
  });

  it("half-opens after the reset timeout: one probe goes through and its outcome closes or reopens the circuit", async () => {
    const faulty = new FaultyStore();
    const changes: string[] = [];
    const store = new CircuitBreakerWrapper(faulty, { failureThreshold: 1, resetTimeoutMs: 30, onStateChange: ({ from, to }) => changes.push(`${from}->${to}`) });
    faulty.failNext = 2;
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
    await sleep(60);
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
    expect(store.state).toBe("open");
    await sleep(60);
    faulty.hold = true;
    const probe = store.put("k", { v: 1 });
    await expect(store.get("k")).rejects.toBeInstanceOf(CircuitOpenError);
    faulty.release();
    await probe;
    expect(store.state).toBe("closed");
    await expect(store.get("k")).resolves.toEqual({ v: 1 });
    expect(changes).toEqual(["closed->open", "open->half-open", "half-open->open", "open->half-open", "half-open->closed"]);
  });

  it("behind a FallbackWrapper, an open circuit sends reads to the fallback store at once", async () => {
    const faulty = new FaultyStore();
    const fallback = new MemoryStore();
    await fallback.put("k", { from: "fallback" });
    const store = new FallbackWrapper(new CircuitBreakerWrapper(faulty, { failureThreshold: 1 }), { fallback });
    faulty.failNext = 1;
    await expect(store.get("k")).resolves.toEqual({ from: "fallback" });
    await expect(store.get("k")).resolves.toEqual({ from: "fallback" });
    expect(faulty.calls).toBe(1);
  });
});
