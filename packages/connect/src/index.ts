export { openStore, parseStoreUrl, type BackendImporter, type OpenStoreOptions, type StoreTarget } from "./open-store.js";
export { BACKENDS, DEFAULT_STORE_URL, type BackendDefinition, type StoreRecipe } from "./backends.js";
export { redactStoreUrl } from "./store-url.js";
export { BackendNotInstalledError, InvalidStoreUrlError } from "./errors.js";
