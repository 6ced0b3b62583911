import type { ManagedEntry } from "./entry.js";
import { BaseStore } from "./store.js";

/**
 * Holds nothing: every read misses, every write is accepted and dropped. Input is
 * still validated, so it stands in for a real store in tests and dry runs.
 */
export class NullStore extends BaseStore {
  protected async getEntry(): Promise<ManagedEntry | undefined> {
    return undefined;
  }

  protected async putEntry(): Promise<void> {}

  protected async deleteEntry(): Promise<boolean> {
    return false;
  }
}
