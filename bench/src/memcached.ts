import KeyvMemcache from "@keyv/memcache";
import type { JsonObject } from "@kv/core";
import { MemcachedStore } from "@kv/memcached";
import { startLocal } from "@kv/test-servers/servers";
import Keyv from "keyv";
import memjs from "memjs";
import { compare, keyvContender, kvContender, type Contender } from "./compare.js";

/** The raw client writes beside the store (same name shape, its own collection), so neither reads the other's values. */
const NAMESPACE = "raw_client::";

/** memjs doing the same work: GET/SET, and for batches every request sent at once (memjs pipelines them on its socket). */
function rawContender(client: memjs.Client): Contender {
  const get = async (key: string): Promise<unknown> => {
    const { value } = await client.get(NAMESPACE + key);
    return value === null ? undefined : JSON.parse(value.toString("utf8"));
  };
  const put = (key: string, value: JsonObject): Promise<boolean> => client.set(NAMESPACE + key, JSON.stringify(value), { expires: 0 });
  return {
    name: "raw memjs",
    get,
    put,
    getMany: (keys) => Promise.all(keys.map(get)),
    putMany: (entries) => Promise.all(entries.map(([key, value]) => put(key, value))),
  };
}

/** MemcachedStore against raw memjs and @keyv/memcache on a memcached of its own. */
export async function benchMemcached(): Promise<string[]> {
  const server = await startLocal({ kind: "memcached" });
  const store = new MemcachedStore({ servers: server.url });
  const raw = memjs.Client.create(server.url, { logger: { log: () => undefined } });
  const keyv = new Keyv<JsonObject>({ store: new KeyvMemcache(server.url), namespace: "keyv" });
  try {
    return await compare(
      "MemcachedStore (memcached on 127.0.0.1)",
      kvContender("MemcachedStore", store),
      [rawContender(raw), keyvContender("@keyv/memcache", keyv)],
      [
        { operation: "every", peer: "raw memjs", atLeast: 0.85 },
        { operation: "getMany", peer: "@keyv/memcache", atLeast: 1.5 },
        { operation: "putMany", peer: "@keyv/memcache", atLeast: 1.5 },
      ],
      { inFlight: 32 },
    );
  } finally {
    await store.close();
    raw.quit();
    await keyv.disconnect();
    await server.shutdown();
  }
}
