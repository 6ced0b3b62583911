/** Memcached reads an expiration time above 30 days as a Unix time. */
export const MAX_RELATIVE_EXPIRATION_SECONDS = 2_592_000;

/** The largest time memcached's 32-bit field holds. */
const MAX_EXPIRATION = 0xffff_ffff;

/**
 * The memcached `exptime` of an entry expiring at `expiresAt` (0: never). Relative
 * times are whole seconds rounded up, plus one: memcached's clock ticks once a second
 * and would otherwise drop an item up to a second early. Past 30 days, the absolute
 * Unix time, which memcached never honours early. The store's read-time check hides
 * the entry at its exact expiry either way.
 */
export function memcachedExpiration(expiresAt: Date | undefined, now: number): number {
  if (expiresAt === undefined) return 0;
  const seconds = Math.max(1, Math.ceil((expiresAt.getTime() - now) / 1000)) + 1;
  if (seconds <= MAX_RELATIVE_EXPIRATION_SECONDS) return seconds;
  return Math.min(MAX_EXPIRATION, Math.ceil(expiresAt.getTime() / 1000));
}
