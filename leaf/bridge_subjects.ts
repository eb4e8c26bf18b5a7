/**
 * Which subjects cross a leaf bridge and how: the defaults, the subjects
 * named by `--export`, `--export-service`, `--import` and
 * `--import-service`, and the checks that refuse what cannot cross
 * safely. docs/field.md ("What crosses") explains each rule.
 *
 * @module
 */
import { LatticeSubjects } from "../runtime/lattice_subjects.ts";
import { assertPattern } from "../runtime/subjects.ts";
import type { LeafConfigOptions } from "./leaf_config_options.ts";

/** The option that bridges a subject, and so how it crosses. */
export type BridgeFlag =
  | "--export"
  | "--export-service"
  | "--import"
  | "--import-service";

/** One subject that crosses the bridge. */
export interface BridgedSubject {
  /** The subject, wildcards allowed. */
  subject: string;
  /** How it crosses. */
  flag: BridgeFlag;
  /** It comes from the defaults, not from the options. */
  byDefault: boolean;
  /** A service whose every answer crosses back, not only the first. */
  everyAnswer: boolean;
}

/** What each flag means, as the generated files' comments say it. */
export const BRIDGE_DESCRIPTIONS: Readonly<Record<BridgeFlag, string>> = {
  "--export": "device publishes, hub receives",
  "--export-service": "hub asks, device answers",
  "--import": "hub publishes, device receives",
  "--import-service": "device asks, hub answers",
};

/** The JetStream API, which crosses only in a domain. */
export const JETSTREAM_API = "$JS.API.>";

const RESERVED_TOKENS = ["_INBOX", "_R_", "$SYS"];

/**
 * The subjects that cross, in flag order: those of each flag given, or
 * its defaults when it is not (`exports: []` or `noDefaults` leave them
 * out). The defaults let the hub watch and call the device: the
 * lattice's events go up; `telemetry.>` goes up as a service, so that a
 * hub stream's PubAck comes back to the outbox that sent the message; the
 * hub may call the device's actors and ask its inventory. Throws a
 * TypeError naming the flag and subject at fault.
 */
export function bridgedSubjects(options: LeafConfigOptions): BridgedSubject[] {
  const prefix = latticePrefix(options.lattice);
  const defaults: Record<BridgeFlag, string[]> = {
    "--export": [`${prefix}.events`],
    "--export-service": [`${prefix}.actor.>`, `${prefix}.inventory.>`],
    "--import": [],
    "--import-service": ["telemetry.>"],
  };
  const given: Record<BridgeFlag, string[] | undefined> = {
    "--export": options.exports,
    "--export-service": options.exportServices,
    "--import": options.imports,
    "--import-service": options.importServices,
  };
  const bridged: BridgedSubject[] = [];
  for (const flag of Object.keys(given) as BridgeFlag[]) {
    const fallback = options.noDefaults ? [] : defaults[flag];
    for (const subject of new Set(given[flag] ?? fallback)) {
      checkSubject(flag, subject, options);
      const everyAnswer = flag.endsWith("-service") &&
        patternsOverlap(subject, `${prefix}.inventory.>`);
      const byDefault = given[flag] === undefined;
      bridged.push({ subject, flag, byDefault, everyAnswer });
    }
  }
  checkOverlaps(bridged);
  return bridged;
}

/** Whether two subscription subjects can match a common subject. */
export function patternsOverlap(left: string, right: string): boolean {
  const a = left.split(".");
  const b = right.split(".");
  for (let index = 0;; index++) {
    if (a[index] === ">" || b[index] === ">") {
      return a[index] !== undefined && b[index] !== undefined;
    }
    if (a[index] === undefined || b[index] === undefined) {
      return a[index] === b[index];
    }
    if (a[index] !== "*" && b[index] !== "*" && a[index] !== b[index]) {
      return false;
    }
  }
}

function latticePrefix(lattice: string | undefined): string {
  try {
    return new LatticeSubjects(lattice).prefix;
  } catch (error) {
    throw new TypeError(
      `Invalid --lattice "${lattice}": use lower-case letters and digits`,
      { cause: error },
    );
  }
}

function checkSubject(
  flag: BridgeFlag,
  subject: string,
  options: LeafConfigOptions,
): void {
  try {
    assertPattern(subject, "bridge");
  } catch (error) {
    const reason = String((error as Error).message)
      .replace(`Cannot bridge "${subject}": `, "");
    throw new TypeError(`Invalid ${flag} "${subject}": ${reason}`, {
      cause: error,
    });
  }
  const first = subject.split(".")[0];
  if (first === ">") {
    invalid(flag, subject, "it would bridge every subject, replies included");
  }
  if (RESERVED_TOKENS.includes(first)) {
    invalid(flag, subject, `"${first}" subjects belong to the servers`);
  }
  const exported = flag.startsWith("--export");
  if (exported && patternsOverlap(subject, JETSTREAM_API)) {
    if (options.jetstreamDomain === undefined) {
      invalid(flag, subject, "the JetStream API crosses only in a domain");
    }
  }
}

// The message names a subject the user gave before a default it hits, so
// that it points at the option to change.
function checkOverlaps(bridged: BridgedSubject[]): void {
  bridged.forEach((later, index) => {
    const earlier = bridged
      .slice(0, index)
      .find((entry) => patternsOverlap(entry.subject, later.subject));
    if (earlier === undefined) return;
    const [given, other] = later.byDefault && !earlier.byDefault
      ? [earlier, later]
      : [later, earlier];
    const origin = other.byDefault ? " (a default)" : "";
    invalid(
      given.flag,
      given.subject,
      `it overlaps ${other.flag} "${other.subject}"${origin}; ` +
        "a subject may cross one way only, as a stream or as a service",
    );
  });
}

function invalid(flag: string, subject: string, reason: string): never {
  throw new TypeError(`Invalid ${flag} "${subject}": ${reason}`);
}
