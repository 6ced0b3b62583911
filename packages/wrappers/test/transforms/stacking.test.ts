import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { CAPABILITIES, DecryptionError, hasCapability, type JsonObject } from "@kv/core";
import { describeConformance } from "@kv/core/conformance";
import { DiskStore } from "@kv/disk";
import { CompressionWrapper, EncryptionWrapper, PrefixKeysWrapper, StatisticsWrapper, type EncryptionKey } from "../../src/index.js";

const KEY: EncryptionKey = { id: "stack", key: EncryptionWrapper.generateKey() };

/** Statistics over a key prefix over compression over encryption over `disk`. */
function stackOver(disk: DiskStore, key: EncryptionKey = KEY, prefix = "app") {
  return new StatisticsWrapper(new PrefixKeysWrapper(new CompressionWrapper(new EncryptionWrapper(disk, { keys: [key] }), { minSizeToCompress: 64 }), { prefix }));
}

async function collect<T>(iterable: AsyncIterable<T> | undefined): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable ?? []) items.push(item);
  return items;
}

let root = "";
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kv-stack-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeConformance({
  name: "Statistics(PrefixKeys(Compression(Encryption(DiskStore))))",
  createStore: () => stackOver(new DiskStore({ directory: join(root, "conformance") })),
  capabilities: CAPABILITIES,
  persistent: true,
});

describe("prefix + compression + encryption + statistics over DiskStore", () => {
  const LARGE: JsonObject = { text: "the same words again ".repeat(50), list: [1, 2, 3] };
  const SMALL: JsonObject = { n: 1 };
  const opened: DiskStore[] = [];
  const disk = (name: string): DiskStore => {
    const store = new DiskStore({ directory: join(root, name) });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it("round-trips values; the disk holds only prefixed keys and encrypted values", async () => {
    const raw = disk("round-trip");
    const stack = stackOver(raw);
    await stack.putMany(
      [
        ["large", LARGE],
        ["small", SMALL],
      ],
      { collection: "docs", ttl: 600 },
    );
    await expect(stack.getMany(["large", "small", "missing"], { collection: "docs" })).resolves.toEqual([LARGE, SMALL, undefined]);
    const ttl = await stack.ttl("large", { collection: "docs" });
    expect(ttl?.value).toEqual(LARGE);
    expect(ttl?.ttl).toBeGreaterThan(590);
    expect((await collect(raw.keys({ collection: "docs" }))).sort()).toEqual(["app__large", "app__small"]);
    for (const value of await raw.getMany(["app__large", "app__small"], { collection: "docs" })) {
      expect(value).toMatchObject({ __encryption_algorithm__: "aes-256-gcm", __encryption_key_id__: KEY.id });
      expect(JSON.stringify(value)).not.toContain("same words");
    }
    // Compression ran inside the encryption: the large value's ciphertext is smaller than its JSON.
    const [stored] = await raw.getMany(["app__large"], { collection: "docs" });
    expect((stored!.__encrypted_data__ as string).length).toBeLessThan(JSON.stringify(LARGE).length / 2);
    expect(stack.statistics().collections.docs).toEqual({ hits: 3, misses: 1, puts: 2, deletes: 0 });
  });

  it("enumerates the original keys and collections, leaving other prefixes' entries alone", async () => {
    const raw = disk("enumeration");
    const stack = stackOver(raw);
    const other = stackOver(raw, KEY, "other");
    await stack.putMany(
      Array.from({ length: 25 }, (_, index) => [`key-${index}`, index % 2 === 0 ? LARGE : { index }] as [string, JsonObject]),
      { collection: "many" },
    );
    await stack.put("k", SMALL, { collection: "second" });
    await other.put("theirs", SMALL, { collection: "many" });
    await other.put("theirs", SMALL, { collection: "theirs-only" });
    expect(CAPABILITIES.filter((capability) => hasCapability(stack, capability))).toEqual(CAPABILITIES);
    const keys = await collect(stack.keys?.({ collection: "many" }));
    expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, index) => `key-${index}`).sort());
    await expect(collect(stack.keys?.({ collection: "many", limit: 10 }))).resolves.toHaveLength(10);
    expect((await collect(stack.collections?.())).sort()).toEqual(["many", "second"]);
    await expect(stack.destroyCollection?.("many")).resolves.toBe(true);
    await expect(collect(stack.keys?.({ collection: "many" }))).resolves.toEqual([]);
    await expect(other.get("theirs", { collection: "many" })).resolves.toEqual(SMALL);
  });

  it("reads back through a fresh DiskStore; another key cannot", async () => {
    const directory = "persistence";
    await stackOver(disk(directory)).put("kept", LARGE, { collection: "c" });
    await opened.pop()!.close();
    await expect(stackOver(disk(directory)).get("kept", { collection: "c" })).resolves.toEqual(LARGE);
    const stranger = stackOver(disk(directory), { id: KEY.id, key: EncryptionWrapper.generateKey() });
    await expect(stranger.get("kept", { collection: "c" })).rejects.toBeInstanceOf(DecryptionError);
  });
});
