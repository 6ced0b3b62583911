import { describe, expect, it } from "@jest/globals";
import { CAPABILITIES, DecryptionError, InvalidArgumentError, NullStore, hasCapability, type JsonObject } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { EncryptionWrapper, type EncryptionKey } from "../../src/index.js";

const OLD: EncryptionKey = { id: "2025-01", key: EncryptionWrapper.generateKey() };
const NEW: EncryptionKey = { id: "2026-01", key: EncryptionWrapper.generateKey() };
const COLLECTION = "secrets";
const VALUE = { card: "4111 1111 1111 1111", owner: { name: "Zoë", tags: ["vip", 7] } };

describeConformance({
  name: "EncryptionWrapper over MemoryStore",
  createStore: () => new EncryptionWrapper(new MemoryStore(), { keys: [NEW, OLD] }),
  capabilities: CAPABILITIES,
  persistent: false,
});

/** A wrapper over `store`, with what it stored for `VALUE`. */
async function stored(store: MemoryStore, keys: readonly EncryptionKey[] = [NEW]): Promise<JsonObject> {
  await new EncryptionWrapper(store, { keys }).put("k", VALUE, { collection: COLLECTION });
  return (await store.get("k", { collection: COLLECTION }))!;
}

/** Stores `payload` raw and reads it through a wrapper with `keys`. */
async function readBack(payload: JsonObject, keys: readonly EncryptionKey[] = [NEW]): Promise<JsonObject | undefined> {
  const store = new MemoryStore();
  await store.put("k", payload, { collection: COLLECTION });
  return new EncryptionWrapper(store, { keys }).get("k", { collection: COLLECTION });
}

function withData(payload: JsonObject, change: (data: Buffer) => Buffer): JsonObject {
  return { ...payload, __encrypted_data__: change(Buffer.from(payload.__encrypted_data__ as string, "base64")).toString("base64") };
}

