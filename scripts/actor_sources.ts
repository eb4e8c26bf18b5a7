/**
 * Finds the source files an AssemblyScript actor is built from.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";

const skippedDirs = new Set(["node_modules", "build"]);
const relativeImport = /(?:from|import)\s*["'](\.\.?\/[^"']+)["']/g;

/**
 * The `.ts` files under `dir` and, transitively, the files they import by
 * relative path, as paths relative to `dir` (sorted) with their content.
 */
export async function collectSources(
  dir: string,
): Promise<Map<string, Uint8Array>> {
  const root = resolve(dir);
  const pending = await listTypeScript(root);
  const found = new Map<string, Uint8Array>();
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (found.has(path)) continue;
    const content = await Deno.readFile(path);
    found.set(path, content);
    pending.push(...await importedFiles(path, content));
  }

  const sorted = [...found.keys()].sort();
  return new Map(
    sorted.map((path) => [relative(root, path), found.get(path)!]),
  );
}

async function listTypeScript(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (!skippedDirs.has(entry.name) && !entry.name.startsWith(".")) {
        files.push(...await listTypeScript(path));
      }
    } else if (entry.isFile && entry.name.endsWith(".ts")) {
      files.push(path);
    }
  }
  return files;
}

async function importedFiles(
  path: string,
  content: Uint8Array,
): Promise<string[]> {
  const text = new TextDecoder().decode(content);
  const files: string[] = [];
  for (const [, specifier] of text.matchAll(relativeImport)) {
    const target = resolve(dirname(path), specifier);
    const candidates = target.endsWith(".ts")
      ? [target]
      : [`${target}.ts`, join(target, "index.ts")];
    for (const candidate of candidates) {
      if (await isFile(candidate)) {
        files.push(candidate);
        break;
      }
    }
  }
  return files;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
