export { FileTreeStore, type FileTreeStoreOptions } from "./store.js";
export {
  FileTreeCollectionSanitizationStrategy,
  FileTreeKeySanitizationStrategy,
  type FileTreeSanitizationOptions,
} from "./sanitization.js";
