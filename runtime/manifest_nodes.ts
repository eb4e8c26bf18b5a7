/**
 * Reading YAML nodes for the manifest validator: each reader either
 * returns a value or records an issue naming the key path and line.
 *
 * @module
 */

import { isAlias, isMap, isScalar, isSeq } from "../deps.ts";
import type { parseDocument } from "../deps.ts";
import type { ManifestIssue } from "./manifest.ts";

type YamlDocument = ReturnType<typeof parseDocument>;

/** State shared by the readers of one document. */
export interface Context {
  doc: YamlDocument;
  /** Absolute directory that relative paths resolve against. */
  directory: string;
  /** Maps an offset in the parsed text to a 1-based line of the file. */
  lineAt(offset: number): number;
  issues: ManifestIssue[];
  aliasesLeft: number;
}

/** One key of a mapping with its value node. */
export interface Entry {
  name: string;
  /** Key path of the value, such as `actors[1].instances`. */
  path: string;
  key: unknown;
  value: unknown;
}

/** Most alias dereferences allowed in one document. */
export const MAX_ALIASES = 100;

/** Records an issue at the node's line. */
export function report(
  ctx: Context,
  node: unknown,
  key: string | undefined,
  message: string,
): void {
  const line = lineOf(ctx, node);
  ctx.issues.push({ line, key, message });
}

/** 1-based line of a node in the original file, if the node has a range. */
export function lineOf(ctx: Context, node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? ctx.lineAt(range[0]) : undefined;
}

/** Follows an alias to the node it names. */
export function deref(ctx: Context, node: unknown): unknown {
  if (!isAlias(node)) return node;
  ctx.aliasesLeft--;
  if (ctx.aliasesLeft === -1) {
    report(ctx, node, undefined, `more than ${MAX_ALIASES} alias references`);
  }
  return ctx.aliasesLeft < 0 ? null : node.resolve(ctx.doc);
}

/** A missing value, or an explicit YAML null. */
export function isEmpty(node: unknown): boolean {
  return node === null || node === undefined ||
    (isScalar(node) && node.value === null);
}

/** Says what a node is, for "got …" in messages. */
export function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node) && node.value === null) return "null";
  if (!isScalar(node)) return "nothing";
  if (typeof node.value === "string") return quote(node.value);
  const text = scalarText(node);
  return text === undefined ? "a value of another type" : text;
}

/** Quotes a value for a message, shortening it past 80 characters. */
export function quote(value: string): string {
  return JSON.stringify(
    value.length > 80 ? `${value.slice(0, 77)}...` : value,
  );
}

/**
 * The text of a string, number or boolean scalar, non-strings as written
 * in the file (`08081` stays `08081`).
 */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const { value } = node;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return node.source ?? String(value);
  }
  return undefined;
}

/** Extends a key path: `labels.site`, `labels['hostcore.os']`. */
export function keyPath(parent: string, name: string): string {
  if (/^[A-Za-z_][\w-]*$/.test(name)) {
    return parent === "" ? name : `${parent}.${name}`;
  }
  return `${parent}[${quote(name).replace(/^"|"$/g, "'")}]`;
}

/** Lists a mapping's keys, reporting keys that are not text or repeat. */
export function readEntries(
  ctx: Context,
  map: unknown,
  path: string,
): Entry[] {
  if (!isMap(map)) return [];
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const pair of map.items) {
    const key = deref(ctx, pair.key);
    const name = scalarText(key);
    if (name === undefined || name === "") {
      const what = name === "" ? "an empty key" : "a key that is not text";
      report(ctx, key ?? map, path, `${q(path)} has ${what}`);
      continue;
    }

    const entryPath = keyPath(path, name);
    if (seen.has(name)) {
      report(ctx, key, entryPath, `${q(entryPath)} is given twice`);
      continue;
    }
    seen.add(name);
    entries.push({
      name,
      path: entryPath,
      key,
      value: deref(ctx, pair.value),
    });
  }
  return entries;
}

/** Reads a mapping with a fixed set of keys, reporting unknown ones. */
export function readFields(
  ctx: Context,
  map: unknown,
  path: string,
  known: string[],
): Record<string, Entry | undefined> {
  const fields: Record<string, Entry | undefined> = {};
  for (const entry of readEntries(ctx, map, path)) {
    if (known.includes(entry.name)) {
      fields[entry.name] = entry;
      continue;
    }
    const expected = known.map((name) => `"${name}"`).join(", ");
    report(
      ctx,
      entry.key,
      entry.path,
      `${q(entry.path)} is not a known key; expected one of ${expected}`,
    );
  }
  return fields;
}

/**
 * A mapping of text to text; numbers and booleans kept as written.
 * `checkKey` may report more about each key.
 */
export function readStringMap(
  ctx: Context,
  node: unknown,
  path: string,
  checkKey?: (entry: Entry) => void,
): Record<string, string> {
  const pairs: [string, string][] = [];
  if (isEmpty(node)) return {};
  if (!isMap(node)) {
    report(
      ctx,
      node,
      path,
      `${q(path)} must be a mapping, got ${describe(node)}`,
    );
    return {};
  }

  for (const entry of readEntries(ctx, node, path)) {
    checkKey?.(entry);
    const value = deref(ctx, entry.value);
    const text = scalarText(value);
    if (text === undefined) {
      report(
        ctx,
        value ?? entry.key,
        entry.path,
        `${q(entry.path)} must be a string, number or boolean, ` +
          `got ${describe(value)}`,
      );
      continue;
    }
    pairs.push([entry.name, text]);
  }
  return Object.fromEntries(pairs);
}

/** Reads a string value, reporting anything else. */
export function readString(
  ctx: Context,
  entry: Entry,
): string | undefined {
  const node = deref(ctx, entry.value);
  if (isScalar(node) && typeof node.value === "string") return node.value;
  report(
    ctx,
    node ?? entry.key,
    entry.path,
    `${q(entry.path)} must be a string, got ${describe(node)}`,
  );
  return undefined;
}

/** Double-quotes a key path for a message. */
export function q(path: string): string {
  return `"${path}"`;
}
