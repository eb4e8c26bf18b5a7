/**
 * Turns a parsed YAML document into the parts of a manifest, collecting
 * every problem with the line and key path it concerns.
 *
 * @module
 */

import { isMap, isScalar, isSeq } from "../deps.ts";
import type { parseDocument } from "../deps.ts";
import type {
  ManifestActor,
  ManifestBinding,
  ManifestCapability,
  ManifestIssue,
} from "./manifest.ts";
import {
  type Context,
  deref,
  describe,
  type Entry,
  isEmpty,
  lineOf,
  MAX_ALIASES,
  q,
  readFields,
  readString,
  readStringMap,
  report,
} from "./manifest_nodes.ts";
import { readBindingName, readModuleKey, readName } from "./manifest_names.ts";
import { findRepeats } from "./manifest_repeats.ts";
import { resolve } from "node:path";

/** The validated contents of a manifest and the problems found. */
export interface ValidatedParts {
  labels: Record<string, string>;
  actors: ManifestActor[];
  capabilities: ManifestCapability[];
  bindings: ManifestBinding[];
  issues: ManifestIssue[];
}

const NATIVE_LIBRARY = /\.(so(\.\d+)*|dylib|dll)$/i;
const PLUGIN_MODULE = /\.(ts|js|mjs)$/i;
const WASM_MODULE = /\.wasm$/i;
const RESERVED_LABEL = /^hostcore\./i;

/**
 * Validates a parsed manifest. Relative paths resolve against `directory`;
 * `lineAt` turns an offset in the parsed text into a line of the file.
 */
export function validateDocument(
  doc: ReturnType<typeof parseDocument>,
  directory: string,
  lineAt: (offset: number) => number,
): ValidatedParts {
  const ctx: Context = {
    doc,
    directory,
    lineAt,
    issues: [],
    aliasesLeft: MAX_ALIASES,
  };
  const parts: ValidatedParts = {
    labels: {},
    actors: [],
    capabilities: [],
    bindings: [],
    issues: ctx.issues,
  };

  const root = deref(ctx, doc.contents);
  if (isEmpty(root)) return parts;
  if (!isMap(root)) {
    const got = describe(root);
    report(ctx, root, undefined, `the manifest must be a mapping, got ${got}`);
    return parts;
  }

  const fields = readFields(ctx, root, "", [
    "labels",
    "actors",
    "capabilities",
    "bindings",
  ]);
  if (fields.labels) parts.labels = readLabels(ctx, fields.labels);
  parts.actors = readList(ctx, fields.actors, readActor);
  parts.capabilities = readList(ctx, fields.capabilities, readCapability);
  parts.bindings = readList(ctx, fields.bindings, readBinding);

  ctx.issues.push(...findRepeats(parts));
  return parts;
}

function readLabels(ctx: Context, entry: Entry): Record<string, string> {
  return readStringMap(ctx, deref(ctx, entry.value), entry.path, (label) => {
    if (!RESERVED_LABEL.test(label.name)) return;
    report(
      ctx,
      label.key,
      label.path,
      `${q(label.path)} uses the reserved prefix "hostcore."`,
    );
  });
}

function readList<T>(
  ctx: Context,
  entry: Entry | undefined,
  readItem: (ctx: Context, node: unknown, path: string) => T | undefined,
): T[] {
  const node = deref(ctx, entry?.value);
  if (entry === undefined || isEmpty(node)) return [];
  if (!isSeq(node)) {
    const message = `${q(entry.path)} must be a list, got ${describe(node)}`;
    report(ctx, node, entry.path, message);
    return [];
  }

  const items: T[] = [];
  for (const [index, item] of node.items.entries()) {
    const value = readItem(ctx, deref(ctx, item), `${entry.path}[${index}]`);
    if (value !== undefined) items.push(value);
  }
  return items;
}

function readActor(
  ctx: Context,
  node: unknown,
  path: string,
): ManifestActor | undefined {
  const line = lineOf(ctx, node) ?? 1;
  if (isScalar(node) && typeof node.value === "string") {
    const file = readPath(ctx, { name: "", path, key: node, value: node });
    if (file === undefined) return undefined;
    return { path: file, instances: 1, force: false, line };
  }
  if (!isMap(node)) {
    const message = `${q(path)} must be a path or a mapping with "path", ` +
      `got ${describe(node)}`;
    report(ctx, node, path, message);
    return undefined;
  }

  const fields = readFields(ctx, node, path, [
    "path",
    "instances",
    "force",
    "queue_limit",
  ]);
  const file = required(ctx, node, path, fields, "path", readPath);
  const instances = fields.instances ? readCount(ctx, fields.instances) : 1;
  const force = fields.force ? readBoolean(ctx, fields.force) : false;
  const queueLimit = fields.queue_limit
    ? readCount(ctx, fields.queue_limit)
    : undefined;
  if (file === undefined || instances === undefined) return undefined;
  if (force === undefined) return undefined;
  if (fields.queue_limit && queueLimit === undefined) return undefined;
  return {
    path: file,
    instances,
    force,
    line,
    ...(queueLimit === undefined ? {} : { queueLimit }),
  };
}

