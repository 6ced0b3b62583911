import { beforeAll, expect, it } from "@jest/globals";
import { DecryptionError, type JsonObject } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { CompressionWrapper, FernetEncryptionWrapper } from "../../src/index.js";
import { describeWithPyKeyValue } from "@kv/test-servers";
import { askPykv, type PykvAnswer } from "./pykv.js";

const SOURCE_MATERIAL = "correct horse battery staple";
const SALT = "kv-wrappers-tests";
const COLLECTION = "payloads";

/** Small and large values; non-ASCII text, since py-key-value escapes it and we do not. */
const VALUES: JsonObject[] = [
  { name: "small", n: 1 },
  { text: "ü 日本語 🎉 \u2028 \"quoted\"", nested: { list: [1, 2.5, -3, true, null, { deep: "x" }] } },
  { blob: "kv ".repeat(800), unicode: "é".repeat(300) },
  { rows: Array.from({ length: 200 }, (_, index) => ({ index, label: `row-${index}`, even: index % 2 === 0 })) },
];

/** Our payload for each value: what a wrapper over a MemoryStore stored. */
async function ourPayloads(wrap: (store: MemoryStore) => CompressionWrapper | FernetEncryptionWrapper): Promise<JsonObject[]> {
  const store = new MemoryStore();
  const wrapper = wrap(store);
  await wrapper.putMany(
    VALUES.map((value, index) => [`k${index}`, value] as [string, JsonObject]),
    { collection: COLLECTION },
  );
  return (await store.getMany(VALUES.map((_, index) => `k${index}`), { collection: COLLECTION })) as JsonObject[];
}

/** Reads payloads py-key-value wrote through one of our wrappers. */
async function readThrough(payloads: JsonObject[], wrap: (store: MemoryStore) => CompressionWrapper | FernetEncryptionWrapper): Promise<(JsonObject | undefined)[]> {
  const store = new MemoryStore();
  await store.putMany(
    payloads.map((payload, index) => [`k${index}`, payload] as [string, JsonObject]),
    { collection: COLLECTION },
  );
  return wrap(store).getMany(payloads.map((_, index) => `k${index}`), { collection: COLLECTION });
}

describeWithPyKeyValue("payloads shared with py-key-value 0.4.6", () => {
  let fernetKey: string;
  let ourCompressed: JsonObject[];
  let ourFernet: JsonObject[];
  let python: PykvAnswer;

  beforeAll(async () => {
    fernetKey = await FernetEncryptionWrapper.deriveKey(SOURCE_MATERIAL, SALT);
    ourCompressed = await ourPayloads((store) => new CompressionWrapper(store));
    ourFernet = await ourPayloads((store) => new FernetEncryptionWrapper(store, { sourceMaterial: SOURCE_MATERIAL, salt: SALT }));
    python = await askPykv({
      compression: { min_size_to_compress: 1024, write: VALUES, read: ourCompressed },
      fernet: { source_material: SOURCE_MATERIAL, salt: SALT, write: VALUES, read: ourFernet },
      derive_keys: [
        [SOURCE_MATERIAL, SALT],
        ["pässwörd 🎉", "sält"],
      ],
    });
  });

  it("compression: py-key-value and @kv compress the same values, in the same shape", () => {
    const shape = (payload: JsonObject): string[] => Object.keys(payload).sort();
    expect(python.compression!.written.map(shape)).toEqual(ourCompressed.map(shape));
    expect(shape(ourCompressed[2]!)).toEqual(["__compressed_data__", "__compression_algorithm__", "__compression_version__"]);
    expect(ourCompressed[0]).toEqual(VALUES[0]);
  });

  it("compression: @kv reads what py-key-value compressed", async () => {
    await expect(readThrough(python.compression!.written, (store) => new CompressionWrapper(store))).resolves.toEqual(VALUES);
  });

  it("compression: py-key-value reads what @kv compressed", () => {
    expect(python.compression!.read).toEqual(VALUES.map((value) => ({ value })));
  });

  it("Fernet: derives the key py-key-value derives from source material and salt", async () => {
    expect(python.derived_keys![0]).toBe(fernetKey);
    await expect(FernetEncryptionWrapper.deriveKey("pässwörd 🎉", "sält")).resolves.toBe(python.derived_keys![1]);
  });

  it("Fernet: @kv reads what py-key-value encrypted, with derived or given keys", async () => {
    const written = python.fernet!.written;
    expect(Object.keys(written[0]!).sort()).toEqual(["__encrypted_data__", "__encryption_version__"]);
    await expect(readThrough(written, (store) => new FernetEncryptionWrapper(store, { sourceMaterial: SOURCE_MATERIAL, salt: SALT }))).resolves.toEqual(VALUES);
    await expect(readThrough(written, (store) => new FernetEncryptionWrapper(store, { keys: [FernetEncryptionWrapper.generateKey(), fernetKey] }))).resolves.toEqual(VALUES);
  });

  it("Fernet: py-key-value reads what @kv encrypted", () => {
    expect(Object.keys(ourFernet[0]!).sort()).toEqual(["__encrypted_data__", "__encryption_version__"]);
    expect(python.fernet!.read).toEqual(VALUES.map((value) => ({ value })));
  });

  it("Fernet: a py-key-value value with a changed byte is a DecryptionError", async () => {
    const payload = python.fernet!.written[0]!;
    const token = Buffer.from(Buffer.from(payload.__encrypted_data__ as string, "base64").toString("ascii"), "base64url");
    token[token.length - 40]! ^= 1;
    const retyped = token.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    const tampered = { ...payload, __encrypted_data__: Buffer.from(retyped, "ascii").toString("base64") };
    await expect(readThrough([tampered], (store) => new FernetEncryptionWrapper(store, { keys: fernetKey }))).rejects.toBeInstanceOf(DecryptionError);
  });
});
