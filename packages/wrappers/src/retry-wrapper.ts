import { InvalidArgumentError, KeyValueError, type AsyncKeyValue } from "@kv/core";
import { recoverFirstStep } from "./key-scan.js";
import { wholeNumberOption } from "./option-checks.js";
import { isStoreFailure, isTransientFailure } from "./store-failure.js";
import { OperationWrapper, type Operation } from "./operation-wrapper.js";

export interface RetryEvent {
  /** The method being retried, e.g. `"put"`. */
  operation: string;
  /** Which retry comes next: 1 for the first. */
  attempt: number;
  /** How long the wrapper waits before it. */
  delayMs: number;
  /** The failure that caused it. */
  error: unknown;
}

export interface RetryWrapperOptions {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Ceiling of the first delay, in milliseconds. Default 100. */
  initialDelayMs?: number;
  /** Ceiling of any delay, in milliseconds. Default 10,000. */
  maxDelayMs?: number;
  /** How much the ceiling grows per retry. Default 2. */
  multiplier?: number;
  /**
   * Which failures to retry. Default: `StoreConnectionError`, which includes
   * `StoreTimeoutError` (an open circuit is not retried). Whatever this says, an
   * error about the caller's input (bad key, TTL or value, read-only, closed store) is never retried.
   */
  retryOn?: (error: unknown) => boolean;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/**
 * Retries operations that fail for want of a connection, with exponential backoff
 * and full jitter: before retry n it waits a random time up to
 * `min(maxDelayMs, initialDelayMs × multiplier^(n-1))`, so clients that failed
 * together do not come back together.
 *
 * Every method is retried, writes included: `put` and `putMany` are idempotent, but a
 * `delete` whose first attempt did remove the entry before the connection dropped
 * resolves `false` on the retry. `keys` and `collections` are retried only until they
 * yield their first item (afterwards a retry would repeat items).
 */
export class RetryWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends OperationWrapper<S> {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  private readonly retryOn: (error: unknown) => boolean;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(inner: S, options: RetryWrapperOptions = {}) {
    super(inner);
    this.maxRetries = wholeNumberOption("maxRetries", options.maxRetries ?? 3);
    this.initialDelayMs = wholeNumberOption("initialDelayMs", options.initialDelayMs ?? 100);
    this.maxDelayMs = wholeNumberOption("maxDelayMs", options.maxDelayMs ?? 10_000);
    this.multiplier = options.multiplier ?? 2;
    if (typeof this.multiplier !== "number" || !(this.multiplier >= 1) || !Number.isFinite(this.multiplier)) {
      throw new InvalidArgumentError(`multiplier must be a finite number ≥ 1, got ${String(this.multiplier)}`);
    }
    this.retryOn = options.retryOn ?? isTransientFailure;
    this.onRetry = options.onRetry;
  }

  protected async around<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        await this.beforeRetry(operation.name, attempt, error);
      }
    }
  }

  protected aroundScan(operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    return recoverFirstStep(open, async (error, attempt) => {
      await this.beforeRetry(operation.name, attempt, error);
      return open;
    });
  }

  /** A random number in [0, 1): the jitter. */
  protected random(): number {
    return Math.random();
  }

  /** Rethrows `error` unless retry number `attempt` is allowed; otherwise waits the backoff. */
  private async beforeRetry(operation: string, attempt: number, error: unknown): Promise<void> {
    const refusedInput = error instanceof KeyValueError && !isStoreFailure(error);
    if (refusedInput || attempt > this.maxRetries || !this.retryOn(error)) throw error;
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * this.multiplier ** (attempt - 1));
    const delayMs = Math.round(this.random() * ceiling);
    this.onRetry?.({ operation, attempt, delayMs, error });
    await sleep(delayMs);
  }
}

