/**
 * Where CLI commands write: results to standard output, diagnostics and
 * logs to standard error. The entry builds the real one; commands only
 * see this interface.
 *
 * @module
 */

/** The output streams of a CLI command. */
export interface CliIo {
  /** Writes `line` and a line break to standard output. */
  out(line: string): void;
  /** Writes `line` and a line break to standard error. */
  err(line: string): void;
  /** Whether standard error is a terminal (logs default to text there). */
  errIsTerminal: boolean;
}

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: the command failed. */
export const EXIT_FAILURE = 1;
/** Exit code: bad usage (unknown flag, missing argument, bad value). */
export const EXIT_USAGE = 2;
