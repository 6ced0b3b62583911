import type { StandardSchemaV1 } from "./standard-schema.js";

const PATHS_NAMED = 5;

function pathOf(issue: StandardSchemaV1.Issue): string {
  const segments = (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? `[${key}]` : `[${JSON.stringify(String(key))}]`;
  });
  return `value${segments.join("")}`;
}

/**
 * Where a value failed its schema, e.g. `2 issues at value["age"], value["tags"][0]`.
 * Only paths: the libraries' messages may quote the offending value, which can be
 * a secret, so those stay in the failure result (the error's `cause`).
 */
export function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  const paths = [...new Set(issues.map(pathOf))];
  const named = paths.slice(0, PATHS_NAMED).join(", ");
  const more = paths.length > PATHS_NAMED ? ` and ${paths.length - PATHS_NAMED} more` : "";
  return `${issues.length} issue${issues.length === 1 ? "" : "s"} at ${named}${more}`;
}
