import { StoreClosedError, StoreConnectionError, StoreSetupError, type AsyncKeyValue, type JsonObject } from "@kv/core";
import type { EntryRecord } from "./entry-reader.js";

/** What a copy or an import did. */
export interface TransferCounts {
  copied: number;
  /** Entries that had expired before they could be written. */
  skipped: number;
  failed: number;
}

/** Errors that mean the destination as a whole is unusable: no point trying entry by entry. */
const FATAL = [StoreConnectionError, StoreClosedError, StoreSetupError];

function isFatal(error: unknown): boolean {
  return FATAL.some((type) => error instanceof type);
}

/**
 * Writes records with `putMany`, one call per collection and expiry time (a
 * batch shares one TTL), computing each remaining TTL when it writes. A batch
 * the store refuses is retried entry by entry, so one bad entry (too large for
 * the destination, a key it cannot hold) fails alone and is counted.
 */
export class EntryWriter {
  readonly counts: TransferCounts = { copied: 0, skipped: 0, failed: 0 };

  constructor(
    private readonly store: AsyncKeyValue,
    private readonly onFailure: (record: EntryRecord, error: unknown) => void = () => undefined,
  ) {}

  async write(records: readonly EntryRecord[]): Promise<void> {
    const groups = new Map<string, EntryRecord[]>();
    for (const record of latestPerKey(records)) {
      const group = `${record.collection}\u0000${record.expiresAt ?? ""}`;
      let members = groups.get(group);
      if (members === undefined) groups.set(group, (members = []));
      members.push(record);
    }
    await Promise.all([...groups.values()].map((members) => this.writeGroup(members)));
  }

  private async writeGroup(records: EntryRecord[]): Promise<void> {
    const { collection } = records[0]!;
    // Read just before the call: a synchronous store (DiskStore) runs the groups one after another.
    const ttl = remainingTtl(records[0]!);
    if (ttl !== undefined && ttl <= 0) {
      this.counts.skipped += records.length;
      return;
    }
    try {
      await this.store.putMany(
        records.map((record) => [record.key, record.value] as [string, JsonObject]),
        { collection, ttl },
      );
      this.counts.copied += records.length;
    } catch (error) {
      if (isFatal(error)) throw error;
      for (const record of records) await this.writeOne(record);
    }
  }

  private async writeOne(record: EntryRecord): Promise<void> {
    const ttl = remainingTtl(record);
    if (ttl !== undefined && ttl <= 0) {
      this.counts.skipped++;
      return;
    }
    try {
      await this.store.put(record.key, record.value, { collection: record.collection, ttl });
      this.counts.copied++;
    } catch (error) {
      if (isFatal(error)) throw error;
      this.counts.failed++;
      this.onFailure(record, error);
    }
  }
}

/** Seconds left now; ≤ 0 once expired, undefined for an entry that never expires. */
function remainingTtl(record: EntryRecord): number | undefined {
  return record.expiresAt === undefined ? undefined : (record.expiresAt - Date.now()) / 1000;
}

/** A key given twice in one batch (an NDJSON file may hold it twice) is written once, as its last line says. */
function latestPerKey(records: readonly EntryRecord[]): EntryRecord[] {
  const latest = new Map<string, EntryRecord>();
  for (const record of records) {
    const id = `${record.collection}\u0000${record.key}`;
    latest.delete(id);
    latest.set(id, record);
  }
  return latest.size === records.length ? [...records] : [...latest.values()];
}
