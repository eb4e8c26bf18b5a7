/**
 * A small command-line flag parser: `--name value`, `--name=value`,
 * repeatable list flags and booleans. Anything wrong is a UsageError,
 * which the CLI turns into exit code 2.
 *
 * @module
 */

/** Bad command-line usage: the CLI exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The kind of value a flag takes. */
export type FlagKind = "string" | "list" | "boolean";

/** Parsed flags and the positional arguments between them. */
export interface ParsedFlags {
  strings: Record<string, string>;
  lists: Record<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
}

/**
 * Parses `args` against the flags a command accepts. `aliases` maps
 * one-letter short flags to long names (`{ o: "output" }` reads `-o FILE`
 * as `--output FILE`); other arguments starting with a single `-` stay
 * positional.
 */
export function parseFlags(
  args: readonly string[],
  accepted: Record<string, FlagKind>,
  aliases: Record<string, string> = {},
): ParsedFlags {
  const parsed: ParsedFlags = {
    strings: {},
    lists: {},
    booleans: new Set(),
    positionals: [],
  };
  for (let index = 0; index < args.length; index++) {
    const short = /^-([A-Za-z])$/.exec(args[index])?.[1];
    const arg = short && Object.hasOwn(aliases, short)
      ? `--${aliases[short]}`
      : args[index];
    if (!arg.startsWith("--") || arg === "--") {
      if (arg === "--") {
        parsed.positionals.push(...args.slice(index + 1));
        break;
      }
      parsed.positionals.push(arg);
      continue;
    }
    const [name, inline] = splitFlag(arg.slice(2));
    const kind = accepted[name];
    if (kind === undefined) throw new UsageError(`Unknown flag "--${name}"`);
    if (kind === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`Flag "--${name}" takes no value`);
      }
      parsed.booleans.add(name);
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined) {
      throw new UsageError(`Flag "--${name}" needs a value`);
    }
    if (kind === "list") (parsed.lists[name] ??= []).push(value);
    else parsed.strings[name] = value;
  }
  return parsed;
}

function splitFlag(text: string): [string, string | undefined] {
  const equals = text.indexOf("=");
  return equals === -1
    ? [text, undefined]
    : [text.slice(0, equals), text.slice(equals + 1)];
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `500ms`, `10s`, `2m`, `1h`, `30d` (a bare number is seconds) to
 * ms.
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `Invalid ${flag} "${text}": expected a duration such as 500ms or 10s`,
    );
  }
  const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? "s"];
  if (ms <= 0) throw new UsageError(`Invalid ${flag} "${text}": must be > 0`);
  return Math.round(ms);
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** Parses `64MiB`, `512k`, `1048576` to bytes. */
export function parseBytes(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = BYTE_UNITS[match?.[2].toLowerCase() ?? "?"];
  if (!match || unit === undefined) {
    throw new UsageError(
      `Invalid ${flag} "${text}": expected a size such as 64MiB or 512k`,
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes <= 0) {
    throw new UsageError(`Invalid ${flag} "${text}": must be > 0`);
  }
  return bytes;
}

/** Parses a whole number of at least 1, such as `100`. */
export function parseCount(text: string, flag: string): number {
  const digits = text.trim();
  const count = Number(digits);
  if (!/^\d+$/.test(digits) || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(
      `Invalid ${flag} "${text}": expected a whole number of at least 1`,
    );
  }
  return count;
}

/** Parses repeated `key=value` flags into a map. */
export function parsePairs(
  values: readonly string[] = [],
  flag: string,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    if (equals <= 0) {
      throw new UsageError(`Invalid ${flag} "${value}": expected key=value`);
    }
    pairs[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return pairs;
}
