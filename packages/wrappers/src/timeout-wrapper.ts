import type { AsyncKeyValue } from "@kv/core";
import { StoreTimeoutError } from "./errors.js";
import { wholeNumberOption } from "./option-checks.js";
import { OperationWrapper, type Operation } from "./operation-wrapper.js";

/** An operation that timed out and has now settled after all. */
export interface LateSettlement {
  /** The method and its arguments. */
  operation: Operation;
  /** Whether it completed (a timed-out write that did land) or failed, and with what. */
  outcome: PromiseSettledResult<unknown>;
}

export interface TimeoutWrapperOptions {
  /** Milliseconds an operation may take before it rejects with `StoreTimeoutError`. Default 5,000. */
  timeoutMs?: number;
  /** Called when an operation that timed out settles after all, so no timed-out write goes unreported. */
  onLateSettlement?: (settlement: LateSettlement) => void;
}

/**
 * Rejects any operation that takes longer than `timeoutMs` with `StoreTimeoutError`
 * (a `StoreConnectionError`). A promise cannot be cancelled, so the operation may
 * still complete; the wrapper keeps track of it: the error's `settled` promise and
 * the `onLateSettlement` callback report its outcome, and `close()` waits for every
 * operation still under way before it closes the wrapped store. `keys` and
 * `collections` time each step of the enumeration.
 */
export class TimeoutWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends OperationWrapper<S> {
  readonly timeoutMs: number;
  private readonly onLateSettlement: ((settlement: LateSettlement) => void) | undefined;
  /** Outcomes of the operations under way, timed out or not. */
  private readonly pending = new Set<Promise<PromiseSettledResult<unknown>>>();

  constructor(inner: S, options: TimeoutWrapperOptions = {}) {
    super(inner);
    this.timeoutMs = wholeNumberOption("timeoutMs", options.timeoutMs ?? 5_000, 1);
    this.onLateSettlement = options.onLateSettlement;
  }

  protected around<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    const work = new Promise<T>((resolve) => resolve(call()));
    const settled: Promise<PromiseSettledResult<T>> = work.then(
      (value) => ({ status: "fulfilled", value }),
      (reason: unknown) => ({ status: "rejected", reason }),
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        const key = operation.keys?.length === 1 && typeof operation.keys[0] === "string" ? operation.keys[0] : undefined;
        reject(new StoreTimeoutError(operation.name, this.timeoutMs, settled, { collection: operation.collection, key }));
        void settled.then((outcome) => this.onLateSettlement?.({ operation, outcome }));
      }, this.timeoutMs);
      work.then(
        (value) => {
          if (timedOut) return;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (timedOut) return;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  protected async *aroundScan(operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    const iterator = open()[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const step = await this.around(operation, () => iterator.next());
        if (step.done) {
          finished = true;
          return;
        }
        yield step.value;
      }
    } finally {
      // An early stop releases the source; after a timeout its next() may still be pending, so that is not awaited but tracked.
      if (!finished) void this.around(operation, async () => iterator.return?.()).catch(() => undefined);
    }
  }

  /** Waits for every operation still under way (timed out or not), then closes the wrapped store. */
  override async close(): Promise<void> {
    await Promise.all(this.pending);
    await super.close();
  }
}
