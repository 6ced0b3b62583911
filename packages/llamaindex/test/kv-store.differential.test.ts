import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { AsyncKeyValue } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { MemoryStore } from "@kv/memory";
import { RedisStore } from "@kv/redis";
import { describeWithServer } from "@kv/test-servers";
import { DEFAULT_COLLECTION } from "@llamaindex/core/global";
import type { StoredValue } from "@llamaindex/core/schema";
import { SimpleKVStore } from "@llamaindex/core/storage/kv-store";
import * as fc from "fast-check";
import { KeyValueKVStore } from "../src/index.js";

/**
 * The same random sequence of operations runs against LlamaIndex's SimpleKVStore
 * and against KeyValueKVStore over a real backend; every answer must be the same.
 */

type Value = Record<string, unknown>;
type Operation =
  | { kind: "put"; key: string; value: Value; collection: string | undefined }
  | { kind: "get"; key: string; collection: string | undefined }
  | { kind: "getAll"; collection: string | undefined }
  | { kind: "delete"; key: string; collection: string | undefined }
  | { kind: "putAll"; pairs: [string, Value][]; collection: string | undefined; batchSize: number };
type Kind = Operation["kind"];

// SimpleKVStore looks names up with `in`, so Object.prototype's own property names reach its prototype
// (get("constructor") throws a DataCloneError): those are tested apart, in kv-store.test.ts.
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"]);

const name = (pool: readonly string[]) =>
  fc
    .oneof(
      { weight: 5, arbitrary: fc.constantFrom(...pool) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
    )
    .filter((candidate) => !PROTOTYPE_NAMES.has(candidate));
const keyArbitrary = name(["doc-1", "doc-2", "doc-3", "a::b", "ünï/çødé 🦙", "10", "2"]);
const collectionArbitrary = fc.option(name(["docstore/data", "docstore/ref_doc_info", "index_store/data", "a::b", DEFAULT_COLLECTION]), {
  nil: undefined,
  freq: 3,
});
// Values as JSON gives them back: -0 is stored as 0 (SimpleKVStore's structuredClone keeps -0, its JSON persistence does not).
const valueArbitrary = fc
  .dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), fc.jsonValue({ maxDepth: 2, stringUnit: "grapheme" }), { maxKeys: 4 })
  .map((value) => JSON.parse(JSON.stringify(value)) as Value);

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("put"), key: keyArbitrary, value: valueArbitrary, collection: collectionArbitrary }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("get"), key: keyArbitrary, collection: collectionArbitrary }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("getAll"), collection: collectionArbitrary }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete"), key: keyArbitrary, collection: collectionArbitrary }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("putAll"),
      pairs: fc.array(fc.tuple(keyArbitrary, valueArbitrary), { maxLength: 8 }),
      collection: collectionArbitrary,
      batchSize: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

type Tally = Record<Kind, number> & { runs: number };

const tallies = new Map<string, Tally>();

afterAll(() => {
  for (const [label, tally] of tallies) {
    const operations = tally.put + tally.get + tally.getAll + tally.delete + tally.putAll;
    console.log(
      `differential ${label}: ${tally.runs} sequences, ${operations} operations ` +
        `(put ${tally.put}, get ${tally.get}, getAll ${tally.getAll}, delete ${tally.delete}, putAll ${tally.putAll})`,
    );
  }
});

/** Runs `operations` on both sides, comparing each answer. */
async function compare(operations: readonly Operation[], subject: KeyValueKVStore, reference: SimpleKVStore, tally: Tally): Promise<void> {
  for (const operation of operations) {
    tally[operation.kind]++;
    switch (operation.kind) {
      case "put": {
        const [mine, theirs] = [structuredClone(operation.value), structuredClone(operation.value)];
        await subject.put(operation.key, mine, operation.collection);
        await reference.put(operation.key, theirs, operation.collection);
        // Changing the object afterwards changes nothing stored, on either side.
        mine.changedAfterPut = true;
        theirs.changedAfterPut = true;
        break;
      }
      case "get": {
        const [actual, expected] = [await subject.get(operation.key, operation.collection), await reference.get(operation.key, operation.collection)];
        expect(actual).toEqual(expected);
        for (const answer of [actual, expected]) if (answer !== null) answer.changedAfterGet = true;
        break;
      }
      case "getAll":
        expect(await subject.getAll(operation.collection)).toEqual(await reference.getAll(operation.collection));
        break;
      case "delete": {
        const actual = await subject.delete(operation.key, operation.collection);
        // SimpleKVStore throws a TypeError for a collection it never held (`key in undefined`): there is nothing to delete.
        const held = (operation.collection ?? DEFAULT_COLLECTION) in reference.toDict();
        expect(actual).toBe(held ? await reference.delete(operation.key, operation.collection) : false);
        break;
      }
      case "putAll":
        await subject.putAll(operation.pairs, { collection: operation.collection, batchSize: operation.batchSize });
        // SimpleKVStore has no putAll; LlamaIndex's Python put_all puts the pairs one by one, in order.
        for (const [key, value] of operation.pairs) await reference.put(key, value as StoredValue, operation.collection);
        break;
    }
  }
  for (const collection of Object.keys(reference.toDict())) {
    tally.getAll++;
    expect(await subject.getAll(collection)).toEqual(await reference.getAll(collection));
  }
}

/** One test: `numRuns` random sequences over a fresh (or emptied) store from `fresh`. */
function itMatchesSimpleKVStore(label: string, numRuns: number, fresh: () => Promise<AsyncKeyValue>): void {
  it(`${label}: random operation sequences get SimpleKVStore's answers`, async () => {
    const tally: Tally = { runs: 0, put: 0, get: 0, getAll: 0, delete: 0, putAll: 0 };
    tallies.set(label, tally);
    await fc.assert(
      fc.asyncProperty(fc.array(operationArbitrary, { minLength: 1, maxLength: 50, size: "max" }), fc.integer({ min: 1, max: 5 }), async (operations, batchSize) => {
        tally.runs++;
        const subject = new KeyValueKVStore(await fresh(), { batchSize });
        await compare(operations, subject, new SimpleKVStore(), tally);
      }),
      { numRuns },
    );
  }, 120_000);
}

describe("KeyValueKVStore against SimpleKVStore", () => {
  itMatchesSimpleKVStore("MemoryStore", 200, async () => new MemoryStore());
  // A bounded store reorders its keys as they are read, while getAll enumerates them.
  itMatchesSimpleKVStore("MemoryStore (bounded)", 50, async () => new MemoryStore({ maxEntriesPerCollection: 1_000 }));

  describe("on disk", () => {
    let directory = "";
    let store: DiskStore;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), "kv-llamaindex-"));
      store = new DiskStore({ directory });
    });
    afterAll(async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    });
    itMatchesSimpleKVStore("DiskStore", 150, async () => {
      await store.destroy();
      return store;
    });
  });
});

describeWithServer({ kind: "redis" }, "KeyValueKVStore against SimpleKVStore on Redis", (server) => {
  let store: RedisStore;
  beforeAll(() => {
    store = new RedisStore({ url: server().url });
  });
  afterAll(() => store.close());
  itMatchesSimpleKVStore("RedisStore", 150, async () => {
    await store.destroy();
    return store;
  });
});
