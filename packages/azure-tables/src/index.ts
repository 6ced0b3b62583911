export { AzureTablesStore, MAX_ENTITY_BYTES, type AzureTablesFactoryOptions, type AzureTablesServiceMode, type AzureTablesStoreOptions } from "./store.js";
