import { BackendNotInstalledError } from "@kv/connect";
import {
  InvalidArgumentError,
  InvalidKeyError,
  InvalidTtlError,
  MissingKeyError,
  SerializationError,
  StoreConnectionError,
} from "@kv/core";
import { CommanderError } from "commander";

/** What `kv` exits with; the README documents each. */
export const EXIT_CODES = {
  ok: 0,
  /** The store refused or failed an operation, or `copy`/`import` could not write some entries. */
  failure: 1,
  /** A bad command line, store URL, key, TTL, JSON value or NDJSON line; nothing was written for it. */
  badInput: 2,
  /** The key (or collection) is not there. */
  notFound: 3,
  /** The store's server cannot be reached. */
  unreachable: 4,
  /** The backend package for the URL is not installed. */
  backendMissing: 5,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** A failure of the command itself (not of a store), with the exit code it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.badInput;
  if (error instanceof MissingKeyError) return EXIT_CODES.notFound;
  if (error instanceof StoreConnectionError) return EXIT_CODES.unreachable;
  if (error instanceof BackendNotInstalledError) return EXIT_CODES.backendMissing;
  const badInput = [InvalidArgumentError, InvalidKeyError, InvalidTtlError, SerializationError];
  if (badInput.some((type) => error instanceof type)) return EXIT_CODES.badInput;
  return EXIT_CODES.failure;
}
