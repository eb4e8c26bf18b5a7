/**
 * The logger the CLI builds: levelled, JSON lines for machines or text for
 * people, written to a sink (standard error in the CLI).
 *
 * @module
 */
import {
  LOG_LEVELS,
  type LogFields,
  type Logger,
  type LogLevel,
} from "./logger.ts";

/** How log lines look. */
export type LogFormat = "json" | "text";

/** Options of {@linkcode createLogger}. */
export interface ConsoleLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Receives each line, newline included. */
  write(line: string): void;
  /** Clock for the time field (default `Date.now`). */
  now?: () => number;
}

/** Parses a log level name, or throws naming the accepted ones. */
export function parseLogLevel(text: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(text)) {
    return text as LogLevel;
  }
  throw new RangeError(
    `Cannot use log level "${text}": expected one of ${LOG_LEVELS.join(", ")}`,
  );
}

/** A logger writing lines at `level` and above. */
export function createLogger(
  options: ConsoleLoggerOptions,
  fields: LogFields = {},
): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const now = options.now ?? Date.now;
  const line = (level: LogLevel) => (message: string, extra?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const all = { ...fields, ...extra };
    const time = new Date(now()).toISOString();
    options.write(
      options.format === "json"
        ? JSON.stringify({ time, level, msg: message, ...all }) + "\n"
        : textLine(time, level, message, all),
    );
  };
  return {
    error: line("error"),
    warn: line("warn"),
    info: line("info"),
    debug: line("debug"),
    trace: line("trace"),
    child: (more) => createLogger(options, { ...fields, ...more }),
  };
}

function textLine(
  time: string,
  level: LogLevel,
  message: string,
  fields: LogFields,
): string {
  const pairs = Object.entries(fields).map(([key, value]) =>
    `${key}=${formatValue(value)}`
  );
  return [time.slice(11, 23), level.toUpperCase().padEnd(5), message, ...pairs]
    .join(" ") + "\n";
}

function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[\s"=]/.test(text ?? "") ? JSON.stringify(text) : String(text);
}
