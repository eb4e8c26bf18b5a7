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
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
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
