import { join } from "node:path";
import { beforeAll, describe, expect, it } from "@jest/globals";
import type { JsonObject, JsonValue } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { describeWithPyKeyValue, runPyKeyValueScript } from "@kv/test-servers";
import { TypedAdapter } from "../src/index.js";
import { LIBRARIES, type Library, type SchemaSet } from "./fixtures/schemas.js";

const SCRIPT = join(__dirname, "python", "pydantic_adapter.py");

interface Case {
  type: keyof SchemaSet;
  value: JsonValue;
  /** What either side reads back, when it differs from `value` (defaults filled in). */
  read?: JsonValue;
}

const CASES: Case[] = [
  { type: "user", value: { name: "Alice", age: 30, tags: ["admin"] } },
  { type: "user", value: { name: "Bob", age: 25 }, read: { name: "Bob", age: 25, tags: [] } },
  { type: "users", value: [{ name: "Alice", age: 30, tags: [] }, { name: "Bob", age: 25 }], read: [{ name: "Alice", age: 30, tags: [] }, { name: "Bob", age: 25, tags: [] }] },
  { type: "users", value: [] },
  { type: "numbers", value: [1, 2, 3] },
  { type: "count", value: 42 },
  { type: "label", value: "héllo 🎉" },
  { type: "ratio", value: 1.5 },
  { type: "flag", value: false },
  { type: "scores", value: { alice: 3, items: 4 } },
  { type: "maybe_user", value: null },
  { type: "maybe_user", value: { name: "Carol", age: 41, tags: [] } },
];

/** A plain valibot schema has no JSON Schema, so it stores a non-null nullable object unwrapped, unlike Python. */
const differsFromPython = (library: Library, testCase: Case): boolean =>
  library.unionWrapping === "non-objects" && testCase.type === "maybe_user" && testCase.value !== null;

interface Answer {
  written: { stored: JsonObject }[];
  read: ({ value: JsonValue } | { error: string })[];
}

const runPython = (command: { write?: Case[]; read?: { type: string; stored: JsonObject }[] }): Promise<Answer> =>
  runPyKeyValueScript<Answer>(SCRIPT, command, 60_000);

describeWithPyKeyValue("TypedAdapter and py-key-value 0.4.6's PydanticAdapter", () => {
  let fromPython: JsonObject[];

  beforeAll(async () => {
    fromPython = (await runPython({ write: CASES })).written.map(({ stored }) => stored);
  });

  it("Python stores the cases as PydanticAdapter does: objects as they are, anything else in {items}", () => {
    expect(fromPython).toEqual(
      CASES.map((testCase) => {
        const read = testCase.read ?? testCase.value;
        return testCase.type === "user" || testCase.type === "scores" ? read : { items: read };
      }),
    );
  });

  describe.each(LIBRARIES)("with $name", (library) => {
    it("writes exactly what PydanticAdapter writes", async () => {
      const store = new MemoryStore();
      for (const [index, testCase] of CASES.entries()) {
        if (differsFromPython(library, testCase)) continue;
        await new TypedAdapter(store, library.schemas[testCase.type] as never).put(`k${index}`, testCase.value);
        await expect(store.get(`k${index}`)).resolves.toEqual(fromPython[index]);
      }
    });

    it("reads what PydanticAdapter wrote", async () => {
      const store = new MemoryStore();
      for (const [index, testCase] of CASES.entries()) {
        await store.put(`k${index}`, fromPython[index]!);
        await expect(new TypedAdapter(store, library.schemas[testCase.type] as never).get(`k${index}`)).resolves.toEqual(
          testCase.read ?? testCase.value,
        );
      }
    });

    it("writes what PydanticAdapter reads", async () => {
      const store = new MemoryStore();
      const written: { type: string; stored: JsonObject }[] = [];
      for (const [index, testCase] of CASES.entries()) {
        await new TypedAdapter(store, library.schemas[testCase.type] as never).put(`k${index}`, testCase.value);
        written.push({ type: testCase.type, stored: (await store.get(`k${index}`))! });
      }
      const answers = (await runPython({ read: written })).read;
      expect(answers).toEqual(
        CASES.map((testCase) =>
          differsFromPython(library, testCase) ? { error: "DeserializationError" } : { value: testCase.read ?? testCase.value },
        ),
      );
    });
  });
});
