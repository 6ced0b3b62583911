import { CommanderError } from "commander";
import { EXIT_CODES, exitCodeOf, type ExitCode } from "./exit-codes.js";
import { write, type CliIo } from "./io.js";
import { createProgram } from "./program.js";
import { Session } from "./session.js";

/**
 * Runs `kv` with `argv` (the arguments after the program name) and resolves to
 * its exit code. Errors become one line on stderr (`--verbose` adds their
 * causes), with credentials redacted; every store opened is closed.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const session = new Session(io);
  try {
    await createProgram(session).parseAsync([...argv], { from: "user" });
    return EXIT_CODES.ok;
  } catch (error) {
    // Commander has already printed its own usage errors, and help is not an error.
    if (!(error instanceof CommanderError)) await write(io.stderr, session.redact(describe(error, argv.includes("--verbose"))));
    return exitCodeOf(error);
  } finally {
    await session.close();
  }
}

function describe(error: unknown, verbose: boolean): string {
  let text = `kv: ${messageOf(error)}\n`;
  if (!verbose) return text;
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    const kind = current instanceof Error ? `${current.name}${typeof code === "string" ? ` (${code})` : ""}` : typeof current;
    text += current === error ? `  error: ${kind}\n` : `  caused by: ${kind}: ${messageOf(current)}\n`;
  }
  return text;
}

/** One line: a driver's multi-line message would break the one-line rule. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}
