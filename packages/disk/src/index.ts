export { DiskStore, type DiskStoreOptions } from "./store.js";
