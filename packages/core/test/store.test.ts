import { describe, expect, it } from "@jest/globals";
import {
  BaseStore,
  InvalidKeyError,
  InvalidTtlError,
  KeyValueError,
  ManagedEntry,
  NullStore,
  SerializationError,
  StoreClosedError,
  StoreConnectionError,
  StoreOperationError,
  StoreSetupError,
  redactError,
  redactText,
  type KeyValueErrorOptions,
} from "../src/index.js";

const PASSWORD = "hunter2-secret";

/** A store over a Map that counts its hook calls and can be told to fail. */
class ProbeStore extends BaseStore {
  readonly calls: string[] = [];
  readonly entries = new Map<string, ManagedEntry>();
  failSetup: unknown = undefined;
  failOperation: unknown = undefined;
  setupDelay = 0;

  constructor() {
    super({}, { secrets: [PASSWORD] });
  }

  protected override async setupStore(): Promise<void> {
    this.calls.push("setupStore");
    await new Promise((resolve) => setTimeout(resolve, this.setupDelay));
    if (this.failSetup !== undefined) throw this.failSetup;
  }

  protected override async setupCollection(collection: string): Promise<void> {
    this.calls.push(`setupCollection:${collection}`);
  }

  protected override async closeStore(): Promise<void> {
    this.calls.push("closeStore");
  }

  protected async getEntry(collection: string, key: string): Promise<ManagedEntry | undefined> {
    this.calls.push("getEntry");
    if (this.failOperation !== undefined) throw this.failOperation;
    return this.entries.get(`${collection}/${key}`);
  }

  protected override async getEntries(collection: string, keys: readonly string[]): Promise<(ManagedEntry | undefined)[]> {
    this.calls.push(`getEntries:${keys.join(",")}`);
    return keys.map((key) => this.entries.get(`${collection}/${key}`));
  }

  protected async putEntry(collection: string, key: string, entry: ManagedEntry): Promise<void> {
    this.calls.push("putEntry");
    this.entries.set(`${collection}/${key}`, entry);
  }

  protected override async putEntries(collection: string, entries: readonly (readonly [string, ManagedEntry])[]): Promise<void> {
    this.calls.push(`putEntries:${entries.map(([key]) => key).join(",")}`);
    for (const [key, entry] of entries) this.entries.set(`${collection}/${key}`, entry);
  }

  protected async deleteEntry(collection: string, key: string): Promise<boolean> {
    this.calls.push("deleteEntry");
    return this.entries.delete(`${collection}/${key}`);
  }

  protected override classifyError(error: unknown, context: KeyValueErrorOptions): KeyValueError {
    if (error instanceof Error && error.message.includes("ECONNREFUSED")) {
      return new StoreConnectionError(`cannot reach the server: ${error.message}`, { ...context, cause: error });
    }
    return super.classifyError(error, context);
  }
}

describe("BaseStore setup", () => {
  it("runs setup once when first operations race, and each collection's setup once", async () => {
    const store = new ProbeStore();
    store.setupDelay = 20;
    await Promise.all(Array.from({ length: 50 }, (_, index) => store.put(`k${index}`, { index }, { collection: index % 2 ? "odd" : "even" })));
    expect(store.calls.filter((call) => call === "setupStore")).toHaveLength(1);
    expect(store.calls.filter((call) => call.startsWith("setupCollection")).sort()).toEqual(["setupCollection:even", "setupCollection:odd"]);
    await store.setup();
    expect(store.calls.filter((call) => call === "setupStore")).toHaveLength(1);
  });

  it("reports a failed setup as StoreSetupError and retries on the next operation", async () => {
    const store = new ProbeStore();
    store.failSetup = new Error("disk on fire");
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreSetupError);
    store.failSetup = undefined;
    await expect(store.get("k")).resolves.toBeUndefined();
    expect(store.calls.filter((call) => call === "setupStore")).toHaveLength(2);
  });

  it("keeps a connection failure during setup a StoreConnectionError", async () => {
    const store = new ProbeStore();
    store.failSetup = new Error("connect ECONNREFUSED 127.0.0.1:6379");
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
  });
});

