import KeyvRedis from "@keyv/redis";
import KeyvValkey from "@keyv/valkey";
import type { JsonObject } from "@kv/core";
import { RedisStore } from "@kv/redis";
import { startLocal, type ServerKind } from "@kv/test-servers/servers";
import { ValkeyStore } from "@kv/valkey";
import { Redis } from "ioredis";
import { Valkey } from "iovalkey";
import Keyv from "keyv";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

/** The raw client writes beside the store (same name shape, its own collection), so neither reads the other's values. */
const NAMESPACE = "raw_client::";

/** The raw client sending the store's commands for the same work: GET/SET, MGET, MSET, with the value as JSON. */
function rawContender(name: string, client: Redis | Valkey): Contender {
  const parse = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
  return {
    name,
    get: async (key) => parse(await client.get(NAMESPACE + key)),
    put: (key, value) => client.set(NAMESPACE + key, JSON.stringify(value)),
    getMany: async (keys) => (await client.mget(keys.map((key) => NAMESPACE + key))).map(parse),
    putMany: (entries) => client.mset(entries.flatMap(([key, value]): string[] => [NAMESPACE + key, JSON.stringify(value)])),
  };
}

const TARGETS = (raw: string, keyv: string) => [
  { operation: "every" as const, peer: raw, atLeast: 0.85 },
  { operation: "getMany" as const, peer: keyv, atLeast: 1.5 },
  { operation: "putMany" as const, peer: keyv, atLeast: 1.5 },
];

async function benchOne(kind: Extract<ServerKind, "redis" | "valkey">): Promise<string[]> {
  const server = await startLocal({ kind });
  const store = kind === "redis" ? new RedisStore({ url: server.url }) : new ValkeyStore({ url: server.url });
  const raw = kind === "redis" ? new Redis(server.url) : new Valkey(server.url);
  const keyv = new Keyv<JsonObject>({ store: kind === "redis" ? new KeyvRedis(server.url) : new KeyvValkey(server.url), namespace: "keyv" });
  const [storeName, rawName, keyvName] = kind === "redis" ? ["RedisStore", "raw ioredis", "@keyv/redis"] : ["ValkeyStore", "raw iovalkey", "@keyv/valkey"];
  try {
    return await compare(
      `${storeName} (${kind}-server on 127.0.0.1)`,
      kvContender(storeName, store),
      [rawContender(rawName, raw), keyvContender(keyvName, keyv)],
      TARGETS(rawName, keyvName),
      { inFlight: 32 },
    );
  } finally {
    await store.close();
    raw.disconnect();
    await keyv.disconnect();
    await server.shutdown();
  }
}

/** RedisStore and ValkeyStore against their raw clients and Keyv's adapters, each on a server of its own. */
export async function benchResp(): Promise<string[]> {
  return [...(await benchOne("redis")), ...(await benchOne("valkey"))];
}
