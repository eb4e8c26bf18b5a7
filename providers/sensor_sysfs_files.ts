/**
 * Reading the small text files of sysfs: numbers, names and the entries of
 * a class directory, with failures that name the file.
 *
 * @module
 */
import { join } from "node:path";

/**
 * The names in `dir` matching `pattern`, in natural order (`hwmon2`
 * before `hwmon10`); none when `dir` is missing. Sysfs class entries are
 * symbolic links, so every kind of entry counts.
 */
export async function listEntries(
  dir: string,
  pattern: RegExp,
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (pattern.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new Error(`Cannot list "${dir}": ${osReason(error)}`, {
      cause: error,
    });
  }
  return names.sort(naturalOrder);
}

/** Compares names so that embedded numbers sort by value. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** The trimmed text of a file; throws naming the file. */
export async function readText(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    throw new Error(`Cannot read "${path}": ${osReason(error)}`, {
      cause: error,
    });
  }
}

/** The trimmed text of a file, or undefined when it cannot be read. */
export async function readOptionalText(
  path: string,
): Promise<string | undefined> {
  try {
    return await readText(path);
  } catch {
    return undefined;
  }
}

/** Whether a file exists (and can be looked at). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The number a file holds, such as `42500`; throws naming the file. */
export async function readNumber(path: string): Promise<number> {
  const text = await readText(path);
  const number = text === "" ? NaN : Number(text);
  if (!Number.isFinite(number)) {
    throw new Error(`Cannot read "${path}": expected a number, got "${text}"`);
  }
  return number;
}

/**
 * Prefixes for sensor ids of chips found under one class directory: the
 * chip's own name where it is unique, `<name>.<entry>` where two chips
 * share a name (entry numbers change between boots; names do not).
 */
export function chipPrefixes(
  chips: readonly { entry: string; name: string }[],
): Map<string, string> {
  const counts = new Map<string, number>();
  for (const { name } of chips) counts.set(name, (counts.get(name) ?? 0) + 1);
  return new Map(
    chips.map(({ entry, name }) => [
      entry,
      counts.get(name) === 1 ? name : `${name}.${entry}`,
    ]),
  );
}

/** `join` for a sysfs path under `root`. */
export function sysPath(root: string, ...parts: string[]): string {
  return join(root, "sys", ...parts);
}

// Deno appends the call and path ("…: readfile '/x'"); the path is already
// in our message.
function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/: [a-z_]+ '[^']*'$/, "");
}
