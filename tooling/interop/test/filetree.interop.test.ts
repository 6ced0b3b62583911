import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe } from "@jest/globals";
import { FileTreeStore } from "@kv/filetree";
import { FILETREE_COLLECTIONS, FILETREE_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

const directory = mkdtempSync(join(tmpdir(), "kv-interop-filetree-"));

describe("FileTree", () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describeInterop({
    name: "FileTreeStore and py-key-value's FileTreeStore",
    python: () => ({ backend: "filetree", options: { data_directory: directory } }),
    createStore: () => new FileTreeStore({ dataDirectory: directory }),
    keys: FILETREE_KEYS,
    collections: FILETREE_COLLECTIONS,
  });
});
