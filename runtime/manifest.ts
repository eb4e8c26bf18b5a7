/**
 * The host manifest (spec §6): labels, actors to start, capability
 * providers to load and the bindings between them, read from YAML or JSON
 * after `${VAR}` expansion. The format is described in `docs/manifest.md`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parseDocument } from "../deps.ts";
import { type EnvLookup, expandEnv } from "./manifest_env.ts";
import { validateDocument } from "./manifest_validate.ts";
import { dirname, resolve } from "node:path";

/** An actor module to start. */
export interface ManifestActor {
  /** Absolute path of the signed `.wasm` module. */
  path: string;
  /** How many instances to run, at least 1; default 1. */
  instances: number;
  /** Start even if the claims do not check out; default false. */
  force: boolean;
  /**
   * Invocations that may wait for a free instance before callers are told
   * the actor is busy; the host's `--queue-limit` when absent.
   */
  queueLimit?: number;
  /** Line of the entry in the manifest. */
  line: number;
}

/**
 * A capability provider to load: a built-in one by id, or a provider
 * module (TypeScript/JavaScript plugin or WebAssembly) by absolute path.
 */
export type ManifestCapability =
  | { kind: "builtin"; id: string; binding: string; line: number }
  | { kind: "plugin"; path: string; binding: string; line: number }
  | { kind: "wasm"; path: string; binding: string; line: number };

/** Configuration linking an actor to a capability under a binding name. */
export interface ManifestBinding {
  /** Module public key of the actor (56 characters starting with M). */
  actor: string;
  /** Capability id, such as `wascc:http_server`. */
  capability: string;
  /** Binding name; default `"default"`. */
  binding: string;
  /** Configuration values handed to the provider. */
  values: Record<string, string>;
  /** Line of the entry in the manifest. */
  line: number;
}

/** A validated manifest. */
export interface Manifest {
  /** Absolute path of the manifest file. */
  path: string;
  /**
   * SHA-256 of the manifest's text after `${VAR}` expansion, hex: a
   * restart applies the manifest again only when this changed since it
   * was last applied.
   */
  digest?: string;
  /** Host labels; never any under `hostcore.`. */
  labels: Record<string, string>;
  /** Actors to start, in file order. */
  actors: ManifestActor[];
  /** Capability providers to load, in file order. */
  capabilities: ManifestCapability[];
  /** Actor-to-capability configuration, in file order. */
  bindings: ManifestBinding[];
}

/** One problem found in a manifest. */
export interface ManifestIssue {
  /** 1-based line in the manifest file, when the problem has a place. */
  line?: number;
  /** Key path such as `actors[1].instances`, when one applies. */
  key?: string;
  /** What is wrong, such as `"actors[1].path" is required`. */
  message: string;
}

/**
 * A manifest that cannot be used. The message has one line per issue;
 * `line` and `key` are those of the first issue.
 */
export class ManifestError extends Error {
  /** Always `"ManifestError"`. */
  override name = "ManifestError";
  /** The manifest path as given by the caller. */
  readonly path: string;
  /** Line of the first issue, if it has one. */
  readonly line?: number;
  /** Key path of the first issue, if it has one. */
  readonly key?: string;
  /** Every problem found, ordered by line. */
  readonly issues: readonly ManifestIssue[];

  /** Builds the message from the issues, one line each. */
  constructor(
    path: string,
    issues: readonly ManifestIssue[],
    options?: ErrorOptions,
  ) {
    super(
      issues.map((issue) => {
        const place = issue.line === undefined ? "" : ` line ${issue.line}`;
        return `Invalid manifest "${path}"${place}: ${issue.message}`;
      }).join("\n"),
      options,
    );
    this.path = path;
    this.line = issues[0]?.line;
    this.key = issues[0]?.key;
    this.issues = issues;
  }
}

/** Where the environment comes from: a record, or the process by default. */
export type ManifestEnv = Record<string, string | undefined>;

/**
 * Expands `${VAR}` and `${VAR:default}` from `env`, then parses YAML or
 * JSON and validates the result. Throws a {@linkcode ManifestError}
 * at the first stage that fails: every unexpandable reference, else the
 * first YAML syntax error, else every validation problem.
 *
 * @example
 * ```ts
 * const manifest = parseManifest("actors: [./echo.wasm]", {
 *   path: "/srv/host.yaml",
 *   env: {},
 * });
 * manifest.actors[0].path; // "/srv/echo.wasm"
 * ```
 */
export function parseManifest(
  text: string,
  options: { path: string; env?: ManifestEnv },
): Manifest {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lineOfSource = lineFinder(source);
  const expansion = expandEnv(source, envLookup(options.env));
  const lineAt = (offset: number) =>
    lineOfSource(expansion.originalOffset(offset));
  const fail = (issues: ManifestIssue[]) => {
    throw new ManifestError(options.path, issues);
  };

  if (expansion.problems.length > 0) {
    fail(expansion.problems.map((problem) => ({
      line: lineOfSource(problem.offset),
      message: problem.message,
    })));
  }

  const doc = parseDocument(expansion.text, {
    prettyErrors: false,
    uniqueKeys: false,
  });
  // Later syntax errors mostly follow from the first: report that one.
  const syntaxError = doc.errors[0] ?? doc.warnings[0];
  if (syntaxError !== undefined) {
    fail([{
      line: lineAt(syntaxError.pos[0]),
      message: `cannot parse: ${syntaxError.message}`,
    }]);
  }

  const absolute = resolve(options.path);
  const parts = validateDocument(doc, dirname(absolute), lineAt);
  if (parts.issues.length > 0) fail(sortByLine(parts.issues));
  const { labels, actors, capabilities, bindings } = parts;
  // The expanded text: a changed variable changes the manifest too.
  const digest = createHash("sha256").update(expansion.text).digest("hex");
  return { path: absolute, digest, labels, actors, capabilities, bindings };
}

/**
 * Reads and parses a manifest file. Read failures surface as Deno's own
 * errors (`Deno.errors.NotFound`, …); content problems as
 * {@linkcode ManifestError}.
 */
export async function loadManifest(
  path: string,
  env?: ManifestEnv,
): Promise<Manifest> {
  const text = await Deno.readTextFile(path);
  return parseManifest(text, { path, env });
}

/** Reads the given record, or the process environment when there is none. */
function envLookup(env: ManifestEnv | undefined): EnvLookup {
  if (env === undefined) return (name) => Deno.env.get(name);
  return (name) => Object.hasOwn(env, name) ? env[name] : undefined;
}

function sortByLine(issues: ManifestIssue[]): ManifestIssue[] {
  return issues.toSorted((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Returns a function giving the 1-based line of an offset in `text`. */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
    starts.push(i + 1);
  }

  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
