export { DynamoDBStore, MAX_ITEM_BYTES, type DynamoDBStoreOptions } from "./store.js";
