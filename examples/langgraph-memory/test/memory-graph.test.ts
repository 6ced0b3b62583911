import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { DiskStore } from "@kv/disk";
import { LangGraphStore } from "@kv/langgraph";
import { buildMemoryGraph } from "../src/memory-graph.js";

describe("a LangGraph graph with long-term memory in @kv/langgraph on DiskStore", () => {
  let directory = "";
  const opened: DiskStore[] = [];

  /** A graph over a DiskStore of its own on the shared directory, as a new process would have. */
  function openGraph() {
    const disk = new DiskStore({ directory });
    opened.push(disk);
    return { graph: buildMemoryGraph(new LangGraphStore({ store: disk })), memory: new LangGraphStore({ store: disk }) };
  }

  async function say(graph: ReturnType<typeof buildMemoryGraph>, user: string, message: string): Promise<string> {
    return (await graph.invoke({ user, message })).reply;
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "kv-langgraph-memory-"));
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((disk) => disk.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  it("remembers facts and visits across runs, per user", async () => {
    const { graph } = openGraph();
    expect(await say(graph, "alice", "hi")).toBe("Hello alice, visit 1. I know: nothing about you yet.");
    expect(await say(graph, "alice", "remember that I like pizza")).toBe("Hello alice, visit 2. I know: I like pizza.");
    expect(await say(graph, "bob", "remember that I am vegan")).toBe("Hello bob, visit 1. I know: I am vegan.");
    expect(await say(graph, "alice", "Remember that I live in Lyon")).toBe("Hello alice, visit 3. I know: I like pizza; I live in Lyon.");
    expect(await say(graph, "alice", "bye")).toBe("Hello alice, visit 4. I know: I like pizza; I live in Lyon.");
  });

  it("finds its memory again after the store is closed and opened anew", async () => {
    const first = openGraph();
    await say(first.graph, "alice", "remember that I like pizza");
    await say(first.graph, "bob", "hello");
    await Promise.all(opened.splice(0).map((disk) => disk.close()));

    const { graph, memory } = openGraph();
    expect(await say(graph, "alice", "what do you know?")).toBe("Hello alice, visit 2. I know: I like pizza.");
    expect(await memory.listNamespaces()).toEqual([["memories", "alice"], ["profiles"]]);
    const profile = await memory.get(["profiles"], "alice");
    expect(profile?.value).toEqual({ visits: 2, lastMessage: "what do you know?" });
    expect(profile!.updatedAt.getTime()).toBeGreaterThan(profile!.createdAt.getTime());
  });
});
