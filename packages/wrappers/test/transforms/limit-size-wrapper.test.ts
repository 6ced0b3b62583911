import { describe, expect, it } from "@jest/globals";
import { CAPABILITIES, InvalidArgumentError, InvalidKeyError, NullStore, ValueTooLargeError, hasCapability } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { LimitSizeWrapper } from "../../src/index.js";

const MAX_SIZE = 256 * 1024;

describeConformance({
  name: "LimitSizeWrapper (maxSize 256 KiB, raise) over MemoryStore",
  createStore: () => new LimitSizeWrapper(new MemoryStore(), { maxSize: MAX_SIZE }),
  capabilities: CAPABILITIES,
  persistent: false,
  limits: { maxEntryBytes: MAX_SIZE },
});

/** A value whose JSON is exactly `bytes` bytes long. */
function valueOf(bytes: number): { blob: string } {
  return { blob: "x".repeat(bytes - '{"blob":""}'.length) };
}

describe("LimitSizeWrapper", () => {
  it("measures the UTF-8 bytes of the value's JSON: maxSize itself is accepted, one byte more refused", async () => {
    const wrapper = new LimitSizeWrapper(new MemoryStore(), { maxSize: 100 });
    await wrapper.put("fits", valueOf(100));
    await expect(wrapper.get("fits")).resolves.toEqual(valueOf(100));
    const failure = wrapper.put("over", valueOf(101), { collection: "c" });
    await expect(failure).rejects.toBeInstanceOf(ValueTooLargeError);
    await expect(failure).rejects.toMatchObject({ size: 101, limit: 100, key: "over", collection: "c" });
    const multibyte = { blob: "é".repeat(45) };
    await expect(wrapper.put("multibyte", multibyte)).rejects.toMatchObject({ size: 101 });
  });

  it("raise: a batch with one value too large writes nothing", async () => {
    const store = new MemoryStore();
    const wrapper = new LimitSizeWrapper(store, { maxSize: 100 });
    await expect(
      wrapper.putMany([
        ["small", { v: 1 }],
        ["large", valueOf(200)],
      ]),
    ).rejects.toBeInstanceOf(ValueTooLargeError);
    await expect(store.getMany(["small", "large"])).resolves.toEqual([undefined, undefined]);
  });

  it("drop: a value too large is not written, the previous value stays, and the rest of a batch is written", async () => {
    const store = new MemoryStore();
    const wrapper = new LimitSizeWrapper(store, { maxSize: 100, raiseOnTooLarge: false });
    await wrapper.put("k", { v: "before" });
    await expect(wrapper.put("k", valueOf(200))).resolves.toBeUndefined();
    await expect(wrapper.get("k")).resolves.toEqual({ v: "before" });
    await wrapper.putMany([
      ["small", { v: 1 }],
      ["large", valueOf(200)],
    ]);
    await expect(store.getMany(["small", "large"])).resolves.toEqual([{ v: 1 }, undefined]);
  });

  it("minSize: a value too small is dropped by default, refused with raiseOnTooSmall", async () => {
    const store = new MemoryStore();
    await new LimitSizeWrapper(store, { minSize: 20 }).putMany([
      ["tiny", {}],
      ["enough", valueOf(20)],
    ]);
    await expect(store.getMany(["tiny", "enough"])).resolves.toEqual([undefined, valueOf(20)]);
    const strict = new LimitSizeWrapper(store, { minSize: 20, raiseOnTooSmall: true });
    await expect(strict.put("tiny", {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.get("tiny")).resolves.toBeUndefined();
  });

  it("a dropped entry still has its key, collection and TTL checked", async () => {
    const wrapper = new LimitSizeWrapper(new MemoryStore(), { maxSize: 10, raiseOnTooLarge: false });
    await expect(wrapper.put("", valueOf(50))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(wrapper.putMany([["k", valueOf(50)]], { collection: "" })).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("does not limit reads: values stored larger before read back as they are", async () => {
    const store = new MemoryStore({ seed: { default_collection: { large: valueOf(500) } } });
    await expect(new LimitSizeWrapper(store, { maxSize: 100 }).get("large")).resolves.toEqual(valueOf(500));
  });

  it("refuses sizes that are not whole numbers ≥ 0, and a minSize over maxSize", () => {
    for (const options of [{ maxSize: -1 }, { minSize: 1.5 }, { maxSize: Number.POSITIVE_INFINITY }, { minSize: 10, maxSize: 5 }]) {
      expect(() => new LimitSizeWrapper(new MemoryStore(), options)).toThrow(InvalidArgumentError);
    }
  });

  it("over a store without optional capabilities offers none", () => {
    const wrapper = new LimitSizeWrapper(new NullStore(), { maxSize: 10 });
    expect(CAPABILITIES.filter((capability) => hasCapability(wrapper, capability))).toEqual([]);
  });
});
