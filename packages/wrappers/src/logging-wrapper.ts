import { KeyValueError, type AsyncKeyValue, type TtlResult } from "@kv/core";
import { OperationWrapper, type Operation, type OperationName } from "./operation-wrapper.js";

/** Any logger with these three methods: `console`, winston, log4js, or an adapter to your own. */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface LoggingWrapperOptions {
  logger: Logger;
  /** Log values (put, and read back) instead of `"[redacted]"`. Default false: values often hold personal data. */
  logValues?: boolean;
}

const REDACTED = "[redacted]";
const READS: ReadonlySet<OperationName> = new Set(["get", "getMany", "ttl", "ttlMany", "keys", "collections"]);
const SINGLE_KEY: ReadonlySet<OperationName> = new Set(["get", "ttl", "put", "delete"]);

type Details = Record<string, unknown>;

/**
 * Logs every operation: reads and enumeration at `debug`, writes and removals at
 * `info`, failures at `error` (with the error's name, code and message). Details
 * name the operation, collection, keys and outcome; values appear only with `logValues`.
 */
export class LoggingWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends OperationWrapper<S> {
  private readonly logger: Logger;
  private readonly logValues: boolean;

  constructor(inner: S, options: LoggingWrapperOptions) {
    super(inner);
    this.logger = options.logger;
    this.logValues = options.logValues ?? false;
  }

  protected async around<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    const details = this.describe(operation);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.logger.error(`${operation.name} failed`, { ...details, error: describeError(error) });
      throw error;
    }
    this.logger[READS.has(operation.name) ? "debug" : "info"](operation.name, { ...details, ...this.outcome(operation, result) });
    return result;
  }

  protected async *aroundScan(operation: Operation, open: () => AsyncIterable<string>): AsyncIterable<string> {
    const details = this.describe(operation);
    let yielded = 0;
    let failed = false;
    try {
      for await (const item of open()) {
        yielded++;
        yield item;
      }
    } catch (error) {
      failed = true;
      this.logger.error(`${operation.name} failed`, { ...details, yielded, error: describeError(error) });
      throw error;
    } finally {
      // Also when the caller stops early.
      if (!failed) this.logger.debug(operation.name, { ...details, yielded });
    }
  }

  /** The operation's arguments, values shown only with `logValues`. */
  private describe(operation: Operation): Details {
    const { name, collection, keys, values, ttl, limit } = operation;
    const single = SINGLE_KEY.has(name);
    return {
      operation: name,
      collection,
      key: single ? keys?.[0] : undefined,
      keys: single ? undefined : keys,
      ttl,
      limit,
      value: single ? this.shown(values?.[0]) : undefined,
      values: single ? undefined : values?.map((value) => this.shown(value)),
    };
  }

  /** What the operation found or removed. */
  private outcome(operation: Operation, result: unknown): Details {
    switch (operation.name) {
      case "get":
        return { found: result !== undefined, value: this.shown(result) };
      case "ttl": {
        const found = result as TtlResult | undefined;
        return { found: found !== undefined, ttl: found?.ttl, value: this.shown(found?.value) };
      }
      case "getMany": {
        const values = result as unknown[];
        return { found: values.filter((value) => value !== undefined).length, values: values.map((value) => this.shown(value)) };
      }
      case "ttlMany": {
        const results = result as (TtlResult | undefined)[];
        return {
          found: results.filter((found) => found !== undefined).length,
          ttls: results.map((found) => found?.ttl),
          values: results.map((found) => this.shown(found?.value)),
        };
      }
      case "delete":
      case "deleteMany":
      case "destroyCollection":
      case "destroy":
        return { removed: result };
      default:
        return {};
    }
  }

  private shown(value: unknown): unknown {
    if (value === undefined) return undefined;
    return this.logValues ? value : REDACTED;
  }
}

function describeError(error: unknown): Details {
  if (error instanceof KeyValueError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}
