import type { AsyncKeyValue } from "@kv/core";
import { CircuitOpenError } from "./errors.js";
import { wholeNumberOption } from "./option-checks.js";
import { isStoreFailure } from "./store-failure.js";
import { OperationWrapper, type Operation } from "./operation-wrapper.js";

/** `closed`: calls go through. `open`: calls are refused at once. `half-open`: one probe call goes through. */
export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitStateChange {
  from: CircuitState;
  to: CircuitState;
  /** The failure that opened the circuit, when it opened. */
  error?: unknown;
}

export interface CircuitBreakerWrapperOptions {
  /** Consecutive store failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Milliseconds the circuit stays open before it lets one probe through. Default 30,000. */
  resetTimeoutMs?: number;
  /** Which errors count as failures. Default: store failures (connection, timeout, operation, setup); input errors never count. */
  isFailure?: (error: unknown) => boolean;
  /** Called on every change of state, e.g. to log it or raise an alert. */
  onStateChange?: (change: CircuitStateChange) => void;
}

/**
 * Stops calling a store that keeps failing. After `failureThreshold` consecutive
 * failures the circuit opens: every call is refused at once with `CircuitOpenError`
 * (a `StoreConnectionError`) for `resetTimeoutMs`. Then the next call is let through
 * as a probe (half-open; calls meanwhile are refused): if it succeeds the circuit
 * closes, if it fails it opens again. Put a `FallbackWrapper` around it to serve
 * reads elsewhere while it is open.
 */
export class CircuitBreakerWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends OperationWrapper<S> {
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly onStateChange: ((change: CircuitStateChange) => void) | undefined;
  private currentState: CircuitState = "closed";
  private consecutiveFailures = 0;
  private retryAt = 0;
  private probing = false;

  constructor(inner: S, options: CircuitBreakerWrapperOptions = {}) {
    super(inner);
    this.failureThreshold = wholeNumberOption("failureThreshold", options.failureThreshold ?? 5, 1);
    this.resetTimeoutMs = wholeNumberOption("resetTimeoutMs", options.resetTimeoutMs ?? 30_000);
    this.isFailure = options.isFailure ?? isStoreFailure;
    this.onStateChange = options.onStateChange;
  }

  /** The state now; an open circuit whose delay has passed turns half-open on the next call. */
  get state(): CircuitState {
    return this.currentState;
  }

  protected async around<T>(_operation: Operation, call: () => Promise<T>): Promise<T> {
    const probe = this.admit();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.settle(probe, error);
      throw error;
    }
    this.settle(probe, undefined);
    return result;
  }

  protected async *aroundScan(_operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    const probe = this.admit();
    let settled = false;
    try {
      for await (const item of open()) {
        if (!settled) this.settle(probe, undefined);
        settled = true;
        yield item;
      }
    } catch (error) {
      if (!settled) this.settle(probe, error);
      else if (this.isFailure(error)) this.recordFailure(error);
      settled = true;
      throw error;
    } finally {
      // An enumeration that ended (or was stopped) without a failure is a success.
      if (!settled) this.settle(probe, undefined);
    }
  }

  /** Lets a call through or refuses it; resolves whether the call is the half-open probe. */
  private admit(): boolean {
    if (this.currentState === "closed") return false;
    if (this.currentState === "open" && Date.now() >= this.retryAt) {
      this.transition("half-open");
      this.probing = false;
    }
    if (this.currentState === "half-open" && !this.probing) {
      this.probing = true;
      return true;
    }
    throw new CircuitOpenError(this.retryAt);
  }

  /** Records the outcome of an admitted call: `error` undefined for a success. */
  private settle(probe: boolean, error: unknown): void {
    if (probe) this.probing = false;
    if (error !== undefined && this.isFailure(error)) {
      this.recordFailure(error, probe);
      return;
    }
    // An input error proves nothing about the store: a probe that met one leaves the circuit half-open.
    if (error !== undefined) return;
    this.consecutiveFailures = 0;
    // Only the probe closes the circuit: a call admitted before it opened may succeed late.
    if (probe) this.transition("closed");
  }

  private recordFailure(error: unknown, probe = false): void {
    this.consecutiveFailures++;
    if (probe || (this.currentState === "closed" && this.consecutiveFailures >= this.failureThreshold)) {
      this.retryAt = Date.now() + this.resetTimeoutMs;
      this.transition("open", error);
    }
  }

  private transition(to: CircuitState, error?: unknown): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    this.onStateChange?.(error === undefined ? { from, to } : { from, to, error });
  }
}
