import { KeyValueError, StoreConnectionError, StoreOperationError, StoreSetupError } from "@kv/core";
import { CircuitOpenError } from "./errors.js";

/**
 * True when `error` says the store could not do its job (unreachable, timed out,
 * failed to set up, rejected a command), as opposed to refusing the caller's input
 * (`InvalidKeyError`, `SerializationError`, `ValueTooLargeError`…) or being closed.
 * An error that is not a `KeyValueError` came from a store that does not wrap its
 * driver's errors and counts as a failure.
 */
export function isStoreFailure(error: unknown): boolean {
  if (!(error instanceof KeyValueError)) return true;
  return error instanceof StoreConnectionError || error instanceof StoreOperationError || error instanceof StoreSetupError;
}

/**
 * True when trying again may succeed: the store was unreachable or did not answer in
 * time (`StoreConnectionError`, including `StoreTimeoutError`, but not an open
 * circuit, which answers again only after its own delay).
 */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof StoreConnectionError && !(error instanceof CircuitOpenError);
}
