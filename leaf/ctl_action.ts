/**
 * What every `trellis ctl` command is made of: its arguments are read
 * before connecting (so bad usage costs no connection), then it runs
 * with a client and says what happened, as lines and as JSON.
 *
 * @module
 */
import type { CliIo } from "../runtime/cli_io.ts";
import { type ParsedFlags, parsePairs, UsageError } from "../runtime/flags.ts";
import type { CtlClient } from "./ctl_client.ts";
import type { Progress } from "./ctl_steer.ts";

/** What a command runs with. */
export interface CtlContext {
  client: CtlClient;
  io: CliIo;
  /** Progress lines, to standard error. */
  progress: Progress;
  json: boolean;
}

/** What a command says when it is done. */
export interface Outcome {
  /** Lines for people. */
  lines: string[];
  /** The same for scripts (`--json`). */
  json: unknown;
  /** False when the command failed in part; the exit code is then 1. */
  ok?: boolean;
}

/** A command ready to run. */
export type CtlAction = (context: CtlContext) => Promise<Outcome>;

/** Reads a command's arguments; throws a UsageError for bad ones. */
export type ActionParser = (args: string[], flags: ParsedFlags) => CtlAction;

/** The positional arguments, exactly as many as `names` says. */
export function positionals(
  args: string[],
  names: string[],
  command: string,
): string[] {
  if (args.length !== names.length) {
    const usage = names.map((name) => name.toUpperCase()).join(" ");
    throw new UsageError(
      `"trellis ctl ${command}" takes ${usage || "no arguments"}` +
        (args.length > names.length ? `, not "${args.at(-1)}"` : ""),
    );
  }
  return args;
}

/** The `--constraint k=v` pairs. */
export function constraintsOf(flags: ParsedFlags): Record<string, string> {
  return parsePairs(flags.lists.constraint, "--constraint");
}

/** A positive whole number from a flag or argument. */
export function countOf(text: string, what: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1) {
    throw new UsageError(`Invalid ${what} "${text}": expected 1 or more`);
  }
  return count;
}

/** `--host` and `--constraint` exclude each other. */
export function hostOrConstraints(flags: ParsedFlags): {
  host?: string;
  constraints: Record<string, string>;
} {
  const constraints = constraintsOf(flags);
  const host = flags.strings.host;
  if (host && Object.keys(constraints).length > 0) {
    throw new UsageError("Use --host or --constraint, not both");
  }
  return { host, constraints };
}

/** An outcome of one line, with `json` for scripts. */
export function said(line: string, json: unknown): Outcome {
  return { lines: [line], json };
}
