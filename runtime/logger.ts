/** Facts attached to a log line, such as `actor`, `subject` or `ms`. */
export type LogFields = Record<string, unknown>;

/** Severity of a log line, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/** The levels in order of severity, most severe first. */
export const LOG_LEVELS: readonly LogLevel[] = [
  "error",
  "warn",
  "info",
  "debug",
  "trace",
];

/**
 * The logger the runtime, providers and the leaf link write to. Messages
 * are short lowercase phrases; facts go in fields. Only `main.ts` builds a
 * logger that writes anywhere.
 */
export interface Logger {
  /** Writes a failure someone must look at. */
  error(message: string, fields?: LogFields): void;
  /** Writes a problem the caller survived. */
  warn(message: string, fields?: LogFields): void;
  /** Writes a normal event worth seeing by default. */
  info(message: string, fields?: LogFields): void;
  /** Writes detail for finding a problem. */
  debug(message: string, fields?: LogFields): void;
  /** Writes the finest detail, such as every call. */
  trace(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** A logger that drops every line: the default for library use. */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  trace() {},
  child() {
    return silentLogger;
  },
};
