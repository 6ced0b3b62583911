import memjs from "memjs";

const GETKQ = 0x0d;
const NOOP = 0x0a;
const STATUS_OK = 0x00;
const STATUS_KEY_NOT_FOUND = 0x01;

/**
 * Reads many keys in one round trip per server, with the binary protocol's quiet
 * gets: one GETKQ per key, which the server answers only on a hit, then a NOOP whose
 * reply ends the batch. memjs 1.3 has no multi-get; this drives its `Server` the way
 * its own `stats` command does (a response handler marked `quiet` stays registered
 * until the reply with an empty body). One slot per key, `null` when missing.
 */
export async function getQuietly(client: memjs.Client, keys: readonly string[]): Promise<(Buffer | null)[]> {
  const keysByServer = new Map<memjs.Server, string[]>();
  for (const key of keys) {
    const server = client.server(key);
    if (!server) throw new Error("No servers available");
    const serverKeys = keysByServer.get(server);
    if (serverKeys) serverKeys.push(key);
    else keysByServer.set(server, [key]);
  }
  const found = new Map<string, Buffer>();
  await Promise.all(Array.from(keysByServer, ([server, serverKeys]) => readFrom(client, server, serverKeys, found)));
  return keys.map((key) => found.get(key) ?? null);
}

function readFrom(client: memjs.Client, server: memjs.Server, keys: readonly string[], found: Map<string, Buffer>): Promise<void> {
  client.incrSeq();
  const seq = client.seq;
  const requests = keys.map((key) => memjs.Utils.makeRequestBuffer(GETKQ, key, "", "", seq));
  requests.push(memjs.Utils.makeRequestBuffer(NOOP, "", "", "", seq));
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const onResponse = (response: memjs.Response): void => {
      const { opcode, status } = response.header;
      if (opcode === NOOP) {
        if (failure) reject(failure);
        else resolve();
      } else if (status === STATUS_OK) {
        const { value } = client.serializer.deserialize(opcode, response.val, response.extras);
        if (value !== null) found.set(response.key.toString("utf8"), value);
      } else if (status !== STATUS_KEY_NOT_FOUND) {
        failure ??= new Error(`MemJS GETKQ: ${response.val.toString("utf8") || `status ${status}`}`);
      }
    };
    server.onResponse(seq, Object.assign(onResponse, { quiet: true }));
    server.onError(seq, reject);
    server.write(Buffer.concat(requests));
  });
}
