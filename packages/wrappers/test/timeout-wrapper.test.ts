import { describe, expect, it } from "@jest/globals";
import { StoreConnectionError } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { StoreTimeoutError, TimeoutWrapper, type LateSettlement } from "../src/index.js";
import { ALL_CAPABILITIES, FaultyStore, collect, full } from "./fixtures.js";

describeConformance({
  name: "TimeoutWrapper",
  createStore: () => new TimeoutWrapper(new MemoryStore(), { timeoutMs: 10_000 }),
  capabilities: ALL_CAPABILITIES,
  persistent: false,
});

describe("TimeoutWrapper", () => {
  it("rejects a slow operation with StoreTimeoutError, a StoreConnectionError", async () => {
    const faulty = new FaultyStore();
    faulty.hold = true;
    const store = new TimeoutWrapper(faulty, { timeoutMs: 50 });
    const failure = await store.get("k", { collection: "c" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreTimeoutError);
    expect(failure).toBeInstanceOf(StoreConnectionError);
    expect(failure).toMatchObject({ operation: "get", timeoutMs: 50, code: "KV_CONNECTION", collection: "c", key: "k" });
    faulty.release();
  });

  it("reports a timed-out write that lands after all, through the error and the callback", async () => {
    const faulty = new FaultyStore();
    const late: LateSettlement[] = [];
    const store = new TimeoutWrapper(faulty, { timeoutMs: 50, onLateSettlement: (settlement) => late.push(settlement) });
    faulty.hold = true;
    const failure = (await store.put("k", { v: 1 }, { collection: "c" }).catch((error: unknown) => error)) as StoreTimeoutError;
    expect(failure).toBeInstanceOf(StoreTimeoutError);
    faulty.release();
    await expect(failure.settled).resolves.toEqual({ status: "fulfilled", value: undefined });
    await expect(faulty.get("k", { collection: "c" })).resolves.toEqual({ v: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual([{ operation: { name: "put", collection: "c", keys: ["k"], values: [{ v: 1 }] }, outcome: { status: "fulfilled", value: undefined } }]);
  });

  it("reports a timed-out write that fails late", async () => {
    const faulty = new FaultyStore();
    faulty.hold = true;
    const late: LateSettlement[] = [];
    const store = new TimeoutWrapper(faulty, { timeoutMs: 50, onLateSettlement: (settlement) => late.push(settlement) });
    const failure = (await store.delete("k").catch((error: unknown) => error)) as StoreTimeoutError;
    await faulty.close();
    faulty.release();
    const outcome = await failure.settled;
    expect(outcome.status).toBe("rejected");
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toHaveLength(1);
    expect(late[0]!.outcome.status).toBe("rejected");
  });

  it("close waits for operations still under way before it closes the store", async () => {
    const faulty = new FaultyStore();
    faulty.hold = true;
    const store = new TimeoutWrapper(faulty, { timeoutMs: 50 });
    const failure = (await store.put("k", { v: 1 }).catch((error: unknown) => error)) as StoreTimeoutError;
    expect(failure).toBeInstanceOf(StoreTimeoutError);
    const closing = store.close();
    faulty.release();
    await closing;
    // Had the store been closed first, the write would have failed with StoreClosedError.
    await expect(failure.settled).resolves.toEqual({ status: "fulfilled", value: undefined });
    expect(faulty.inner.closed).toBe(true);
  });

  it("times each step of an enumeration", async () => {
    const faulty = new FaultyStore();
    await faulty.put("k", { v: 1 });
    await expect(collect(full(new TimeoutWrapper(faulty, { timeoutMs: 10_000 })).keys())).resolves.toEqual(["k"]);
    faulty.hold = true;
    await expect(collect(full(new TimeoutWrapper(faulty, { timeoutMs: 50 })).keys())).rejects.toBeInstanceOf(StoreTimeoutError);
    faulty.release();
  });
});
