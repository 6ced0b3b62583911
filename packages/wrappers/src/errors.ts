import { StoreConnectionError, type KeyValueErrorOptions } from "@kv/core";

/**
 * An operation took longer than the `TimeoutWrapper` allows. It is a
 * `StoreConnectionError` (a store that does not answer in time is as good as
 * unreachable), so `RetryWrapper`, `FallbackWrapper` and `CircuitBreakerWrapper`
 * treat it as one.
 *
 * The operation itself cannot be cancelled and may still complete: `settled`
 * resolves with its eventual outcome (it never rejects), so a timed-out write is
 * never left unreported.
 */
export class StoreTimeoutError extends StoreConnectionError {
  /** The method that timed out, e.g. `"put"`. */
  readonly operation: string;
  readonly timeoutMs: number;
  /** The eventual outcome of the operation that timed out. */
  readonly settled: Promise<PromiseSettledResult<unknown>>;

  constructor(operation: string, timeoutMs: number, settled: Promise<PromiseSettledResult<unknown>>, options?: KeyValueErrorOptions) {
    super(`${operation} did not complete within ${timeoutMs} ms`, options);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
    this.settled = settled;
  }
}

/**
 * The `CircuitBreakerWrapper` refused an operation without trying it, because the
 * store failed too often. A `StoreConnectionError`, so a `FallbackWrapper` around the
 * breaker serves it from the fallback store.
 */
export class CircuitOpenError extends StoreConnectionError {
  /** When the breaker lets a probe through, in epoch milliseconds. */
  readonly retryAt: number;

  constructor(retryAt: number, options?: KeyValueErrorOptions) {
    super(`the circuit is open after repeated store failures; the next attempt is allowed at ${new Date(retryAt).toISOString()}`, options);
    this.retryAt = retryAt;
  }
}
