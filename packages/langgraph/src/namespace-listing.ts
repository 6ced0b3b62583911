import type { MatchCondition } from "@langchain/langgraph-checkpoint";

/** What a listNamespaces operation asks for; without `limit`, every namespace from `offset` on. */
export interface NamespaceQuery {
  matchConditions?: MatchCondition[] | undefined;
  maxDepth?: number | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/**
 * `listNamespaces` exactly as LangGraph's in-memory store answers it: namespaces
 * matching every condition (`*` matches any label), cut to `maxDepth` labels and
 * deduplicated, sorted by their `:`-joined text with `localeCompare`, then paged.
 * `namespaces` come in the order they were first written to, which decides
 * between texts that `localeCompare` finds equal.
 */
export function listNamespaces(namespaces: readonly string[][], op: NamespaceQuery): string[][] {
  let listed = namespaces.filter((namespace) => (op.matchConditions ?? []).every((condition) => matches(condition, namespace)));
  if (op.maxDepth !== undefined) {
    const truncated = new Map<string, string[]>();
    for (const namespace of listed) {
      const cut = namespace.slice(0, op.maxDepth);
      const text = cut.join(":");
      if (!truncated.has(text)) truncated.set(text, cut);
    }
    listed = [...truncated.values()];
  }
  listed.sort((a, b) => a.join(":").localeCompare(b.join(":")));
  const offset = op.offset ?? 0;
  return listed.slice(offset, offset + (op.limit ?? listed.length));
}

function matches({ matchType, path }: MatchCondition, namespace: readonly string[]): boolean {
  if (path.length > namespace.length) return false;
  const start = matchType === "prefix" ? 0 : namespace.length - path.length;
  return path.every((label, index) => label === "*" || namespace[start + index] === label);
}

/** Whether `namespace` lies under `prefix`, label by label (`*` is an ordinary label here); `[]` covers everything. */
export function isUnderPrefix(namespace: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= namespace.length && prefix.every((label, index) => namespace[index] === label);
}
