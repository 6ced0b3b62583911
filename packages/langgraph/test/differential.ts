import { isDeepStrictEqual } from "node:util";
import { expect } from "@jest/globals";
import { SyntheticEmbeddings } from "@langchain/core/utils/testing";
import { InMemoryStore, type BaseStore, type IndexConfig, type Operation } from "@langchain/langgraph-checkpoint";
import fc from "fast-check";

/**
 * The differential model: random command sequences run against LangGraph's own
 * `InMemoryStore` and against `LangGraphStore`, whose answers must be identical
 * but for `createdAt`/`updatedAt`.
 */

type Namespace = string[];
type Value = Record<string, unknown>;

export type Command =
  | { kind: "put"; namespace: Namespace; key: string; value: Value }
  | { kind: "delete"; namespace: Namespace; key: string }
  | { kind: "get"; namespace: Namespace; key: string }
  | { kind: "search"; prefix: Namespace; options: { filter?: Value; limit?: number; offset?: number; query?: string } }
  | { kind: "list"; options: { prefix?: Namespace; suffix?: Namespace; maxDepth?: number; limit?: number; offset?: number } }
  | { kind: "batch"; operations: Operation[] };

// "*" is a wildcard only in listNamespaces; "langgraph" is a root label put() refuses and batch() allows.
// Few common labels and short namespaces, so that sequences keep meeting the same items and namespaces.
const label = fc.oneof({ arbitrary: fc.constantFrom("a", "b"), weight: 12 }, { arbitrary: fc.constantFrom("c", "*", "langgraph", "ünï"), weight: 1 });
const namespace = fc.oneof(
  { arbitrary: fc.array(label, { minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.array(label, { minLength: 2, maxLength: 2 }), weight: 2 },
  { arbitrary: fc.array(label, { minLength: 3, maxLength: 3 }), weight: 1 },
);
// Mostly valid namespaces, sometimes an empty one, which get/put/delete refuse.
const anyNamespace = fc.oneof({ arbitrary: namespace, weight: 12 }, { arbitrary: fc.constant([] as string[]), weight: 1 });
// No ":" in keys: the in-memory store joins namespace and key with ":" when it deduplicates a batch's puts, which merges ["a"],"b:c" with ["a","b"],"c".
const key = fc.oneof({ arbitrary: fc.constantFrom("k", "k2"), weight: 4 }, { arbitrary: fc.constantFrom("", "~", "~x", "a.b", "ключ", "😀 x"), weight: 1 });
const texts = ["the cat sat", "dogs bark loudly", "a red apple", "blue sky", ""];
const value: fc.Arbitrary<Value> = fc.record(
  {
    n: fc.integer({ min: 0, max: 4 }),
    color: fc.constantFrom("red", "green", "blue"),
    text: fc.constantFrom(...texts),
    flag: fc.boolean(),
    tags: fc.constant(["x"]),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const operand = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom("red", "blue", "2", true));
const condition = fc.oneof(
  operand,
  fc.constantFrom("$eq", "$ne", "$gt", "$gte", "$lt", "$lte").chain((operator) => operand.map((argument) => ({ [operator]: argument }))),
  fc.constantFrom("$in", "$nin").chain((operator) => fc.array(operand, { maxLength: 3 }).map((argument) => ({ [operator]: argument }))),
  fc.constant({}),
  fc.constant(["x"]),
);
const filter = fc.dictionary(fc.constantFrom("n", "color", "flag", "tags", "missing"), condition, { minKeys: 1, maxKeys: 2 });
const limit = fc.integer({ min: 0, max: 8 });
const offset = fc.integer({ min: 0, max: 3 });
const searchPrefix = fc.oneof({ arbitrary: fc.constant([] as string[]), weight: 2 }, { arbitrary: fc.array(label, { minLength: 1, maxLength: 2 }), weight: 3 });
const path = fc.array(label, { minLength: 1, maxLength: 2 });

/** `arbitrary` one time in `every`, else undefined: options left out most of the time keep answers large. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: every - 1 }, { arbitrary, weight: 1 });
}

function searchOptions(queries: boolean) {
  return fc.record({
    filter: sometimes(filter, 3),
    limit: sometimes(limit, 3),
    offset: sometimes(offset, 4),
    query: queries ? sometimes(fc.constantFrom(...texts, "red cat"), 2) : fc.constant(undefined),
  });
}

const listOptions = fc.record({
  prefix: sometimes(path, 3),
  suffix: sometimes(path, 4),
  maxDepth: sometimes(fc.integer({ min: 1, max: 3 }), 3),
  limit: sometimes(limit, 3),
  offset: sometimes(offset, 4),
});

function operation(queries: boolean): fc.Arbitrary<Operation> {
  return fc.oneof(
    fc.record({ namespace: anyNamespace, key }),
    fc.record({ namespace, key, value: fc.oneof(value, fc.constant(null)) }),
    fc.record({ namespacePrefix: searchPrefix, options: searchOptions(queries) }).map(({ namespacePrefix, options }) => ({
      namespacePrefix,
      ...options,
    })),
    listOptions.map(({ prefix, suffix, maxDepth, limit: most, offset: skip }) => ({
      matchConditions: [
        ...(prefix === undefined ? [] : [{ matchType: "prefix" as const, path: prefix }]),
        ...(suffix === undefined ? [] : [{ matchType: "suffix" as const, path: suffix }]),
      ],
      maxDepth,
      limit: most as number,
      offset: skip as number,
    })),
  );
}

export function commands(options: { queries: boolean; maxLength: number }): fc.Arbitrary<Command[]> {
  const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("put" as const), namespace, key, value }), weight: 8 },
    { arbitrary: fc.record({ kind: fc.constant("delete" as const), namespace: anyNamespace, key }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("get" as const), namespace: anyNamespace, key }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("search" as const), prefix: searchPrefix, options: searchOptions(options.queries) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("list" as const), options: listOptions }), weight: 2 },
    {
      arbitrary: fc.record({
        kind: fc.constant("batch" as const),
        operations: fc.array(operation(options.queries), { minLength: 1, maxLength: 5 }).filter((operations) => !getsWhatItPuts(operations)),
      }),
      weight: 3,
    },
  );
  return fc.array(command, { minLength: 10, maxLength: options.maxLength });
}

/**
 * Whether a batch both gets and puts one item. The in-memory store answers such
 * a get with the very object the later put then updates, so it shows the value
 * after the batch (or `null` for a new item); `LangGraphStore` answers every read
 * of a batch from the state before it. `langgraph-store.test.ts` covers that case.
 */
function getsWhatItPuts(operations: readonly Operation[]): boolean {
  const id = (operation: Operation) => ("namespace" in operation ? JSON.stringify([operation.namespace, operation.key]) : undefined);
  const puts = new Set(operations.filter((operation) => "value" in operation).map(id));
  return operations.some((operation) => "key" in operation && !("value" in operation) && puts.has(id(operation)));
}

/** How many LangGraph operations a command carries (a batch carries each of its operations). */
export function operationCount(command: Command): number {
  return command.kind === "batch" ? command.operations.length : 1;
}

async function run(store: BaseStore, command: Command): Promise<unknown> {
  switch (command.kind) {
    case "put":
      return store.put(command.namespace, command.key, command.value);
    case "delete":
      return store.delete(command.namespace, command.key);
    case "get":
      return store.get(command.namespace, command.key);
    case "search":
      return store.search(command.prefix, command.options);
    case "list":
      return store.listNamespaces(command.options);
    case "batch":
      return store.batch(command.operations);
  }
}

/** An answer without the times, which the two stores take from their own clocks; an error by its class and message. */
async function outcome(store: BaseStore, command: Command): Promise<unknown> {
  try {
    return withoutTimes(await run(store, command));
  } catch (error) {
    return { threw: (error as Error).name, message: (error as Error).message };
  }
}

function withoutTimes(answer: unknown): unknown {
  if (Array.isArray(answer)) return answer.map(withoutTimes);
  if (typeof answer === "object" && answer !== null && "createdAt" in answer && "updatedAt" in answer) {
    const { createdAt, updatedAt, ...rest } = answer as { createdAt: Date; updatedAt: Date };
    expect(createdAt.getTime()).toBeLessThanOrEqual(updatedAt.getTime());
    return rest;
  }
  return answer;
}

/** The index configuration both stores get when semantic search is under test: deterministic vectors, no model. */
export function syntheticIndex(): IndexConfig {
  return { dims: 4, embeddings: new SyntheticEmbeddings({ vectorSize: 4 }) };
}

/** What the compared answers held, to show that the sequences exercise something. */
export interface AnswerTally {
  /** Answers with two or more items or namespaces, where order matters. */
  ordered: number;
  /** Answers that were an error, thrown by both stores alike. */
  errors: number;
}

/** Runs `commands` against a fresh `InMemoryStore` and `store`, expecting the same answer to each. */
export async function expectSameAnswers(store: BaseStore, commands: readonly Command[], tally: AnswerTally, index?: IndexConfig): Promise<void> {
  const reference = new InMemoryStore(index === undefined ? undefined : { index });
  for (const [step, command] of commands.entries()) {
    const expected = await outcome(reference, command);
    const actual = await outcome(store, command);
    if (!isDeepStrictEqual(actual, expected)) {
      expect({ step, command, answer: actual }).toStrictEqual({ step, command, answer: expected });
    }
    const answers = command.kind === "batch" && Array.isArray(expected) ? expected : [expected];
    tally.ordered += answers.filter((answer) => Array.isArray(answer) && answer.length >= 2).length;
    if (typeof expected === "object" && expected !== null && "threw" in expected) tally.errors += 1;
  }
}
