import { gzipSync } from "node:zlib";
import { describe, expect, it } from "@jest/globals";
import { CAPABILITIES, DeserializationError, InvalidArgumentError, NullStore, hasCapability, type JsonObject } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { CompressionWrapper } from "../../src/index.js";

describeConformance({
  name: "CompressionWrapper over MemoryStore",
  createStore: () => new CompressionWrapper(new MemoryStore()),
  capabilities: CAPABILITIES,
  persistent: false,
});

describeConformance({
  name: "CompressionWrapper (every value compressed) over MemoryStore",
  createStore: () => new CompressionWrapper(new MemoryStore(), { minSizeToCompress: 0 }),
  capabilities: CAPABILITIES,
  persistent: false,
});

function compressed(json: string, fields: JsonObject = {}): JsonObject {
  return {
    __compressed_data__: gzipSync(json).toString("base64"),
    __compression_version__: 1,
    __compression_algorithm__: "gzip",
    ...fields,
  };
}

describe("CompressionWrapper", () => {
  it("stores values from minSizeToCompress bytes of JSON gzipped, smaller ones as they are", async () => {
    const store = new MemoryStore();
    const wrapper = new CompressionWrapper(store, { minSizeToCompress: 100 });
    const small = { text: "x".repeat(50) };
    const large = { text: "x".repeat(100) };
    await wrapper.putMany([
      ["small", small],
      ["large", large],
    ]);
    await expect(store.get("small")).resolves.toEqual(small);
    const stored = (await store.get("large"))!;
    expect(Object.keys(stored).sort()).toEqual(["__compressed_data__", "__compression_algorithm__", "__compression_version__"]);
    expect(stored.__compression_version__).toBe(1);
    expect(stored.__compression_algorithm__).toBe("gzip");
    expect((stored.__compressed_data__ as string).length).toBeLessThan(JSON.stringify(large).length);
    await expect(wrapper.getMany(["small", "large"])).resolves.toEqual([small, large]);
    await expect(wrapper.ttl("large")).resolves.toEqual({ value: large, ttl: undefined });
  });

  it("always compresses a value that holds __compressed_data__ itself, so it reads back unchanged", async () => {
    const store = new MemoryStore();
    const wrapper = new CompressionWrapper(store);
    const lookalike = { __compressed_data__: "H4sI", __compression_version__: 1, __compression_algorithm__: "gzip" };
    await wrapper.put("k", lookalike);
    expect((await store.get("k"))!.__compressed_data__).not.toBe("H4sI");
    await expect(wrapper.get("k")).resolves.toEqual(lookalike);
  });

  it("reads a stored value without all three compression fields as it is", async () => {
    const plain = { __compressed_data__: 42, other: true };
    const partial = { __compressed_data__: "not gzip" };
    const wrapper = new CompressionWrapper(new MemoryStore({ seed: { default_collection: { plain, partial } } }));
    await expect(wrapper.getMany(["plain", "partial"])).resolves.toEqual([plain, partial]);
  });

  it("refuses corrupted or unsupported compressed data with DeserializationError naming key and collection", async () => {
    const seed = {
      notGzip: { ...compressed("{}"), __compressed_data__: Buffer.from("plain text").toString("base64") },
      notJson: compressed("{not json"),
      notObject: compressed("[1,2]"),
      version: compressed("{}", { __compression_version__: 2 }),
      algorithm: compressed("{}", { __compression_algorithm__: "zstd" }),
    };
    const wrapper = new CompressionWrapper(new MemoryStore({ seed: { c: seed } }));
    for (const key of Object.keys(seed)) {
      const failure = wrapper.get(key, { collection: "c" });
      await expect(failure).rejects.toBeInstanceOf(DeserializationError);
      await expect(failure).rejects.toMatchObject({ key, collection: "c" });
    }
  });

  it("refuses a minSizeToCompress that is not a whole number ≥ 0", () => {
    for (const minSizeToCompress of [-1, 1.5, Number.NaN]) {
      expect(() => new CompressionWrapper(new MemoryStore(), { minSizeToCompress })).toThrow(InvalidArgumentError);
    }
  });

  it("over a store without optional capabilities offers none", () => {
    const wrapper = new CompressionWrapper(new NullStore());
    expect(CAPABILITIES.filter((capability) => hasCapability(wrapper, capability))).toEqual([]);
  });
});