describe("BaseStore validation happens before any I/O", () => {
  it("touches no hook, not even setup, for bad keys, TTLs and values", async () => {
    const store = new ProbeStore();
    await expect(store.get("")).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.put("k", { v: 1 }, { ttl: 0 })).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(store.putMany([["a", { v: 1 }], ["b", { d: new Date() } as never]])).rejects.toBeInstanceOf(SerializationError);
    await expect(store.getMany(["a", "\uD800"])).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.deleteMany(["a", 5 as never])).rejects.toBeInstanceOf(InvalidKeyError);
    expect(store.calls).toEqual([]);
  });

  it("refuses an invalid default collection at construction", () => {
    expect(() => new NullStore({ defaultCollection: "" })).toThrow(InvalidKeyError);
  });
});

describe("BaseStore batches", () => {
  it("deduplicates keys before the hooks and sends one batch", async () => {
    const store = new ProbeStore();
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }], ["a", { v: 3 }]]);
    await store.getMany(["a", "b", "a", "c"]);
    expect(store.calls).toContain("putEntries:b,a");
    expect(store.calls).toContain("getEntries:a,b,c");
  });

  it("gives every entry of a putMany the same creation and expiry time", async () => {
    const store = new ProbeStore();
    await store.putMany([["a", { v: 1 }], ["b", { v: 2 }]], { ttl: 10, collection: "c" });
    const [a, b] = [store.entries.get("c/a")!, store.entries.get("c/b")!];
    expect(a.createdAt).toEqual(b.createdAt);
    expect(a.expiresAt).toEqual(b.expiresAt);
    expect(a.expiresAt!.getTime() - a.createdAt!.getTime()).toBe(10_000);
  });
});

describe("BaseStore errors", () => {
  it("wraps a driver error, keeps it as cause, and redacts secrets from message and cause", async () => {
    const store = new ProbeStore();
    store.failOperation = new Error(`auth failed for redis://user:${PASSWORD}@host:6379 with password ${PASSWORD}`);
    let thrown: unknown;
    try {
      await store.get("k", { collection: "c" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreOperationError);
    const error = thrown as StoreOperationError;
    expect(error.code).toBe("KV_OPERATION");
    expect(error.collection).toBe("c");
    expect(error.key).toBe("k");
    expect(error.message).not.toContain(PASSWORD);
    expect(String((error.cause as Error).message)).not.toContain(PASSWORD);
    expect(String((error.cause as Error).stack)).not.toContain(PASSWORD);
    expect((error.cause as Error).message).toContain("redis://user:***@host");
  });

  it("lets a backend classify connection failures", async () => {
    const store = new ProbeStore();
    store.failOperation = new Error("connect ECONNREFUSED 127.0.0.1:1");
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreConnectionError);
  });

  it("wraps non-Error throwables too", async () => {
    const store = new ProbeStore();
    store.failOperation = "a string";
    await expect(store.get("k")).rejects.toBeInstanceOf(StoreOperationError);
  });
});

describe("BaseStore close", () => {
  it("closes once, waits for a running setup, then refuses operations", async () => {
    const store = new ProbeStore();
    store.setupDelay = 30;
    const waitingForSetup = store.get("k");
    await Promise.all([store.close(), store.close()]);
    await expect(waitingForSetup).rejects.toBeInstanceOf(StoreClosedError);
    expect(store.calls.filter((call) => call === "closeStore")).toHaveLength(1);
    expect(store.closed).toBe(true);
    await expect(store.put("k", { v: 1 })).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.setup()).rejects.toBeInstanceOf(StoreClosedError);
  });

  it("supports await using", async () => {
    const probe = new ProbeStore();
    {
      await using store = probe;
      await store.put("k", { v: 1 });
    }
    expect(probe.closed).toBe(true);
  });
});

