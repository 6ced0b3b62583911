import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError } from "@kv/core";
import { resolve } from "node:path";
import { InvalidStoreUrlError, parseStoreUrl, redactStoreUrl, type OpenStoreOptions } from "../src/index.js";

const cwd = "/work/here";
const SECRET = "s3cr3t-Pa55";
const parse = (url?: string, options: Omit<OpenStoreOptions, "importBackend"> = {}) => parseStoreUrl(url, { cwd, env: {}, ...options });

function refusal(url: string, env: Record<string, string> = {}): InvalidStoreUrlError {
  try {
    parse(url, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStoreUrlError);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidStoreUrlError;
  }
  throw new Error(`${url} was accepted`);
}

describe("parseStoreUrl: every backend's URL", () => {
  it("memory://", () => {
    expect(parse("memory://")).toMatchObject({ backend: "memory", packageName: "@kv/memory", className: "MemoryStore", options: {} });
  });

  it("no URL: DiskStore in ./.kv", () => {
    expect(parse(undefined)).toMatchObject({ backend: "disk", className: "DiskStore", options: { directory: resolve(cwd, ".kv") } });
    expect(parse("disk://").options).toEqual({ directory: resolve(cwd, ".kv") });
  });

  it("disk://./path, disk:///absolute, maxSize and percent-encoding", () => {
    expect(parse("disk://./data/kv").options).toEqual({ directory: resolve(cwd, "data/kv") });
    expect(parse("disk://relative").options).toEqual({ directory: resolve(cwd, "relative") });
    expect(parse("disk:///var/lib/kv").options).toEqual({ directory: "/var/lib/kv" });
    expect(parse("disk://./my%20data?maxSize=1048576").options).toEqual({ directory: resolve(cwd, "my data"), maxSize: 1_048_576 });
  });

  it("file:///abs/dir", () => {
    expect(parse("file:///srv/kv%20data")).toMatchObject({ className: "FileTreeStore", options: { dataDirectory: "/srv/kv data" } });
    expect(parse("file:///srv/kv?metadataDirectory=%2Fsrv%2Fmeta").options).toEqual({ dataDirectory: "/srv/kv", metadataDirectory: "/srv/meta" });
  });

  it("redis:// and rediss:// go to ioredis as written", () => {
    expect(parse("redis://127.0.0.1:6379/2")).toMatchObject({ className: "RedisStore", options: { url: "redis://127.0.0.1:6379/2" } });
    expect(parse(`rediss://app:${SECRET}@cache.example:6380`).options).toEqual({ url: `rediss://app:${SECRET}@cache.example:6380`, username: "app", password: SECRET });
    expect(parse("redis://[::1]:6379").options).toEqual({ url: "redis://[::1]:6379" });
  });

  it("redis+cluster://h1:p1,h2:p2 gives seed nodes", () => {
    expect(parse(`redis+cluster://:${SECRET}@10.0.0.1:7000,10.0.0.2:7001,node-3`)).toMatchObject({
      className: "RedisStore",
      options: {
        clusterNodes: [
          { host: "10.0.0.1", port: 7000 },
          { host: "10.0.0.2", port: 7001 },
          { host: "node-3", port: 6379 },
        ],
        password: SECRET,
      },
    });
  });

  it("valkey://, valkeys:// and valkey+cluster://", () => {
    expect(parse("valkey://127.0.0.1:6379/1")).toMatchObject({ className: "ValkeyStore", packageName: "@kv/valkey", options: { url: "redis://127.0.0.1:6379/1" } });
    expect(parse("valkeys://h:6380").options).toEqual({ url: "rediss://h:6380" });
    expect(parse("valkey+cluster://h1:7000,h2:7000").options).toEqual({ clusterNodes: [{ host: "h1", port: 7000 }, { host: "h2", port: 7000 }] });
  });

  it("memcached://h:p,h2:p2", () => {
    expect(parse("memcached://cache-1:11211,cache-2:11212")).toMatchObject({ className: "MemcachedStore", options: { servers: "cache-1:11211,cache-2:11212" } });
    expect(parse(`memcached://user:${SECRET}@cache`).options).toEqual({ servers: "cache:11211", username: "user", password: SECRET });
  });

  it("postgres://…?schema=&table=, other parameters left to pg", () => {
    expect(parse(`postgres://app:${SECRET}@db.example:5433/app?schema=kv&table=entries&sslmode=require`)).toMatchObject({
      className: "PostgresStore",
      options: { connectionString: `postgres://app:${SECRET}@db.example:5433/app?sslmode=require`, schemaName: "kv", tableName: "entries" },
    });
    expect(parse("postgresql://db/app").options).toEqual({ connectionString: "postgresql://db/app" });
    expect(parse("postgres://%2Fvar%2Frun%2Fpostgresql/app").options).toEqual({ connectionString: "postgres://%2Fvar%2Frun%2Fpostgresql/app" });
  });

  it("mongodb://…/db", () => {
    expect(parse(`mongodb://app:${SECRET}@h1:27017,h2:27017/sessions?replicaSet=rs0`)).toMatchObject({
      className: "MongoDBStore",
      options: { url: `mongodb://app:${SECRET}@h1:27017,h2:27017/sessions?replicaSet=rs0`, dbName: "sessions" },
    });
    expect(parse("mongodb+srv://cluster0.example.net").options).toEqual({ url: "mongodb+srv://cluster0.example.net" });
  });

  it("elasticsearch+http(s)://host:port?indexPrefix=", () => {
    expect(parse("elasticsearch+http://127.0.0.1:9200?indexPrefix=app")).toMatchObject({
      className: "ElasticsearchStore",
      options: { url: "http://127.0.0.1:9200", indexPrefix: "app" },
    });
    expect(parse("elasticsearch+https://es.example:443").options).toEqual({ url: "https://es.example:443", indexPrefix: "kv_store" });
  });

  it("dynamodb://table?region=&endpoint=", () => {
    expect(parse("dynamodb://Sessions.v2?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A8000")).toMatchObject({
      className: "DynamoDBStore",
      options: { tableName: "Sessions.v2", region: "eu-west-1", endpoint: "http://127.0.0.1:8000" },
    });
    expect(parse("dynamodb://kv").options).toEqual({ tableName: "kv" });
  });

  it("azure-tables://?connectionString=…, unencoded", () => {
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=Eby8+/Kq==;TableEndpoint=http://127.0.0.1:10002/dev;`;
    const target = parse(`azure-tables://?table=sessions&connectionString=${connectionString}`);
    expect(target).toMatchObject({ className: "AzureTablesStore", options: { connectionString, tableName: "sessions" } });
    expect(target.secrets).toContain("Eby8+/Kq==");
  });

  it("azure-tables:// with account, key and endpoint, or endpoint and a SAS token", () => {
    const key = encodeURIComponent("Eby8+/Kq==");
    expect(parse(`azure-tables://?account=dev&key=${key}&endpoint=http://127.0.0.1:10002/dev&serviceMode=storage`)).toMatchObject({
      options: { endpoint: "http://127.0.0.1:10002/dev", serviceMode: "storage" },
      factory: { name: "fromAccountAndKey", args: ["dev", "Eby8+/Kq=="] },
    });
    expect(parse("azure-tables://?endpoint=https://acct.table.core.windows.net&sas=sv%3D2024%26sig%3Dabc")).toMatchObject({
      options: {},
      factory: { name: "fromSasToken", args: ["https://acct.table.core.windows.net", "sv=2024&sig=abc"] },
    });
  });

  it("defaultCollection goes to the store's options", () => {
    expect(parse("memory://", { defaultCollection: "users" }).options).toEqual({ defaultCollection: "users" });
  });
});

