import { describe, expect, it } from "@jest/globals";
import { Socket } from "node:net";
import { startLocal } from "../src/servers.js";

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
  });
}

describe("local servers", () => {
  it.each(["redis", "valkey", "memcached", "postgres", "dynamodb", "moto", "azure-tables", "mongodb", "elasticsearch"] as const)("starts, interrupts, resumes and shuts down %s", async (kind) => {
    const server = await startLocal({ kind });
    try {
      expect(await connects(server.port)).toBe(true);
      await server.interrupt();
      expect(await connects(server.port)).toBe(false);
      await server.resume();
      expect(await connects(server.port)).toBe(true);
    } finally {
      await server.shutdown();
    }
    expect(await connects(server.port)).toBe(false);
    // Elasticsearch starts twice here, a JVM each time.
  }, 400_000);

  it.each(["redis", "valkey"] as const)("starts a healthy 3-master %s cluster, and a node comes back", async (kind) => {
    const server = await startLocal({ kind, cluster: true });
    try {
      expect(server.nodes).toHaveLength(3);
      await server.interrupt(1);
      expect(await connects(server.nodes[1]!.port)).toBe(false);
      await server.resume(1);
      expect(await connects(server.nodes[1]!.port)).toBe(true);
    } finally {
      await server.shutdown();
    }
  }, 60_000);
});