describe("NullStore", () => {
  it("accepts writes, remembers nothing, and still validates", async () => {
    const store = new NullStore();
    await store.put("k", { v: 1 });
    await expect(store.get("k")).resolves.toBeUndefined();
    await expect(store.getMany(["k", "k"])).resolves.toEqual([undefined, undefined]);
    await expect(store.delete("k")).resolves.toBe(false);
    await expect(store.put("k", { v: Number.NaN })).rejects.toBeInstanceOf(SerializationError);
    expect("keys" in store).toBe(false);
  });
});

describe("redactText", () => {
  it("redacts URL passwords and listed secrets, including URL-encoded ones", () => {
    expect(redactText("postgres://app:p%40ss@db/x", [])).toBe("postgres://app:***@db/x");
    expect(redactText("token abc/def+1 and abc%2Fdef%2B1", ["abc/def+1"])).toBe("token *** and ***");
  });
});

describe("BaseStore close with operations under way", () => {
  it("lets an operation already talking to the backend finish before closing", async () => {
    class SlowStore extends NullStore {
      readonly events: string[] = [];
      protected override async getEntry(): Promise<undefined> {
        this.events.push("get started");
        await new Promise((resolve) => setTimeout(resolve, 30));
        this.events.push("get finished");
        return undefined;
      }
      protected override async closeStore(): Promise<void> {
        this.events.push("closed");
      }
    }
    const store = new SlowStore();
    await store.setup();
    const reading = store.get("k");
    await new Promise((resolve) => setImmediate(resolve));
    await store.close();
    await expect(reading).resolves.toBeUndefined();
    expect(store.events).toEqual(["get started", "get finished", "closed"]);
  });
});

describe("BaseStore recreation of what vanished", () => {
  /** A store whose "table" can vanish; reads through retryAfterRecreating. */
  class TableStore extends NullStore {
    tableExists = true;
    recreations = 0;
    protected override getEntry(): Promise<undefined> {
      return this.retryAfterRecreating(
        async () => {
          if (!this.tableExists) throw new Error("no such table");
          return undefined;
        },
        (error) => error instanceof Error && error.message === "no such table",
        async () => {
          this.recreations++;
          await new Promise((resolve) => setTimeout(resolve, 10));
          this.tableExists = true;
        },
      );
    }
    protected override async deleteEntry(): Promise<boolean> {
      return this.retryAfterRecreating(
        async () => {
          throw new Error("ECONNREFUSED");
        },
        (error) => error instanceof Error && error.message === "no such table",
        async () => {
          this.recreations++;
        },
      );
    }
  }

  it("recreates once for every request that found it gone at the same time, and retries each", async () => {
    const store = new TableStore();
    await store.setup();
    store.tableExists = false;
    await expect(Promise.all(Array.from({ length: 5 }, (_, index) => store.get(`k${index}`)))).resolves.toEqual(Array(5).fill(undefined));
    expect(store.recreations).toBe(1);
    store.tableExists = false;
    await expect(store.get("k")).resolves.toBeUndefined();
    expect(store.recreations).toBe(2);
  });

  it("passes other errors through without recreating", async () => {
    const store = new TableStore();
    await expect(store.delete("k")).rejects.toBeInstanceOf(KeyValueError);
    expect(store.recreations).toBe(0);
  });
});

describe("BaseStore iteration", () => {
  class ListingStore extends NullStore {
    keys(): AsyncIterable<string> {
      return this.runKeys(undefined, async function* () {
        yield "a";
        yield "b";
      });
    }
  }

  it("rejects with StoreClosedError when the store closes mid-iteration", async () => {
    const store = new ListingStore();
    const iterator = store.keys()[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ value: "a", done: false });
    await store.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(StoreClosedError);
  });
});

describe("redactError", () => {
  it("redacts errors from another realm, which fail instanceof Error", async () => {
    const { runInNewContext } = await import("node:vm");
    const foreign = runInNewContext('new Error("password hunter2-secret leaked")') as { message: string };
    expect(foreign instanceof Error).toBe(false);
    redactError(foreign, [PASSWORD]);
    expect(foreign.message).toBe("password *** leaked");
  });
});
