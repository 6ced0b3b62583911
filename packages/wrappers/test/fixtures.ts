import { StoreConnectionError, type AsyncKeyValue, type Capability } from "@kv/core";
import { MemoryStore } from "@kv/memory";
import { KeyValueWrapper, OperationWrapper, type Operation } from "../src/index.js";

export const ALL_CAPABILITIES: readonly Capability[] = ["keys", "collections", "destroyCollection", "destroy", "cull"];

/**
 * A MemoryStore behind a switch, for the wrappers' failure handling: it fails the
 * next `failNext` calls with `StoreConnectionError` (or whatever `failWith` makes),
 * or holds calls until `release()` while `hold` is set. Counts the calls that reach it.
 */
export class FaultyStore extends OperationWrapper<MemoryStore> {
  failNext = 0;
  failWith: () => unknown = () => new StoreConnectionError("injected connection failure");
  hold = false;
  calls = 0;
  private held: (() => void)[] = [];

  constructor(inner: MemoryStore = new MemoryStore()) {
    super(inner);
  }

  release(): void {
    this.hold = false;
    for (const resume of this.held.splice(0)) resume();
  }

  protected async around<T>(_operation: Operation, call: () => Promise<T>): Promise<T> {
    await this.gate();
    return call();
  }

  protected async *aroundScan(_operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    await this.gate();
    yield* open();
  }

  private async gate(): Promise<void> {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith();
    }
    if (this.hold) await new Promise<void>((resume) => this.held.push(resume));
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Narrows a wrapper to a store with every capability, for tests over a MemoryStore. */
export function full<S extends AsyncKeyValue>(store: S): S & Required<Pick<MemoryStore, Capability>> {
  return store as S & Required<Pick<MemoryStore, Capability>>;
}

/** The store, offering only `capabilities` of its own: to see what a wrapper offers over a less able store. */
export class Offering<S extends AsyncKeyValue> extends KeyValueWrapper<S> {
  constructor(inner: S, capabilities: readonly Capability[]) {
    super(inner, capabilities);
  }
}
