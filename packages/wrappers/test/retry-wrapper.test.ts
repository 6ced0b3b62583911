import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, InvalidKeyError, StoreConnectionError, StoreOperationError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { CircuitOpenError, RetryWrapper, StoreTimeoutError, type RetryEvent } from "../src/index.js";
import { ALL_CAPABILITIES, FaultyStore, collect, full } from "./fixtures.js";

describeConformance({
  name: "RetryWrapper",
  createStore: () => new RetryWrapper(new MemoryStore()),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

/** Jitter pinned to its ceiling, so the delays are the backoff ceilings. */
class CeilingRetryWrapper extends RetryWrapper<FaultyStore> {
  protected override random(): number {
    return 0.999_999;
  }
}

describe("RetryWrapper", () => {
  it("retries connection failures with exponentially growing, capped delays until the store answers", async () => {
    const faulty = new FaultyStore();
    await faulty.put("k", { v: 1 });
    faulty.calls = 0;
    faulty.failNext = 4;
    const events: RetryEvent[] = [];
    const store = new CeilingRetryWrapper(faulty, { maxRetries: 5, initialDelayMs: 2, maxDelayMs: 10, onRetry: (event) => events.push(event) });
    await expect(store.get("k")).resolves.toEqual({ v: 1 });
    expect(faulty.calls).toBe(5);
    expect(events.map(({ operation, attempt, delayMs }) => [operation, attempt, delayMs])).toEqual([
      ["get", 1, 2],
      ["get", 2, 4],
      ["get", 3, 8],
      ["get", 4, 10],
    ]);
    expect(events[0]!.error).toBeInstanceOf(StoreConnectionError);
  });

  it("gives up after maxRetries and rejects with the last failure", async () => {
    const faulty = new FaultyStore();
    faulty.failNext = 10;
    const store = new RetryWrapper(faulty, { maxRetries: 2, initialDelayMs: 1 });
    await expect(store.put("k", { v: 1 })).rejects.toBeInstanceOf(StoreConnectionError);
    expect(faulty.calls).toBe(3);
  });

  it("retries timeouts, but never validation errors, operation errors or open circuits by default", async () => {
    const timeouts = new FaultyStore();
    timeouts.failNext = 1;
    timeouts.failWith = () => new StoreTimeoutError("get", 10, Promise.resolve({ status: "fulfilled", value: undefined }));
    await expect(new RetryWrapper(timeouts, { initialDelayMs: 1 }).get("k")).resolves.toBeUndefined();
    expect(timeouts.calls).toBe(2);
    for (const make of [() => new StoreOperationError("rejected"), () => new CircuitOpenError(Date.now())]) {
      const faulty = new FaultyStore();
      faulty.failNext = 1;
      faulty.failWith = make;
      await expect(new RetryWrapper(faulty, { initialDelayMs: 1 }).get("k")).rejects.toBeInstanceOf(make().constructor);
      expect(faulty.calls).toBe(1);
    }
  });

  it("never retries an input error, whatever retryOn says", async () => {
    const faulty = new FaultyStore();
    const store = new RetryWrapper(faulty, { retryOn: () => true, initialDelayMs: 1 });
    await expect(store.put("", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
    expect(faulty.calls).toBe(1);
  });

  it("retries an enumeration that fails before its first key", async () => {
    const faulty = new FaultyStore();
    await faulty.putMany([["a", { v: 1 }], ["b", { v: 2 }]]);
    faulty.failNext = 2;
    const store = full(new RetryWrapper(faulty, { initialDelayMs: 1 }));
    expect((await collect(store.keys())).sort()).toEqual(["a", "b"]);
  });

  it("refuses bad options", () => {
    expect(() => new RetryWrapper(new MemoryStore(), { maxRetries: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RetryWrapper(new MemoryStore(), { initialDelayMs: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new RetryWrapper(new MemoryStore(), { multiplier: 0.5 })).toThrow(InvalidArgumentError);
  });
});