describe("EncryptionWrapper", () => {
  it("stores AES-256-GCM ciphertext with its version, algorithm and key id, and nothing of the value in clear", async () => {
    const payload = await stored(new MemoryStore());
    expect(Object.keys(payload).sort()).toEqual(["__encrypted_data__", "__encryption_algorithm__", "__encryption_key_id__", "__encryption_version__"]);
    expect(payload).toMatchObject({ __encryption_version__: 1, __encryption_algorithm__: "aes-256-gcm", __encryption_key_id__: NEW.id });
    const data = Buffer.from(payload.__encrypted_data__ as string, "base64");
    expect(data.length).toBe(12 + Buffer.byteLength(JSON.stringify(VALUE)) + 16);
    expect(JSON.stringify(payload)).not.toContain("4111");
    expect(payload.__encrypted_data__).not.toBe((await stored(new MemoryStore())).__encrypted_data__);
  });

  it("refuses a changed ciphertext, IV or tag with DecryptionError naming key and collection", async () => {
    const payload = await stored(new MemoryStore());
    const flip = (offset: (length: number) => number) => (data: Buffer) => {
      const copy = Buffer.from(data);
      copy[offset(copy.length)]! ^= 0x01;
      return copy;
    };
    const tampered = [
      withData(payload, flip(() => 0)),
      withData(payload, flip(() => 20)),
      withData(payload, flip((length) => length - 1)),
      withData(payload, (data) => data.subarray(0, data.length - 1)),
      withData(payload, (data) => data.subarray(0, 20)),
    ];
    for (const value of tampered) {
      const failure = readBack(value);
      await expect(failure).rejects.toBeInstanceOf(DecryptionError);
      await expect(failure).rejects.toMatchObject({ key: "k", collection: COLLECTION });
    }
  });

  it("refuses a changed key id, algorithm or version, and envelope fields that are missing or ill-typed", async () => {
    const payload = await stored(new MemoryStore(), [NEW, OLD]);
    const tampered: JsonObject[] = [
      { ...payload, __encryption_key_id__: OLD.id },
      { ...payload, __encryption_key_id__: "unknown" },
      { ...payload, __encryption_key_id__: 7 },
      { ...payload, __encryption_algorithm__: "aes-128-gcm" },
      { ...payload, __encryption_version__: 2 },
      { ...payload, __encryption_version__: "1" },
      { ...payload, __encrypted_data__: 12 },
      { ...payload, __encrypted_data__: "not base64!" },
      { __encrypted_data__: payload.__encrypted_data__! },
    ];
    for (const value of tampered) await expect(readBack(value, [NEW, OLD])).rejects.toBeInstanceOf(DecryptionError);
  });

  it("refuses data encrypted with another key under the same id, without naming the key", async () => {
    const payload = await stored(new MemoryStore());
    const impostor = { id: NEW.id, key: EncryptionWrapper.generateKey() };
    const failure = readBack(payload, [impostor]);
    await expect(failure).rejects.toBeInstanceOf(DecryptionError);
    const error = (await failure.catch((caught: unknown) => caught)) as Error;
    for (const key of [NEW.key, impostor.key]) {
      for (const encoding of ["base64", "hex", "latin1"] as const) expect(error.message).not.toContain(Buffer.from(key).toString(encoding));
    }
  });

  it("rotates keys: old data stays readable, new writes use the first key, and the old key alone cannot read them", async () => {
    const store = new MemoryStore();
    const before = new EncryptionWrapper(store, { keys: [OLD] });
    await before.putMany(
      [
        ["old-1", { n: 1 }],
        ["old-2", { n: 2 }],
      ],
      { collection: COLLECTION },
    );
    const rotated = new EncryptionWrapper(store, { keys: [NEW, OLD] });
    expect(rotated.currentKeyId).toBe(NEW.id);
    await rotated.put("new", { n: 3 }, { collection: COLLECTION, ttl: 600 });
    await expect(rotated.getMany(["old-1", "old-2", "new"], { collection: COLLECTION })).resolves.toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await expect(store.get("new", { collection: COLLECTION })).resolves.toMatchObject({ __encryption_key_id__: NEW.id });
    await expect(before.get("new", { collection: COLLECTION })).rejects.toBeInstanceOf(DecryptionError);
    const ttl = await rotated.ttl("new", { collection: COLLECTION });
    expect(ttl?.value).toEqual({ n: 3 });
    expect(ttl?.ttl).toBeGreaterThan(590);
  });

  it("refuses an unencrypted stored value unless readUnencrypted is set", async () => {
    const store = new MemoryStore({ seed: { [COLLECTION]: { plain: { n: 1 } } } });
    await expect(new EncryptionWrapper(store, { keys: [NEW] }).get("plain", { collection: COLLECTION })).rejects.toBeInstanceOf(DecryptionError);
    await expect(new EncryptionWrapper(store, { keys: [NEW], readUnencrypted: true }).get("plain", { collection: COLLECTION })).resolves.toEqual({
      n: 1,
    });
  });

  it("with raiseOnDecryptionError false, undecryptable entries read as missing", async () => {
    const store = new MemoryStore();
    const payload = await stored(store);
    await store.put("bad", withData(payload, (data) => Buffer.concat([data, Buffer.from([0])])), { collection: COLLECTION });
    const lenient = new EncryptionWrapper(store, { keys: [NEW], raiseOnDecryptionError: false });
    await expect(lenient.getMany(["k", "bad"], { collection: COLLECTION })).resolves.toEqual([VALUE, undefined]);
    await expect(lenient.ttl("bad", { collection: COLLECTION })).resolves.toBeUndefined();
    await expect(lenient.ttlMany(["bad", "k"], { collection: COLLECTION })).resolves.toEqual([undefined, { value: VALUE, ttl: undefined }]);
  });

  it("refuses bad keys at construction with InvalidArgumentError that names no key material", () => {
    const short = Buffer.alloc(16, 7);
    const cases: unknown[] = [
      [],
      [{ id: "", key: NEW.key }],
      [{ id: "a", key: short }],
      [{ id: "a", key: "a string of 32 characters, not 32 bytes".slice(0, 32) }],
      [NEW, { id: NEW.id, key: OLD.key }],
    ];
    for (const keys of cases) {
      expect(() => new EncryptionWrapper(new MemoryStore(), { keys: keys as EncryptionKey[] })).toThrow(InvalidArgumentError);
    }
    expect(() => new EncryptionWrapper(new MemoryStore(), { keys: [{ id: "a", key: short }] })).toThrow(/^keys\[0\]\.key \(id "a"\) must be 32 bytes$/);
  });

  it("copies its keys: a caller reusing the buffer changes nothing", async () => {
    const key = EncryptionWrapper.generateKey();
    const original = Buffer.from(key);
    const store = new MemoryStore();
    await new EncryptionWrapper(store, { keys: [{ id: "a", key }] }).put("k", VALUE);
    key.fill(0);
    await expect(new EncryptionWrapper(store, { keys: [{ id: "a", key: original }] }).get("k")).resolves.toEqual(VALUE);
  });

  it("over a store without optional capabilities offers none", () => {
    const wrapper = new EncryptionWrapper(new NullStore(), { keys: [NEW] });
    expect(CAPABILITIES.filter((capability) => hasCapability(wrapper, capability))).toEqual([]);
  });
});
