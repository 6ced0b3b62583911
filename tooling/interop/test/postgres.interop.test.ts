import { PostgresStore } from "@kv/postgres";
import { describeWithServer } from "@kv/test-servers";
import { FIELD_COLLECTIONS, FIELD_KEYS } from "./names.js";
import { describeInterop } from "./scenario.js";

describeWithServer({ kind: "postgres" }, "PostgreSQL", (server) =>
  describeInterop({
    name: "PostgresStore and py-key-value's PostgreSQLStore (table kv_store)",
    python: () => ({ backend: "postgres", options: { url: server().url } }),
    createStore: () => new PostgresStore({ connectionString: server().url }),
    keys: FIELD_KEYS,
    collections: FIELD_COLLECTIONS,
  }),
);
