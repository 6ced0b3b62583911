import { describe, expect, it } from "@jest/globals";
import { MemoryStore } from "@kv/memory";
import type { StandardJSONSchemaV1 as SpecJSONSchema, StandardSchemaV1 as SpecSchema } from "@standard-schema/spec";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";
import { TypedAdapter, type StandardJSONSchemaV1, type StandardSchemaV1 } from "../src/index.js";

// Compile-time checks (`tsc --noEmit` type-checks the tests): each entry must be `true`.
type Assignable<From, To> = [From] extends [To] ? true : false;
type Equals<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

const zodAccount = z.object({ handle: z.string(), plan: z.enum(["free", "pro"]).default("free") });
const zodAdapter = new TypedAdapter(new MemoryStore(), zodAccount);
const valibotAdapter = new TypedAdapter(new MemoryStore(), v.array(v.number()));
const arkAdapter = new TypedAdapter(new MemoryStore(), type({ handle: "string" }));

const typeChecks: [
  Assignable<SpecSchema<string, number>, StandardSchemaV1<string, number>>,
  Assignable<StandardSchemaV1<string, number>, SpecSchema<string, number>>,
  Assignable<SpecJSONSchema<string, number>, StandardJSONSchemaV1<string, number>>,
  Assignable<StandardJSONSchemaV1<string, number>, SpecJSONSchema<string, number>>,
  // The adapter's types come from the schema: output for reads, input for writes.
  Equals<Awaited<ReturnType<typeof zodAdapter.get>>, { handle: string; plan: "free" | "pro" } | undefined>,
  Equals<Parameters<typeof zodAdapter.put>[1], { handle: string; plan?: "free" | "pro" | undefined }>,
  Equals<Awaited<ReturnType<typeof valibotAdapter.getMany>>, (number[] | undefined)[]>,
  Equals<Awaited<ReturnType<typeof arkAdapter.ttl>>, { value: { handle: string }; ttl: number | undefined } | undefined>,
] = [true, true, true, true, true, true, true, true];

describe("Standard Schema types", () => {
  it("our copy of the interfaces matches @standard-schema/spec, and adapters infer their types from the schema", async () => {
    expect(typeChecks.every(Boolean)).toBe(true);
    await zodAdapter.put("alice", { handle: "alice" });
    await valibotAdapter.put("list", [1, 2]);
    await arkAdapter.put("bob", { handle: "bob" });
    await expect(zodAdapter.get("alice")).resolves.toEqual({ handle: "alice", plan: "free" });
    await expect(valibotAdapter.getMany(["list"])).resolves.toEqual([[1, 2]]);
    await expect(arkAdapter.ttl("bob")).resolves.toEqual({ value: { handle: "bob" }, ttl: undefined });
    const fromSpec: SpecSchema<unknown, { n: number }> = z.object({ n: z.number() });
    const adapter = new TypedAdapter(new MemoryStore(), fromSpec);
    await adapter.put("k", { n: 1 });
    const value: { n: number } = await adapter.get("k", { default: { n: 0 } });
    expect(value).toEqual({ n: 1 });
  });
});
