import { InvalidArgumentError, assertValidTtl, type AsyncKeyValue, type JsonObject, type PutOptions } from "@kv/core";
import { assertTtlOption } from "./option-checks.js";
import { KeyValueWrapper } from "./wrapper.js";

export interface TtlClampWrapperOptions {
  /** Shortest TTL written, in seconds: shorter ones are raised to it. Default: no minimum. */
  minTtl?: number;
  /** Longest TTL written, in seconds: longer ones are lowered to it. Default: no maximum. */
  maxTtl?: number;
  /** TTL for entries put without one, in seconds (clamped like any other). Default: such entries never expire, whatever `maxTtl` says. */
  missingTtl?: number;
}

/** Keeps every TTL written between a minimum and a maximum, and gives entries put without one a TTL. */
export class TtlClampWrapper<S extends AsyncKeyValue = AsyncKeyValue> extends KeyValueWrapper<S> {
  readonly minTtl: number | undefined;
  readonly maxTtl: number | undefined;
  readonly missingTtl: number | undefined;

  constructor(inner: S, options: TtlClampWrapperOptions) {
    super(inner);
    for (const name of ["minTtl", "maxTtl", "missingTtl"] as const) assertTtlOption(name, options[name]);
    if (options.minTtl !== undefined && options.maxTtl !== undefined && options.minTtl > options.maxTtl) {
      throw new InvalidArgumentError(`minTtl (${options.minTtl}) is greater than maxTtl (${options.maxTtl})`);
    }
    this.minTtl = options.minTtl;
    this.maxTtl = options.maxTtl;
    this.missingTtl = options.missingTtl;
  }

  override async put(key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    return this.inner.put(key, value, { ...options, ttl: this.clamp(options?.ttl) });
  }

  override async putMany(entries: readonly (readonly [string, JsonObject])[], options?: PutOptions): Promise<void> {
    return this.inner.putMany(entries, { ...options, ttl: this.clamp(options?.ttl) });
  }

  /** The TTL to write for a caller's `ttl`, which is validated first: a bad TTL is refused, never clamped into range. */
  private clamp(requested: number | undefined): number | undefined {
    assertValidTtl(requested);
    const ttl = requested ?? this.missingTtl;
    if (ttl === undefined) return undefined;
    return Math.min(Math.max(ttl, this.minTtl ?? ttl), this.maxTtl ?? ttl);
  }
}
