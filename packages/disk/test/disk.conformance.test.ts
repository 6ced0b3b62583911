import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance, type ConformanceLimits } from "@kv/core/conformance";
import { DiskStore } from "../src/index.js";

function describeDiskConformance(name: string, maxSize?: number, limits?: ConformanceLimits): void {
  let directory = "";
  describeConformance({
    name,
    setup: () => {
      directory = mkdtempSync(join(tmpdir(), "kv-disk-"));
    },
    teardown: () => rmSync(directory, { recursive: true, force: true }),
    createStore: () => new DiskStore({ directory: join(directory, "store"), maxSize }),
    createForeignStore: () => new DiskStore({ directory: join(directory, "foreign") }),
    capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
    persistent: true,
    limits,
  });
}

describeDiskConformance("DiskStore");
// Each test's own entries fit under 4 MB, so eviction never removes what a test is checking.
describeDiskConformance("DiskStore (maxSize 4 MB)", 4_000_000, { maxEntryBytes: 4_000_000 });
