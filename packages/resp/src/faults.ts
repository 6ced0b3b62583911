/** Error codes of a socket that could not connect or was cut. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** Error names of ioredis/iovalkey that mean the server could not be reached. */
const DRIVER_ERROR_NAMES = new Set(["MaxRetriesPerRequestError", "ClusterAllFailedError"]);

/**
 * Messages of the driver and the server that mean "not reachable right now":
 * a dropped or absent connection, a timeout, a cluster without a healthy
 * master for the slot, a redirection the driver could not follow (its target
 * is down or the slots are moving), or credentials the server refused.
 */
const UNREACHABLE_MESSAGES = [
  "Connection is closed",
  "Stream isn't writeable",
  "Command timed out",
  "Connection timed out",
  "connect ETIMEDOUT",
  "Reached the max retries per request limit",
  "CLUSTERDOWN",
  "Failed to refresh slots cache",
  "Cluster isn't ready",
  "None of startup nodes is available",
  "Too many Cluster redirections",
  "MOVED ",
  "ASK ",
  "TRYAGAIN",
  "LOADING",
  "MASTERDOWN",
  "NOAUTH",
  "WRONGPASS",
];

/**
 * True when `error` says the server (or a cluster node) cannot be reached, as
 * opposed to a refused command. Read by duck typing: socket errors may come
 * from another realm (a test sandbox), where `instanceof Error` fails.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (typeof name === "string" && DRIVER_ERROR_NAMES.has(name)) return true;
  return typeof message === "string" && UNREACHABLE_MESSAGES.some((text) => message.includes(text));
}
