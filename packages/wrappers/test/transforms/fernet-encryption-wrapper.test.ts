import { createDecipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { CAPABILITIES, DecryptionError, InvalidArgumentError, NullStore, hasCapability, type JsonObject } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { MemoryStore } from "@kv/memory";
import { EncryptionWrapper, FernetEncryptionWrapper } from "../../src/index.js";

const KEY = FernetEncryptionWrapper.generateKey();
const OTHER_KEY = FernetEncryptionWrapper.generateKey();
const VALUE = { token: "s3cr3t", nested: { list: [1, "ü", null] } };

describeConformance({
  name: "FernetEncryptionWrapper over MemoryStore",
  createStore: () => new FernetEncryptionWrapper(new MemoryStore(), { keys: KEY }),
  capabilities: CAPABILITIES,
  persistent: false,
});

async function stored(keys: string | string[] = KEY): Promise<JsonObject> {
  const store = new MemoryStore();
  await new FernetEncryptionWrapper(store, { keys }).put("k", VALUE);
  return (await store.get("k"))!;
}

async function readBack(payload: JsonObject, keys: string | string[] = KEY): Promise<JsonObject | undefined> {
  const store = new MemoryStore({ seed: { default_collection: { k: payload } } });
  return new FernetEncryptionWrapper(store, { keys }).get("k");
}

/** The Fernet token inside a stored value (py-key-value base64-encodes it once more). */
function tokenOf(payload: JsonObject): Buffer {
  return Buffer.from(Buffer.from(payload.__encrypted_data__ as string, "base64").toString("ascii"), "base64url");
}

function withToken(payload: JsonObject, token: Buffer): JsonObject {
  const text = token.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  return { ...payload, __encrypted_data__: Buffer.from(text, "ascii").toString("base64") };
}

describe("FernetEncryptionWrapper", () => {
  it("stores a Fernet token per the spec: version 0x80, timestamp, IV, AES-128-CBC ciphertext, HMAC-SHA256", async () => {
    const before = Math.floor(Date.now() / 1000);
    const payload = await stored();
    expect(Object.keys(payload).sort()).toEqual(["__encrypted_data__", "__encryption_version__"]);
    expect(payload.__encryption_version__).toBe(1);
    const token = tokenOf(payload);
    expect(token[0]).toBe(0x80);
    expect(Number(token.readBigUInt64BE(1))).toBeGreaterThanOrEqual(before);
    const key = Buffer.from(KEY, "base64url");
    const signed = token.subarray(0, token.length - 32);
    expect(createHmac("sha256", key.subarray(0, 16)).update(signed).digest()).toEqual(token.subarray(token.length - 32));
    const decipher = createDecipheriv("aes-128-cbc", key.subarray(16), token.subarray(9, 25));
    const plaintext = Buffer.concat([decipher.update(token.subarray(25, token.length - 32)), decipher.final()]).toString("utf8");
    expect(JSON.parse(plaintext)).toEqual(VALUE);
  });

  it("refuses a changed byte anywhere in the token, and a token that is cut short, with DecryptionError", async () => {
    const payload = await stored();
    const token = tokenOf(payload);
    for (const offset of [0, 5, 12, 30, token.length - 33, token.length - 1]) {
      const changed = Buffer.from(token);
      changed[offset]! ^= 0x01;
      await expect(readBack(withToken(payload, changed))).rejects.toBeInstanceOf(DecryptionError);
    }
    await expect(readBack(withToken(payload, token.subarray(0, 60)))).rejects.toBeInstanceOf(DecryptionError);
    await expect(readBack({ ...payload, __encrypted_data__: "!!" })).rejects.toBeInstanceOf(DecryptionError);
    await expect(readBack({ ...payload, __encryption_version__: 2 })).rejects.toBeInstanceOf(DecryptionError);
    await expect(readBack({ __encrypted_data__: payload.__encrypted_data__! })).rejects.toBeInstanceOf(DecryptionError);
  });

  it("refuses a value encrypted with another key, without naming either key", async () => {
    const failure = readBack(await stored(), OTHER_KEY);
    await expect(failure).rejects.toBeInstanceOf(DecryptionError);
    const message = ((await failure.catch((error: unknown) => error)) as Error).message;
    expect(message).toBe('cannot decrypt the value of key "k" in collection "default_collection": it was tampered with, or encrypted with another key');
  });

  it("refuses a value of the AES-256-GCM wrapper", async () => {
    const store = new MemoryStore();
    await new EncryptionWrapper(store, { keys: [{ id: "a", key: EncryptionWrapper.generateKey() }] }).put("k", VALUE);
    await expect(new FernetEncryptionWrapper(store, { keys: KEY }).get("k")).rejects.toBeInstanceOf(DecryptionError);
  });

  it("rotates keys like MultiFernet: the first key encrypts, each decrypts", async () => {
    const store = new MemoryStore();
    await new FernetEncryptionWrapper(store, { keys: KEY }).put("old", { n: 1 });
    const rotated = new FernetEncryptionWrapper(store, { keys: [OTHER_KEY, KEY] });
    await rotated.put("new", { n: 2 });
    await expect(rotated.getMany(["old", "new"])).resolves.toEqual([{ n: 1 }, { n: 2 }]);
    await expect(new FernetEncryptionWrapper(store, { keys: OTHER_KEY }).get("new")).resolves.toEqual({ n: 2 });
    await expect(new FernetEncryptionWrapper(store, { keys: KEY }).get("new")).rejects.toBeInstanceOf(DecryptionError);
  });

  it("derives its key from sourceMaterial and salt as py-key-value does", async () => {
    // py-key-value 0.4.6: _generate_encryption_key(source_material="secret", salt="salt").
    await expect(FernetEncryptionWrapper.deriveKey("secret", "salt")).resolves.toBe("OAtjFN3s4z7l7j_4FyptwI4_En-0Mxrqwsdq2tRhyiQ=");
    const store = new MemoryStore();
    await new FernetEncryptionWrapper(store, { sourceMaterial: "secret", salt: "salt" }).put("k", VALUE);
    await expect(new FernetEncryptionWrapper(store, { keys: "OAtjFN3s4z7l7j_4FyptwI4_En-0Mxrqwsdq2tRhyiQ=" }).get("k")).resolves.toEqual(VALUE);
  });

  it("reads unencrypted values only with readUnencrypted, and undecryptable ones as missing with raiseOnDecryptionError false", async () => {
    const store = new MemoryStore({ seed: { default_collection: { plain: { n: 1 }, bad: { __encrypted_data__: "AAAA", __encryption_version__: 1 } } } });
    await expect(new FernetEncryptionWrapper(store, { keys: KEY }).get("plain")).rejects.toBeInstanceOf(DecryptionError);
    const lenient = new FernetEncryptionWrapper(store, { keys: KEY, readUnencrypted: true, raiseOnDecryptionError: false });
    await expect(lenient.getMany(["plain", "bad"])).resolves.toEqual([{ n: 1 }, undefined]);
  });

  it("refuses bad options with InvalidArgumentError that names no key material", () => {
    const cases: object[] = [
      {},
      { keys: [] },
      { keys: "too short" },
      { keys: KEY.slice(0, 40) },
      { keys: KEY, sourceMaterial: "secret", salt: "salt" },
      { sourceMaterial: "secret" },
      { sourceMaterial: "  ", salt: "salt" },
      { sourceMaterial: "secret", salt: " " },
    ];
    for (const options of cases) {
      expect(() => new FernetEncryptionWrapper(new MemoryStore(), options)).toThrow(InvalidArgumentError);
    }
    expect(() => new FernetEncryptionWrapper(new MemoryStore(), { keys: KEY.slice(0, 40) })).toThrow("a Fernet key must be 32 bytes in URL-safe base64");
  });

  it("over a store without optional capabilities offers none", () => {
    const wrapper = new FernetEncryptionWrapper(new NullStore(), { keys: KEY });
    expect(CAPABILITIES.filter((capability) => hasCapability(wrapper, capability))).toEqual([]);
  });
});
