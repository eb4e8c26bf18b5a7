/**
 * `${VAR}` and `${VAR:default}` expansion for manifests, done on the raw
 * text before it is parsed, keeping a map from the expanded text back to
 * the original so that errors can name the line the author wrote.
 *
 * @module
 */

/** Looks a variable up; `undefined` means it is not set. */
export type EnvLookup = (name: string) => string | undefined;

/** A reference that could not be expanded. */
export interface EnvProblem {
  /** Offset of the reference in the original text. */
  offset: number;
  message: string;
}

/** The expanded text and how to find the original place of an offset. */
export interface Expansion {
  text: string;
  problems: EnvProblem[];
  /** Maps an offset in `text` to the offset in the original text. */
  originalOffset(offset: number): number;
}

interface Substitution {
  /** Start and end of the inserted value in the expanded text. */
  start: number;
  end: number;
  /** Start and end of the reference in the original text. */
  originalStart: number;
  originalEnd: number;
}

const REFERENCE = /\$\$\{|\$\{([^}\n]*)(\})?/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::(.*))?$/s;

/**
 * Replaces every `${NAME}` with the variable's value and every
 * `${NAME:default}` with the value or, when the variable is not set, the
 * default. `$${` stands for a literal `${`. A set but empty variable
 * expands to the empty string.
 */
export function expandEnv(text: string, lookup: EnvLookup): Expansion {
  const substitutions: Substitution[] = [];
  const problems: EnvProblem[] = [];
  let expanded = "";
  let copiedUpTo = 0;

  for (const match of text.matchAll(REFERENCE)) {
    const offset = match.index;
    const value = match[0] === "$${"
      ? "${"
      : resolveReference(match, lookup, (message) => {
        problems.push({ offset, message });
      });
    expanded += text.slice(copiedUpTo, offset);
    substitutions.push({
      start: expanded.length,
      end: expanded.length + value.length,
      originalStart: offset,
      originalEnd: offset + match[0].length,
    });
    expanded += value;
    copiedUpTo = offset + match[0].length;
  }
  expanded += text.slice(copiedUpTo);

  return {
    text: expanded,
    problems,
    originalOffset: (offset) => mapBack(substitutions, offset),
  };
}

function resolveReference(
  match: RegExpExecArray,
  lookup: EnvLookup,
  report: (message: string) => void,
): string {
  const [reference, inner, closing] = match;
  if (closing === undefined) {
    report(`unterminated reference "${reference}": "}" is missing`);
    return "";
  }

  const parts = NAME_AND_DEFAULT.exec(inner);
  if (parts === null) {
    report(
      `invalid reference "${reference}": a variable name is letters, ` +
        "digits and _ and does not start with a digit",
    );
    return "";
  }

  const [, name, fallback] = parts;
  const value = lookup(name);
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  report(`environment variable "${name}" is not set and has no default`);
  return "";
}

/** Offsets inside an inserted value map to the start of its reference. */
function mapBack(substitutions: Substitution[], offset: number): number {
  let low = 0;
  let high = substitutions.length - 1;
  let before: Substitution | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (substitutions[middle].start <= offset) {
      before = substitutions[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }

  if (before === undefined) return offset;
  if (offset < before.end) return before.originalStart;
  return before.originalEnd + (offset - before.end);
}
