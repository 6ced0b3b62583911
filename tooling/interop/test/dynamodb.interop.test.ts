import { DynamoDBStore } from "@kv/dynamodb";
import { describeWithServer, type ServerKind, type TestServer } from "@kv/test-servers";
import { FIELD_COLLECTIONS, FIELD_KEYS } from "./names.js";
import type { PyStore } from "./pykv.js";
import { describeInterop } from "./scenario.js";

/** py-key-value has no default table name; @kv requires one: both get this. */
const TABLE = "kv_interop";
const REGION = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function python(server: TestServer): PyStore {
  return {
    backend: "dynamodb",
    options: {
      table_name: TABLE,
      endpoint_url: server.url,
      region_name: REGION,
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
    },
  };
}

const servers: { kind: ServerKind; name: string; kvCreatesFirst?: string }[] = [
  // dynalite makes a new table active after 500 ms, and boto3's waiter then looks again only 20 s later.
  { kind: "dynamodb", name: "dynalite", kvCreatesFirst: "boto3 waits 20 s for a table dynalite creates" },
  // moto has tables active at once: here py-key-value creates the table @kv then uses.
  { kind: "moto", name: "moto" },
];

for (const { kind, name, kvCreatesFirst } of servers) {
  describeWithServer({ kind }, `DynamoDB (${name})`, (server) =>
    describeInterop({
      name: `DynamoDBStore and py-key-value's DynamoDBStore on ${name}`,
      python: () => python(server()),
      createStore: () => new DynamoDBStore({ tableName: TABLE, endpoint: server().url, region: REGION, credentials }),
      keys: FIELD_KEYS,
      collections: FIELD_COLLECTIONS,
      kvCreatesFirst,
    }),
  );
}
