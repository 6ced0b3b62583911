import { InvalidArgumentError, assertValidName } from "@kv/core";

/** py-key-value's separator between a prefix and the name it prefixes. */
export const DEFAULT_PREFIX_SEPARATOR = "__";

/** `prefix + separator + name`, as py-key-value writes it; `strip` undoes it and returns `undefined` for names without it. */
export class NamePrefix {
  private readonly head: string;

  constructor(prefix: string, separator: string = DEFAULT_PREFIX_SEPARATOR) {
    try {
      assertValidName(prefix, "key");
    } catch (error) {
      throw new InvalidArgumentError(`prefix must be a non-empty string: ${(error as Error).message}`, { cause: error });
    }
    if (typeof separator !== "string" || separator === "") throw new InvalidArgumentError("separator must be a non-empty string");
    this.head = prefix + separator;
  }

  /** Validates `name` as a key or collection, then prefixes it. */
  add(name: string, kind: "key" | "collection"): string {
    assertValidName(name, kind);
    return this.head + name;
  }

  strip(name: string): string | undefined {
    return name.startsWith(this.head) && name.length > this.head.length ? name.slice(this.head.length) : undefined;
  }

  has(name: string): boolean {
    return this.strip(name) !== undefined;
  }
}