describe("parseStoreUrl: credentials from the environment", () => {
  it("fill in what the URL leaves out, and never override it", () => {
    const env = { KV_REDIS_USERNAME: "app", KV_REDIS_PASSWORD: SECRET };
    expect(parse("redis://h:6379", { env }).options).toEqual({ url: "redis://h:6379", username: "app", password: SECRET });
    expect(parse("redis+cluster://h:7000", { env }).options).toMatchObject({ username: "app", password: SECRET });
    expect(parse("redis://other:from-url@h", { env }).options).toMatchObject({ username: "other", password: "from-url" });
    expect(parse("valkey://h", { env: { KV_VALKEY_PASSWORD: SECRET } }).options).toEqual({ url: "redis://h", password: SECRET });
    expect(parse("memcached://h", { env: { KV_MEMCACHED_USERNAME: "u", KV_MEMCACHED_PASSWORD: SECRET } }).options).toMatchObject({ username: "u", password: SECRET });
    expect(parse("mongodb://h/db", { env: { KV_MONGODB_USERNAME: "u", KV_MONGODB_PASSWORD: SECRET } }).options).toMatchObject({ url: `mongodb://u:${SECRET}@h/db` });
    expect(parse("elasticsearch+http://h:9200", { env: { KV_ELASTICSEARCH_API_KEY: SECRET } }).options).toMatchObject({ apiKey: SECRET });
  });

  it("percent-encode a password put into a connection string", () => {
    const password = "p@ss:w/rd%";
    const target = parse("postgres://app@db/app", { env: { KV_POSTGRES_PASSWORD: password } });
    expect(target.options.connectionString).toBe(`postgres://app:${encodeURIComponent(password)}@db/app`);
    expect(target.secrets).toContain(password);
  });

  it("azure-tables from a connection string, an account key or a SAS token", () => {
    expect(parse("azure-tables://", { env: { KV_AZURE_TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true" } }).options).toEqual({
      connectionString: "UseDevelopmentStorage=true",
    });
    expect(parse("azure-tables://?account=acct", { env: { KV_AZURE_TABLES_ACCOUNT_KEY: SECRET } }).factory).toEqual({ name: "fromAccountAndKey", args: ["acct", SECRET] });
    expect(parse("azure-tables://?endpoint=https://e", { env: { KV_AZURE_TABLES_SAS_TOKEN: SECRET } }).factory).toEqual({ name: "fromSasToken", args: ["https://e", SECRET] });
  });

  it("report what they hold as secrets", () => {
    expect(parse("redis://h", { env: { KV_REDIS_PASSWORD: SECRET } }).secrets).toEqual([SECRET]);
  });
});

describe("parseStoreUrl: bad URLs", () => {
  it.each([
    ["no scheme", "localhost:6379"],
    ["an unknown scheme", "sqlite://x"],
    ["a TLS cluster (no URL form)", "rediss+cluster://h:7000"],
    ["a port out of range", "redis://h:70000"],
    ["port 0", "redis://h:0"],
    ["a port that is not a number", "memcached://h:abc"],
    ["two hosts without +cluster", "redis://h1,h2"],
    ["a database that is not a number", "redis://h/zero"],
    ["a cluster with a database", "redis+cluster://h:7000/0"],
    ["a cluster without nodes", "redis+cluster://"],
    ["memcached without servers", "memcached://"],
    ["mongodb without a host", "mongodb:///db"],
    ["elasticsearch without a host", "elasticsearch+http://?indexPrefix=x"],
    ["dynamodb without a table", "dynamodb://?region=x"],
    ["dynamodb with credentials", "dynamodb://key:secret@table"],
    ["azure-tables without credentials", "azure-tables://?table=kv"],
    ["azure-tables with a bad service mode", "azure-tables://?connectionString=x&serviceMode=mongo"],
    ["memory with a path", "memory://somewhere"],
    ["an unknown parameter", "disk://./x?maxsize=10"],
    ["a bad maxSize", "disk://./x?maxSize=-1"],
    ["a parameter twice", "dynamodb://t?region=a&region=b"],
    ["bad percent-encoding", "disk://./%zz"],
    ["a relative file URL", "file://./data"],
  ])("refuses %s", (_, url) => {
    const error = refusal(url);
    expect(error.code).toBe("KV_INVALID_ARGUMENT");
    expect(error.message).toMatch(/store URL|URL/);
  });

  it("name the known schemes for an unknown one", () => {
    expect(refusal("sqlite://x").message).toMatch(/unknown store URL scheme sqlite:\/\/ \(known: memory:\/\/, disk:\/\/, .*redis\+cluster:\/\//);
  });
});

describe("credentials never appear in messages or display URLs", () => {
  it.each([
    `redis://user:${SECRET}@h:70000`,
    `redis://user:${SECRET}@h/zero`,
    `redis://:${SECRET}@h1,h2`,
    `redis+cluster://:${SECRET}@h:7000/0`,
    `memcached://u:${SECRET}@h?x=1`,
    `postgres://u:${SECRET}@h1,h2/db`,
    `azure-tables://?connectionString=AccountKey%3D${SECRET}&serviceMode=x`,
    `azure-tables://?account=a&key=${SECRET}&bogus=1`,
    `dynamodb://k:${SECRET}@table`,
    `nosuch://u:${SECRET}@h`,
    `redis://u:${SECRET}@h:6379 with spaces`,
    `redis//u:${SECRET}@h`,
  ])("%s", (url) => {
    const message = (() => {
      try {
        parse(url);
      } catch (error) {
        return (error as Error).message + String((error as Error).stack);
      }
      throw new Error(`${url} was accepted`);
    })();
    expect(message).not.toContain(SECRET);
  });

  it("displayUrl and redactStoreUrl mask passwords and credential parameters", () => {
    expect(parse(`postgres://app:${SECRET}@db/app?table=t`).displayUrl).toBe("postgres://app:***@db/app?table=t");
    expect(redactStoreUrl(`redis+cluster://:${SECRET}@h1:7000,h2:7000`)).toBe("redis+cluster://:***@h1:7000,h2:7000");
    expect(redactStoreUrl(`azure-tables://?account=a&key=${SECRET}&table=t`)).toBe("azure-tables://?account=a&key=***&table=t");
    expect(redactStoreUrl(`azure-tables://?connectionString=AccountKey=${SECRET};x=y`)).toBe("azure-tables://?connectionString=***");
    expect(redactStoreUrl(`redis://u:${SECRET}@h:6379#fragment`)).toBe("redis://…");
    expect(redactStoreUrl(`not a url ${SECRET}`)).toBe("(invalid store URL)");
  });

  it("a password from the environment is not in the display URL", () => {
    const target = parse("postgres://app@db/app", { env: { KV_POSTGRES_PASSWORD: SECRET } });
    expect(target.displayUrl).toBe("postgres://app@db/app");
  });
});
