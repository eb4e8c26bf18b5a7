/**
 * Readers for the names a manifest uses: module keys, capability ids and
 * binding names.
 *
 * @module
 */

import {
  type Context,
  deref,
  describe,
  type Entry,
  isEmpty,
  q,
  readString,
  report,
} from "./manifest_nodes.ts";

const MODULE_KEY = /^M[A-Z2-7]{55}$/;
const CONTROL_CHARACTER = /\p{Cc}/u;

/** A module public key: 56 characters of A-Z and 2-7, starting with M. */
export function readModuleKey(ctx: Context, entry: Entry): string | undefined {
  const key = readString(ctx, entry);
  if (key === undefined || MODULE_KEY.test(key)) return key;
  const message = `${q(entry.path)} must be a module public key ` +
    `(56 characters of A-Z and 2-7 starting with "M"), ` +
    `got ${describe(entry.value)}`;
  report(ctx, entry.value, entry.path, message);
  return undefined;
}

/** A capability id: not blank, one line, no spaces at either end. */
export function readName(ctx: Context, entry: Entry): string | undefined {
  const name = readString(ctx, entry);
  if (name === undefined) return undefined;
  const problem = name.trim() === "" ? "must not be empty" : nameProblem(name);
  if (problem === undefined) return name;
  report(ctx, entry.value, entry.path, `${q(entry.path)} ${problem}`);
  return undefined;
}

/** A binding name: absent, null or blank means "default". */
export function readBindingName(
  ctx: Context,
  entry: Entry | undefined,
): string | undefined {
  const node = deref(ctx, entry?.value);
  if (entry === undefined || isEmpty(node)) return "default";
  const name = readString(ctx, entry);
  if (name === undefined) return undefined;
  if (name.trim() === "") return "default";
  const problem = nameProblem(name);
  if (problem === undefined) return name;
  report(ctx, node, entry.path, `${q(entry.path)} ${problem}`);
  return undefined;
}

function nameProblem(name: string): string | undefined {
  if (CONTROL_CHARACTER.test(name)) {
    return "must not contain tabs, line breaks or control characters";
  }
  if (name.trim() !== name) return "must not begin or end with a space";
  return undefined;
}