function readCapability(
  ctx: Context,
  node: unknown,
  path: string,
): ManifestCapability | undefined {
  const line = lineOf(ctx, node) ?? 1;
  if (!isMap(node)) {
    const message = `${q(path)} must be a mapping with "id" or "path", ` +
      `got ${describe(node)}`;
    report(ctx, node, path, message);
    return undefined;
  }

  const fields = readFields(ctx, node, path, ["id", "path", "binding_name"]);
  const binding = readBindingName(ctx, fields.binding_name);
  if (fields.id && fields.path) {
    report(ctx, node, path, `${q(path)} must have "id" or "path", not both`);
    return undefined;
  }
  if (fields.id) {
    const id = readName(ctx, fields.id);
    if (id === undefined || binding === undefined) return undefined;
    return { kind: "builtin", id, binding, line };
  }
  if (fields.path) {
    const file = readProviderPath(ctx, fields.path);
    if (file === undefined || binding === undefined) return undefined;
    return file.kind === "plugin"
      ? { kind: "plugin", path: file.path, binding, line }
      : { kind: "wasm", path: file.path, binding, line };
  }

  const message = `${q(path)} must have "id" (a built-in capability) ` +
    `or "path" (a provider module)`;
  report(ctx, node, path, message);
  return undefined;
}

function readBinding(
  ctx: Context,
  node: unknown,
  path: string,
): ManifestBinding | undefined {
  const line = lineOf(ctx, node) ?? 1;
  if (!isMap(node)) {
    const message = `${q(path)} must be a mapping, got ${describe(node)}`;
    report(ctx, node, path, message);
    return undefined;
  }

  const fields = readFields(ctx, node, path, [
    "actor",
    "capability",
    "binding",
    "values",
  ]);
  const actor = required(ctx, node, path, fields, "actor", readModuleKey);
  const capability = required(ctx, node, path, fields, "capability", readName);
  const binding = readBindingName(ctx, fields.binding);
  const values = fields.values &&
    readStringMap(ctx, deref(ctx, fields.values.value), fields.values.path);
  if (!actor || !capability || !binding) return undefined;
  return { actor, capability, binding, values: values ?? {}, line };
}

function required<T>(
  ctx: Context,
  node: unknown,
  path: string,
  fields: Record<string, Entry | undefined>,
  name: string,
  read: (ctx: Context, entry: Entry) => T | undefined,
): T | undefined {
  const entry = fields[name];
  if (entry) return read(ctx, entry);
  report(ctx, node, `${path}.${name}`, `${q(`${path}.${name}`)} is required`);
  return undefined;
}

function readPath(ctx: Context, entry: Entry): string | undefined {
  const text = readString(ctx, entry);
  if (text === undefined) return undefined;
  if (text.trim() !== "") return resolve(ctx.directory, text);
  report(ctx, entry.value, entry.path, `${q(entry.path)} must not be empty`);
  return undefined;
}

function readProviderPath(
  ctx: Context,
  entry: Entry,
): { kind: "plugin" | "wasm"; path: string } | undefined {
  const file = readPath(ctx, entry);
  if (file === undefined) return undefined;
  if (PLUGIN_MODULE.test(file)) return { kind: "plugin", path: file };
  if (WASM_MODULE.test(file)) return { kind: "wasm", path: file };

  const message = NATIVE_LIBRARY.test(file)
    ? `${q(entry.path)} names a native library ${describe(entry.value)}; ` +
      "native plugins are not supported, use a .ts, .js or .wasm provider"
    : `${q(entry.path)} must end in .ts, .js, .mjs or .wasm, ` +
      `got ${describe(entry.value)}`;
  report(ctx, entry.value, entry.path, message);
  return undefined;
}

function readCount(ctx: Context, entry: Entry): number | undefined {
  const node = deref(ctx, entry.value);
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) {
    return value;
  }
  const message = `${q(entry.path)} must be a whole number of at least 1, ` +
    `got ${describe(node)}`;
  report(ctx, node ?? entry.key, entry.path, message);
  return undefined;
}

function readBoolean(ctx: Context, entry: Entry): boolean | undefined {
  const node = deref(ctx, entry.value);
  if (isScalar(node) && typeof node.value === "boolean") return node.value;
  const message = `${q(entry.path)} must be true or false, ` +
    `got ${describe(node)}`;
  report(ctx, node ?? entry.key, entry.path, message);
  return undefined;
}
