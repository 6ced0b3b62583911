import calculateSlot from "cluster-key-slot";
import { isCluster, type RespBatchCommands, type RespClient, type RespCluster, type RespCommands } from "./client.js";

/** Positions (into a batch's names) that share one hash slot: one multi-key command each. */
type SlotGroup = number[];

/**
 * Sends or queues the command(s) for one slot group: its names, and their
 * positions in the batch. On a pipeline the return value is ignored; on a
 * client it is the command's promise.
 */
export type QueueCommand = (target: RespBatchCommands, names: string[], positions: number[]) => unknown;

/** Positions grouped by hash slot. */
function groupBySlot(names: readonly string[]): Map<number, SlotGroup> {
  const bySlot = new Map<number, SlotGroup>();
  names.forEach((name, index) => {
    const slot = calculateSlot(name);
    const group = bySlot.get(slot);
    if (group) group.push(index);
    else bySlot.set(slot, [index]);
  });
  return bySlot;
}

/** Slot groups grouped by the node that serves them, per the client's slot table. */
function groupByNode(cluster: RespCluster, names: readonly string[]): SlotGroup[][] {
  const byNode = new Map<string, SlotGroup[]>();
  for (const [slot, group] of groupBySlot(names)) {
    // Before the slot table is known, each slot is its own round trip; the driver then routes it.
    const node = cluster.slots[slot]?.[0] ?? `slot ${slot}`;
    const groups = byNode.get(node);
    if (groups) groups.push(group);
    else byNode.set(node, [group]);
  }
  return [...byNode.values()];
}

/** Runs one pipeline of slot groups and returns each group's reply, failing on the first error. */
async function execGroups(connection: RespCommands, names: readonly string[], groups: SlotGroup[], queue: QueueCommand): Promise<unknown[]> {
  const pipeline = connection.pipeline();
  for (const group of groups) queue(pipeline, group.map((index) => names[index]!), group);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** A slot group's positions in the batch, and the reply to its command. */
export interface SlotReply {
  group: SlotGroup;
  reply: unknown;
}

/**
 * Sends a batch in one pipeline per node (one pipeline in all on a standalone
 * server), the nodes of a cluster at once.
 */
export async function runPipelined(client: RespClient, names: readonly string[], queue: QueueCommand): Promise<SlotReply[]> {
  const nodes = isCluster(client) ? groupByNode(client, names) : [[names.map((_, index) => index)]];
  const perNode = await Promise.all(
    nodes.map(async (groups) => {
      const replies = await execGroups(client, names, groups, queue);
      return groups.map((group, index) => ({ group, reply: replies[index] }));
    }),
  );
  return perNode.flat();
}

/**
 * Sends one multi-key command per hash slot (MGET, MSET, DEL): on a standalone
 * server that is a single command, sent as it is; on a cluster, `runPipelined`.
 */
export function runPerSlot(client: RespClient, names: readonly string[], command: QueueCommand): Promise<SlotReply[]> {
  return isCluster(client) ? runPipelined(client, names, command) : runOnNode(client, names, false, command);
}

/**
 * `runPerSlot` over one node's own connection (a SCAN page of one cluster
 * master): a node refuses a multi-key command across slots, so a clustered
 * node gets a pipeline with one command per slot.
 */
export async function runOnNode(node: RespCommands, names: readonly string[], clustered: boolean, command: QueueCommand): Promise<SlotReply[]> {
  if (!clustered) {
    const everything = names.map((_, index) => index);
    return [{ group: everything, reply: await command(node, [...names], everything) }];
  }
  const groups = [...groupBySlot(names).values()];
  const replies = await execGroups(node, names, groups, command);
  return groups.map((group, index) => ({ group, reply: replies[index] }));
}

/** Puts MGET replies back in batch order. */
export function valuesInOrder(replies: readonly SlotReply[], count: number): (string | null)[] {
  const values = new Array<string | null>(count).fill(null);
  for (const { group, reply } of replies) group.forEach((position, offset) => (values[position] = (reply as (string | null)[])[offset] ?? null));
  return values;
}

/** Adds up DEL replies. */
export function removedCount(replies: readonly SlotReply[]): number {
  return replies.reduce((sum, { reply }) => sum + Number(reply), 0);
}
