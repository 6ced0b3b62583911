export { MongoDBStore, MAX_DOCUMENT_BYTES, type EntryDocument, type MongoDBStoreOptions } from "./store.js";
