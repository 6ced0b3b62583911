import { describe, expect, it } from "@jest/globals";
import { InvalidKeyError, ReadOnlyError, SerializationError, hasCapability, type AsyncKeyValue, type JsonObject, type KeyValueOptions, type PutOptions } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { KeyValueWrapper, ReadOnlyWrapper } from "../src/index.js";
import { collect } from "./fixtures.js";

/**
 * Reads through a ReadOnlyWrapper, writes straight to the store beneath: the suite
 * then proves that every read (and keys, collections, close) passes through unchanged.
 */
class WritesAround extends KeyValueWrapper<ReadOnlyWrapper<MemoryStore>> {
  constructor(inner: ReadOnlyWrapper<MemoryStore>) {
    super(inner);
  }

  override put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.inner.put(key, value, options);
  }

  override putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.inner.inner.putMany(entries, options);
  }

  override delete(key: string, options?: KeyValueOptions): Promise<boolean> {
    return this.inner.inner.delete(key, options);
  }

  override deleteMany(keys: readonly string[], options?: KeyValueOptions): Promise<number> {
    return this.inner.inner.deleteMany(keys, options);
  }
}

describeConformance({
  name: "ReadOnlyWrapper (reads; writes go around it)",
  createStore: () => new WritesAround(new ReadOnlyWrapper(new MemoryStore())),
  capabilities: ["keys", "collections"],
  persistent: false,
});

const WRITES: readonly [string, (store: AsyncKeyValue) => Promise<unknown>][] = [
  ["put", (store) => store.put("k", { v: 2 })],
  ["putMany", (store) => store.putMany([["k", { v: 2 }]])],
  ["delete", (store) => store.delete("k")],
  ["deleteMany", (store) => store.deleteMany(["k"])],
];

describe("ReadOnlyWrapper", () => {
  it("refuses every write with ReadOnlyError and changes nothing", async () => {
    const memory = new MemoryStore();
    await memory.put("k", { v: 1 });
    const store = new ReadOnlyWrapper(memory);
    for (const [, write] of WRITES) await expect(write(store)).rejects.toBeInstanceOf(ReadOnlyError);
    await expect(store.get("k")).resolves.toEqual({ v: 1 });
  });

  it("ignores writes when asked: they resolve, deletes report nothing removed", async () => {
    const memory = new MemoryStore();
    await memory.put("k", { v: 1 });
    const store = new ReadOnlyWrapper(memory, { onWrite: "ignore" });
    await expect(Promise.all(WRITES.map(([, write]) => write(store)))).resolves.toEqual([undefined, undefined, false, 0]);
    await expect(memory.get("k")).resolves.toEqual({ v: 1 });
  });

  it("validates a write before refusing or ignoring it", async () => {
    for (const onWrite of ["throw", "ignore"] as const) {
      const store = new ReadOnlyWrapper(new MemoryStore(), { onWrite });
      await expect(store.put("", { v: 1 })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.putMany([["k", { d: new Date() } as never]])).rejects.toBeInstanceOf(SerializationError);
    }
  });

  it("offers keys and collections, never destroy, destroyCollection or cull", async () => {
    const memory = new MemoryStore();
    await memory.put("k", { v: 1 }, { collection: "c" });
    const store = new ReadOnlyWrapper(memory);
    expect(["destroy", "destroyCollection", "cull"].some((capability) => hasCapability(store, capability as "destroy"))).toBe(false);
    if (hasCapability(store, "keys")) await expect(collect(store.keys({ collection: "c" }))).resolves.toEqual(["k"]);
  });
});
