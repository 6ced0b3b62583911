import { afterAll, afterEach, beforeAll, beforeEach, describe } from "@jest/globals";
import { describeBasics } from "./basics.js";
import { describeCapabilities } from "./capabilities.js";
import { uniqueName, type ConformanceOptions, type ConformanceStore, type SuiteContext } from "./context.js";
import { describeLifecycle } from "./lifecycle.js";
import { describeNames } from "./names.js";
import { describeTtl } from "./ttl.js";
import { describeValues } from "./values.js";

export type { ConformanceLimits, ConformanceOptions, ConformanceStore } from "./context.js";
export { ANY_NAMES, BAD_VALUES, INVALID_NAMES, INVALID_TTLS, VALUE_CORPUS } from "./corpus.js";

/**
 * The shared conformance suite: one call per backend, from a Jest test file.
 *
 * ```ts
 * describeConformance({
 *   name: "DiskStore",
 *   setup: () => { directory = mkdtempSync(join(tmpdir(), "kv-")); },
 *   createStore: () => new DiskStore({ directory }),
 *   capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
 * });
 * ```
 *
 * Every test works in collections of its own, so instances may share one backend.
 */
export function describeConformance<S extends ConformanceStore>(options: ConformanceOptions<S>): void {
  describe(`${options.name} conformance`, () => {
    let current: ConformanceStore | undefined;
    const opened: ConformanceStore[] = [];

    const context: SuiteContext = {
      options: options as ConformanceOptions,
      store: () => {
        if (current === undefined) throw new Error("the conformance store is only available inside a test");
        return current;
      },
      openStore: async () => {
        const store = await options.createStore();
        opened.push(store);
        return store;
      },
      collection: (label = "conformance") => uniqueName(label),
      has: (capability) => options.capabilities.includes(capability),
    };

    beforeAll(async () => {
      await options.setup?.();
    });

    afterAll(async () => {
      await options.teardown?.();
    });

    beforeEach(async () => {
      current = await context.openStore();
    });

    afterEach(async () => {
      const stores = opened.splice(0);
      current = undefined;
      await Promise.allSettled(stores.map((store) => store.close()));
    });

    describeBasics(context);
    describeValues(context);
    describeNames(context);
    describeTtl(context);
    describeCapabilities(context);
    describeLifecycle(context);
  });
}
