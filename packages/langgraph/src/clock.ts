/**
 * Microsecond timestamps that strictly increase within a process. Items are
 * ordered by creation time, as LangGraph's in-memory store keeps them in
 * insertion order; many items are created within one millisecond, so
 * milliseconds alone would tie.
 */
export class MonotonicClock {
  private last = 0;

  /** The current time in epoch microseconds, later than every earlier answer. */
  now(): number {
    this.last = Math.max(Date.now() * 1000, this.last + 1);
    return this.last;
  }
}

/** `2026-01-02T03:04:05.678901+00:00`: sortable as text, as py-key-value formats times. */
export function formatMicroseconds(microseconds: number): string {
  const seconds = Math.floor(microseconds / 1_000_000);
  const fraction = String(microseconds - seconds * 1_000_000).padStart(6, "0");
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}+00:00`;
}

/** The microseconds of a timestamp that `formatMicroseconds` wrote; `undefined` for any other text. */
export function parseMicroseconds(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\+00:00$/.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}Z`);
  return Number.isNaN(seconds) ? undefined : seconds * 1000 + Number(match[2]);
}
