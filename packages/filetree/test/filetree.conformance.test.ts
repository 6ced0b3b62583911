import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeConformance } from "@kv/core/conformance";
import { FileTreeStore } from "../src/index.js";

let root = "";
let separateRoot = "";

describeConformance({
  name: "FileTreeStore",
  setup: () => {
    root = mkdtempSync(path.join(tmpdir(), "kv-filetree-"));
  },
  teardown: () => rmSync(root, { recursive: true, force: true }),
  createStore: () => new FileTreeStore({ dataDirectory: path.join(root, "data") }),
  createForeignStore: () => new FileTreeStore({ dataDirectory: path.join(root, "foreign") }),
  capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
  persistent: true,
});

describeConformance({
  name: "FileTreeStore (separate metadata directory)",
  setup: () => {
    separateRoot = mkdtempSync(path.join(tmpdir(), "kv-filetree-"));
  },
  teardown: () => rmSync(separateRoot, { recursive: true, force: true }),
  createStore: () => new FileTreeStore({ dataDirectory: path.join(separateRoot, "data"), metadataDirectory: path.join(separateRoot, "meta") }),
  capabilities: ["keys", "collections", "destroyCollection", "destroy", "cull"],
  persistent: true,
});
