import { describe, expect, it } from "@jest/globals";
import { CAPABILITIES, NullStore, hasCapability, type AsyncKeyValue, type JsonObject, type KeysOptions } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { KeyValueWrapper, ValueTransformWrapper, capabilitiesOfAll } from "../src/index.js";

class Forwarding<S extends AsyncKeyValue> extends KeyValueWrapper<S> {
  constructor(inner: S) {
    super(inner);
  }
}

/** Implements `keys` unconditionally: the base must hide it over a store without keys. */
class UpperKeys<S extends AsyncKeyValue> extends KeyValueWrapper<S> {
  constructor(inner: S) {
    super(inner);
  }

  override async *keys(options?: KeysOptions): AsyncIterable<string> {
    for await (const key of this.innerWith("keys").keys(options)) yield key.toUpperCase();
  }
}

/** Stores each value inside an envelope of its own, to prove the transform hooks run both ways. */
class Boxed<S extends AsyncKeyValue> extends ValueTransformWrapper<S> {
  readonly seen: string[] = [];

  constructor(inner: S) {
    super(inner);
  }

  protected encodeValue(value: JsonObject, key: string, collection: string): JsonObject {
    this.seen.push(`${collection}/${key}`);
    return { boxed: value };
  }

  protected decodeValue(stored: JsonObject): JsonObject | undefined {
    return stored.boxed === "drop-me" ? undefined : (stored.boxed as JsonObject);
  }
}

/** Drops every value named `drop`, as a size limit in "drop" mode does. */
class Dropping<S extends AsyncKeyValue> extends ValueTransformWrapper<S> {
  constructor(inner: S) {
    super(inner);
  }

  protected async encodeValue(value: JsonObject): Promise<JsonObject | undefined> {
    return value.drop === true ? undefined : value;
  }

  protected decodeValue(stored: JsonObject): JsonObject {
    return stored;
  }
}

const ALL = ["keys", "collections", "destroyCollection", "destroy", "cull"] as const;

describeConformance({ name: "KeyValueWrapper (forwarding)", createStore: () => new Forwarding(new MemoryStore()), capabilities: ALL, persistent: false });
describeConformance({ name: "ValueTransformWrapper", createStore: () => new Boxed(new MemoryStore()), capabilities: ALL, persistent: false });

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("KeyValueWrapper", () => {
  it("offers exactly the capabilities of the store it wraps", () => {
    const overMemory = new Forwarding(new MemoryStore());
    const overNull = new Forwarding(new NullStore());
    for (const capability of CAPABILITIES) {
      expect(hasCapability(overMemory, capability)).toBe(true);
      expect(hasCapability(overNull, capability)).toBe(false);
    }
  });

  it("closes and sets up the wrapped store, and does nothing for one without a lifecycle", async () => {
    const memory = new MemoryStore();
    await new Forwarding(memory).setup();
    await new Forwarding(memory).close();
    expect(memory.closed).toBe(true);
    const bare = new Forwarding({ get: async () => undefined } as unknown as AsyncKeyValue);
    await expect(bare.setup()).resolves.toBeUndefined();
    await expect(bare.close()).resolves.toBeUndefined();
  });

  it("hides a subclass's implementation when the wrapped store lacks the capability", async () => {
    expect(hasCapability(new UpperKeys(new NullStore()), "keys")).toBe(false);
    const memory = new MemoryStore();
    await memory.put("a", { v: 1 }, { collection: "c" });
    const upper = new UpperKeys(memory);
    expect(hasCapability(upper, "keys")).toBe(true);
    if (hasCapability(upper, "keys")) await expect(collect(upper.keys({ collection: "c" }))).resolves.toEqual(["A"]);
  });

  it("uses the wrapped store's default collection", () => {
    expect(new Forwarding(new MemoryStore({ defaultCollection: "mine" })).defaultCollection).toBe("mine");
    expect(new Forwarding({} as AsyncKeyValue).defaultCollection).toBe("default_collection");
  });

  it("capabilitiesOfAll keeps what every store offers", () => {
    expect(capabilitiesOfAll([new MemoryStore(), new NullStore()])).toEqual([]);
    expect(capabilitiesOfAll([new MemoryStore(), new Forwarding(new MemoryStore())])).toEqual([...CAPABILITIES]);
  });

  it("asyncDispose closes the wrapped store", async () => {
    const memory = new MemoryStore();
    {
      await using wrapper = new Forwarding(memory);
      await wrapper.put("k", { v: 1 });
    }
    expect(memory.closed).toBe(true);
  });
});

describe("ValueTransformWrapper", () => {
  it("encodes on the way in and decodes on the way out, with the resolved collection", async () => {
    const memory = new MemoryStore({ defaultCollection: "dc" });
    const boxed = new Boxed(memory);
    await boxed.put("a", { v: 1 });
    await boxed.putMany([["b", { v: 2 }]], { collection: "c", ttl: 60 });
    await expect(memory.get("a")).resolves.toEqual({ boxed: { v: 1 } });
    await expect(boxed.getMany(["b", "x"], { collection: "c" })).resolves.toEqual([{ v: 2 }, undefined]);
    const [ttl] = await boxed.ttlMany(["b"], { collection: "c" });
    expect(ttl?.value).toEqual({ v: 2 });
    expect(ttl?.ttl).toBeGreaterThan(50);
    expect(boxed.seen).toEqual(["dc/a", "c/b"]);
  });

  it("a decoder that answers undefined reports the entry as missing", async () => {
    const memory = new MemoryStore();
    await memory.put("k", { boxed: "drop-me" });
    const boxed = new Boxed(memory);
    await expect(boxed.get("k")).resolves.toBeUndefined();
    await expect(boxed.ttl("k")).resolves.toBeUndefined();
    await expect(boxed.ttlMany(["k"])).resolves.toEqual([undefined]);
  });

  it("an encoder that answers undefined writes nothing for that entry", async () => {
    const memory = new MemoryStore();
    const dropping = new Dropping(memory);
    await dropping.put("old", { v: 1 });
    await dropping.put("old", { drop: true });
    await dropping.putMany([
      ["a", { v: 1 }],
      ["b", { drop: true }],
      ["a", { drop: true }],
    ]);
    await expect(memory.getMany(["old", "a", "b"])).resolves.toEqual([{ v: 1 }, undefined, undefined]);
  });
});
