/**
 * Stores, reads, expires and enumerates entries with DiskStore, printing each
 * step. Data goes to `./.kv-demo` (or the directory given as the first argument).
 */
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DiskStore } from "@kv/disk";

const directory = resolve(process.argv[2] ?? ".kv-demo");

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of iterable) items.push(item);
  return items.sort();
}

async function main(): Promise<void> {
  await using store = new DiskStore({ directory });
  console.log(`DiskStore in ${directory}`);
  await store.destroy();

  await store.put("alice", { name: "Alice", roles: ["admin"] }, { collection: "users" });
  await store.putMany(
    [
      ["bob", { name: "Bob", roles: [] }],
      ["carol", { name: "Carol", roles: ["editor"] }],
    ],
    { collection: "users" },
  );
  console.log("put     users/alice, users/bob, users/carol");

  await store.put("session-1", { user: "alice" }, { collection: "sessions", ttl: 1 });
  console.log("put     sessions/session-1 with a TTL of 1 s");

  console.log("get     users/alice →", JSON.stringify(await store.get("alice", { collection: "users" })));
  const many = await store.getMany(["bob", "nobody"], { collection: "users" });
  console.log("getMany users/[bob, nobody] →", JSON.stringify(many));
  const session = await store.ttl("session-1", { collection: "sessions" });
  console.log(`ttl     sessions/session-1 → ${JSON.stringify(session?.value)}, ${session?.ttl?.toFixed(2)} s left`);

  console.log("keys    users →", (await collect(store.keys({ collection: "users" }))).join(", "));
  console.log("collections →", (await collect(store.collections())).join(", "));

  await sleep(1_100);
  console.log("…1.1 s later");
  console.log("get     sessions/session-1 →", JSON.stringify(await store.get("session-1", { collection: "sessions" })));
  console.log("collections →", (await collect(store.collections())).join(", "));

  console.log("delete  users/bob →", await store.delete("bob", { collection: "users" }));
  console.log("keys    users →", (await collect(store.keys({ collection: "users" }))).join(", "));
  await store.cull();
  console.log("done: data kept in", directory);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
