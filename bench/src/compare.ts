import type { AsyncKeyValue, JsonObject } from "@kv/core";
import type Keyv from "keyv";
import { Bench } from "tinybench";

export const KEY_COUNT = 1_000;
export const BATCH = 100;
const TIME_MS = Number(process.env.KV_BENCH_TIME_MS ?? 500);
/** Rounds per operation, each with the contenders in a rotated order; the median round counts, so drift and order effects even out. */
const ROUNDS = Number(process.env.KV_BENCH_ROUNDS ?? 3);

/** A value of about 1 KB of JSON. */
function valueFor(index: number): JsonObject {
  return { id: index, name: `user-${index}`, tags: ["a", "b", "c"], active: index % 2 === 0, payload: "x".repeat(920) };
}

/** Each write carries a new revision: a backend may skip rewriting identical bytes, which would flatter whoever writes them. */
function revised(value: JsonObject, revision: number): JsonObject {
  return { ...value, revision };
}

const keys = Array.from({ length: KEY_COUNT }, (_, index) => `key-${index}`);
const values = keys.map((_, index) => valueFor(index));
const batchStarts = Array.from({ length: KEY_COUNT / BATCH }, (_, index) => index * BATCH);

/** The four operations, as one contender performs them. */
export interface Contender {
  name: string;
  /** Operations this peer cannot perform here, each with why; the table shows "–" for them. */
  cannot?: Partial<Record<Operation, string>>;
  get(key: string): unknown;
  put(key: string, value: JsonObject): unknown;
  getMany(keys: string[]): unknown;
  putMany(entries: [string, JsonObject][]): unknown;
}

export function kvContender(name: string, store: AsyncKeyValue): Contender {
  return {
    name,
    get: (key) => store.get(key),
    put: (key, value) => store.put(key, value),
    getMany: (batch) => store.getMany(batch),
    putMany: (entries) => store.putMany(entries),
  };
}

export function keyvContender(name: string, keyv: Keyv): Contender {
  return {
    name,
    get: (key) => keyv.get(key),
    put: (key, value) => keyv.set(key, value),
    getMany: (batch) => keyv.getMany(batch),
    putMany: (entries) => keyv.setMany(entries.map(([key, value]) => ({ key, value }))),
  };
}

export type Operation = "get" | "put" | "getMany" | "putMany";
const OPERATIONS: readonly Operation[] = ["get", "put", "getMany", "putMany"];

export interface Target {
  operation: Operation | "every";
  peer: string;
  atLeast: number;
}

export interface Workload {
  /** Single gets and puts kept in flight at once (1: one after another). */
  inFlight: number;
  /** Fewest calls per task and round, past the time limit (tinybench's default, 64, takes minutes on a slow server). */
  minIterations?: number;
}

function task(contender: Contender, operation: Operation, workload: Workload): () => unknown {
  let counter = 0;
  const batches = batchStarts.map((start) => keys.slice(start, start + BATCH));
  const entryBatches = batchStarts.map((start) => keys.slice(start, start + BATCH).map((key, offset) => [key, values[start + offset]!] as [string, JsonObject]));
  const single = (run: () => unknown): (() => unknown) =>
    workload.inFlight === 1 ? run : () => Promise.all(Array.from({ length: workload.inFlight }, run));
  switch (operation) {
    case "get":
      return single(() => contender.get(keys[counter++ % KEY_COUNT]!));
    case "put":
      return single(() => {
        const index = counter++ % KEY_COUNT;
        return contender.put(keys[index]!, revised(values[index]!, counter));
      });
    case "getMany":
      return () => contender.getMany(batches[counter++ % batches.length]!);
    case "putMany":
      return () => {
        const revision = counter++;
        return contender.putMany(entryBatches[revision % entryBatches.length]!.map(([key, value]) => [key, revised(value, revision)]));
      };
  }
}

async function preload(contender: Contender): Promise<void> {
  for (const start of batchStarts) {
    await contender.putMany(keys.slice(start, start + BATCH).map((key, offset) => [key, values[start + offset]!] as [string, JsonObject]));
  }
}

/**
 * Measures `subject` and its peers on each operation in the same run and prints
 * ops/s (single operations count each one; batch operations count batches) and
 * the subject's ratio to each peer. Returns the targets it missed.
 */
export async function compare(title: string, subject: Contender, peers: Contender[], targets: Target[], workload: Workload = { inFlight: 1 }): Promise<string[]> {
  for (const contender of [subject, ...peers]) await preload(contender);
  const misses: string[] = [];
  const flight = workload.inFlight === 1 ? "" : `, ${workload.inFlight} single operations in flight`;
  console.log(`\n${title} — 1 KB values, batches of ${BATCH}${flight}; ops/s (batches/s for *Many), median of ${ROUNDS} rounds`);
  const header = ["operation", subject.name, ...peers.flatMap((peer) => [peer.name, `÷ ${peer.name}`])];
  const rows: string[][] = [];
  for (const operation of OPERATIONS) {
    const contenders = [subject, ...peers.filter((peer) => peer.cannot?.[operation] === undefined)];
    const tasks = new Map(contenders.map((contender) => [contender.name, task(contender, operation, workload)]));
    const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({
        time: TIME_MS,
        warmupTime: 100,
        ...(workload.minIterations === undefined ? {} : { iterations: workload.minIterations, warmupIterations: workload.minIterations }),
      });
      for (let index = 0; index < contenders.length; index++) {
        const { name } = contenders[(index + round) % contenders.length]!;
        bench.add(name, tasks.get(name)!);
      }
      await bench.run();
      for (const benchTask of bench.tasks) {
        const result = benchTask.result as { state: string; throughput?: { mean: number }; error?: unknown };
        if (result.state !== "completed" || result.throughput === undefined) throw new Error(`${benchTask.name} ${operation} failed: ${String(result.error)}`);
        samples.get(benchTask.name)!.push(result.throughput.mean);
      }
    }
    const perTask = operation === "get" || operation === "put" ? workload.inFlight : 1;
    const throughput = new Map([...samples].map(([name, rounds]) => [name, median(rounds) * perTask]));
    const own = throughput.get(subject.name)!;
    const row = [operation, format(own)];
    for (const peer of peers) {
      if (peer.cannot?.[operation] !== undefined) {
        row.push("–", "–");
        console.log(`${peer.name} ${operation}: not measured, ${peer.cannot[operation]}`);
        continue;
      }
      const ratio = own / throughput.get(peer.name)!;
      row.push(format(throughput.get(peer.name)!), `${ratio.toFixed(2)}×`);
      for (const target of targets) {
        if (target.peer === peer.name && (target.operation === operation || target.operation === "every") && ratio < target.atLeast) {
          misses.push(`${subject.name} ${operation}: ${ratio.toFixed(2)}× ${peer.name}, target ≥ ${target.atLeast}×`);
        }
      }
    }
    rows.push(row);
  }
  printTable(header, rows);
  return misses;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString("en-US");
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
