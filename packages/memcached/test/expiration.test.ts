import { describe, expect, it } from "@jest/globals";
import { MAX_RELATIVE_EXPIRATION_SECONDS, memcachedExpiration } from "../src/expiration.js";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const at = (seconds: number): Date => new Date(NOW + seconds * 1000);

describe("memcachedExpiration", () => {
  it("is 0 for an entry that never expires", () => {
    expect(memcachedExpiration(undefined, NOW)).toBe(0);
  });

  it("rounds up to whole seconds and adds one for memcached's once-a-second clock", () => {
    expect(memcachedExpiration(at(0.001), NOW)).toBe(2);
    expect(memcachedExpiration(at(1), NOW)).toBe(2);
    expect(memcachedExpiration(at(1.5), NOW)).toBe(3);
    expect(memcachedExpiration(at(100), NOW)).toBe(101);
  });

  it("stays relative up to 30 days, then becomes the absolute Unix time", () => {
    expect(MAX_RELATIVE_EXPIRATION_SECONDS).toBe(2_592_000);
    expect(memcachedExpiration(at(2_592_000 - 1), NOW)).toBe(2_592_000);
    expect(memcachedExpiration(at(2_592_000), NOW)).toBe(Math.ceil((NOW + 2_592_000_000) / 1000));
    expect(memcachedExpiration(at(31 * 86_400), NOW)).toBe(Math.ceil(NOW / 1000) + 31 * 86_400);
  });

  it("caps a far-future time at memcached's 32-bit field", () => {
    expect(memcachedExpiration(new Date(8.64e15), NOW)).toBe(0xffff_ffff);
  });
});
