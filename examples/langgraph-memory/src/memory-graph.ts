import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseStore } from "@langchain/langgraph-checkpoint";

/**
 * A small assistant with long-term memory and no model: each turn it recalls what
 * it knows about the user, remembers facts the user states ("remember that …"),
 * counts the visit and answers from memory. Its nodes are plain functions, so a
 * run gives the same answer every time.
 */
const State = Annotation.Root({
  user: Annotation<string>,
  message: Annotation<string>,
  visits: Annotation<number>,
  facts: Annotation<string[]>,
  reply: Annotation<string>,
});

type Turn = typeof State.State;

const REMEMBER = /^remember that (.+)$/i;

function memoryOf(config: LangGraphRunnableConfig): BaseStore {
  if (config.store === undefined) throw new Error("compile the graph with a store");
  return config.store;
}

/** Reads the user's profile and facts; LangGraph batches the two reads into one call of the store's `batch`. */
async function recall(state: Turn, config: LangGraphRunnableConfig): Promise<Partial<Turn>> {
  const memory = memoryOf(config);
  const [profile, facts] = await Promise.all([memory.get(["profiles"], state.user), memory.search(["memories", state.user], { limit: 100 })]);
  return {
    visits: ((profile?.value.visits as number | undefined) ?? 0) + 1,
    facts: facts.map((item) => item.value.fact as string),
  };
}

async function remember(state: Turn, config: LangGraphRunnableConfig): Promise<Partial<Turn>> {
  const memory = memoryOf(config);
  const fact = REMEMBER.exec(state.message)?.[1];
  const writes = [memory.put(["profiles"], state.user, { visits: state.visits, lastMessage: state.message })];
  if (fact !== undefined) writes.push(memory.put(["memories", state.user], `fact-${state.facts.length + 1}`, { fact }));
  await Promise.all(writes);
  return fact === undefined ? {} : { facts: [...state.facts, fact] };
}

function answer(state: Turn): Partial<Turn> {
  const known = state.facts.length === 0 ? "nothing about you yet" : state.facts.join("; ");
  return { reply: `Hello ${state.user}, visit ${state.visits}. I know: ${known}.` };
}

/** The graph, compiled with `store` as its long-term memory. */
export function buildMemoryGraph(store: BaseStore) {
  return new StateGraph(State)
    .addNode("recall", recall)
    .addNode("remember", remember)
    .addNode("answer", answer)
    .addEdge(START, "recall")
    .addEdge("recall", "remember")
    .addEdge("remember", "answer")
    .addEdge("answer", END)
    .compile({ store });
}
