const OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"]);

/**
 * A search filter as LangGraph's in-memory store applies it: every top-level
 * field of the filter must match the item's field of the same name, either by
 * strict equality (so objects and arrays never match) or, for an object whose
 * keys are all operators, by every one of its operators.
 */
export function matchesFilter(value: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean {
  if (filter === undefined) return true;
  return Object.entries(filter).every(([field, expected]) => compareValue(value[field], expected));
}

function compareValue(actual: unknown, expected: unknown): boolean {
  if (!isOperatorObject(expected)) return actual === expected;
  return Object.entries(expected).every(([operator, operand]) => {
    switch (operator) {
      case "$eq":
        return actual === operand;
      case "$ne":
        return actual !== operand;
      case "$gt":
        return Number(actual) > Number(operand);
      case "$gte":
        return Number(actual) >= Number(operand);
      case "$lt":
        return Number(actual) < Number(operand);
      case "$lte":
        return Number(actual) <= Number(operand);
      case "$in":
        return Array.isArray(operand) && operand.includes(actual);
      default:
        return !Array.isArray(operand) || !operand.includes(actual);
    }
  });
}

function isOperatorObject(expected: unknown): expected is Record<string, unknown> {
  return typeof expected === "object" && expected !== null && Object.keys(expected).every((key) => OPERATORS.has(key));
}
