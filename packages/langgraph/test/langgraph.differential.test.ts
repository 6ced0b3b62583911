import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "@jest/globals";
import type { AsyncKeyValue, EnumerateKeys } from "@kv/core";
import { DiskStore } from "@kv/disk";
import { MemoryStore } from "@kv/memory";
import { RedisStore } from "@kv/redis";
import { describeWithServer } from "@kv/test-servers";
import fc from "fast-check";
import { LangGraphStore } from "../src/index.js";
import { commands, expectSameAnswers, operationCount, syntheticIndex, type AnswerTally, type Command } from "./differential.js";

interface Backend {
  name: string;
  /** A store whose collections no earlier run touched (a fresh one, or a fresh collection prefix). */
  open: () => { store: AsyncKeyValue & EnumerateKeys; collectionPrefix: string };
}

const tally: string[] = [];

afterAll(() => {
  console.log(`Differential runs against InMemoryStore:\n${tally.join("\n")}`);
});

function describeDifferential(backend: Backend, runs: { plain: number; semantic: number }): void {
  for (const semantic of [false, true]) {
    const numRuns = semantic ? runs.semantic : runs.plain;
    it(`answers ${semantic ? "semantic searches " : ""}exactly as InMemoryStore does (${numRuns} random command sequences)`, async () => {
      let sequences = 0;
      let operations = 0;
      const answers: AnswerTally = { ordered: 0, errors: 0 };
      await fc.assert(
        fc.asyncProperty(commands({ queries: semantic, maxLength: 40 }), async (sequence: Command[]) => {
          sequences += 1;
          operations += sequence.reduce((sum, command) => sum + operationCount(command), 0);
          const index = semantic ? syntheticIndex() : undefined;
          await expectSameAnswers(new LangGraphStore({ ...backend.open(), index }), sequence, answers, index);
        }),
        { numRuns },
      );
      tally.push(
        `  ${backend.name}${semantic ? " (semantic search)" : ""}: ${sequences} sequences, ${operations} operations, ` +
          `${answers.ordered} answers of 2+ items or namespaces, ${answers.errors} errors`,
      );
    }, 120_000);
  }
}

describe("LangGraphStore over MemoryStore", () => {
  describeDifferential({ name: "MemoryStore", open: () => ({ store: new MemoryStore(), collectionPrefix: "langgraph" }) }, { plain: 800, semantic: 200 });
});

describe("LangGraphStore over DiskStore", () => {
  let directory = "";
  let store: DiskStore;
  let runs = 0;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "kv-langgraph-"));
    store = new DiskStore({ directory });
  });
  afterAll(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
  describeDifferential({ name: "DiskStore", open: () => ({ store, collectionPrefix: `run${++runs}` }) }, { plain: 300, semantic: 100 });
});

describeWithServer({ kind: "redis" }, "LangGraphStore over Redis", (server) => {
  // A nested block, so that its afterAll runs while the server still does.
  describe("one RedisStore", () => {
    let store: RedisStore;
    let runs = 0;
    beforeAll(() => {
      store = new RedisStore({ url: server().url });
    });
    afterAll(async () => {
      await store.destroy();
      await store.close();
    });
    describeDifferential({ name: "RedisStore", open: () => ({ store, collectionPrefix: `run${++runs}` }) }, { plain: 300, semantic: 100 });
  });
});
