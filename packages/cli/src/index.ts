export { runCli } from "./run-cli.js";
export { EXIT_CODES, CliError, type ExitCode } from "./exit-codes.js";
export { processIo, type CliIo, type OutputStream } from "./io.js";
