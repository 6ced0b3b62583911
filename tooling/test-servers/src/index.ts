import { afterAll, beforeAll, describe } from "@jest/globals";
import { DEFINITIONS, findLocalServer, fromEnvironment, hasContainerRuntime, startContainer, startLocal, type ServerRequest, type TestServer } from "./servers.js";

export { describeWithPyKeyValue, hasPyKeyValue, PY_KEY_VALUE_VERSION, pyKeyValuePython, runPyKeyValueScript } from "./py-key-value.js";
export { DEFINITIONS, type ServerAddress, type ServerKind, type ServerRequest, type TestServer } from "./servers.js";

const SERVER_START_TIMEOUT_MS = 240_000;

function describeRequest(request: ServerRequest): string {
  return `${request.kind}${request.cluster ? " cluster" : ""}`;
}

/** How the server would be had, decided without starting anything: env, container or local; undefined when none. */
export function serverSource(request: ServerRequest): TestServer["source"] | undefined {
  const definition = DEFINITIONS[request.kind];
  if (!request.controllable && process.env[(request.cluster ? definition.clusterEnvVar : definition.envVar) ?? ""]) return "env";
  if (definition.container !== undefined && hasContainerRuntime()) return "container";
  if (findLocalServer(request.kind) !== undefined) return "local";
  return undefined;
}

/**
 * Gets a server: the environment variable, else Testcontainers with the official
 * image, else the local binary (a container that fails to start falls back to it).
 */
export async function startServer(request: ServerRequest): Promise<TestServer> {
  const fromEnv = fromEnvironment(request);
  if (fromEnv) return fromEnv;
  if (DEFINITIONS[request.kind].container !== undefined && hasContainerRuntime()) {
    try {
      return await startContainer(request);
    } catch (error) {
      if (findLocalServer(request.kind) === undefined) throw error;
      console.warn(`Testcontainers could not start ${describeRequest(request)} (${String(error)}); using the local binary`);
    }
  }
  return startLocal(request);
}

/**
 * A `describe` block with a real server, started before its tests and stopped
 * after. With no way to get the server, the block is skipped loudly, and under
 * CI=true the test file fails instead: CI never passes having skipped a backend.
 */
export function describeWithServer(request: ServerRequest, name: string, body: (server: () => TestServer) => void): void {
  const definition = DEFINITIONS[request.kind];
  if (serverSource(request) === undefined) {
    const message =
      `No ${describeRequest(request)} for "${name}": set ${request.cluster ? definition.clusterEnvVar : definition.envVar}, ` +
      `run Docker, or install ${definition.packages} (tooling/test-servers/install.sh does it on Debian).`;
    if (process.env.CI === "true") throw new Error(message);
    console.warn(`SKIPPED: ${message}`);
    describe.skip(name, () => body(() => undefined as never));
    return;
  }
  describe(name, () => {
    let server: TestServer | undefined;
    beforeAll(async () => {
      server = await startServer(request);
    }, SERVER_START_TIMEOUT_MS);
    afterAll(async () => {
      await server?.shutdown();
    }, SERVER_START_TIMEOUT_MS);
    body(() => {
      if (server === undefined) throw new Error(`the ${describeRequest(request)} is only available inside tests`);
      return server;
    });
  });
}
