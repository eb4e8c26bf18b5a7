/**
 * Builds AssemblyScript actors into waPC modules and caches each build
 * under the hash of its inputs.
 *
 * ```sh
 * deno run -A scripts/build_actor.ts DIR… [-o OUT] [--no-optimize]
 * ```
 *
 * Without `-o` each module goes to `DIR/build/<name>.wasm`; with one DIR,
 * `-o file.wasm` names the file; otherwise OUT is a directory.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadActorToolchainVersions } from "../deps.ts";
import type { Logger } from "../runtime/logger.ts";
import { silentLogger } from "../runtime/logger.ts";
import { collectSources } from "./actor_sources.ts";
import { compileActor, compilerFlags } from "./compile_actor.ts";

/** How {@linkcode buildActor} builds and where it keeps its cache. */
export interface BuildOptions {
  /** Where built modules are kept; default `<repo>/.cache/actors`. */
  cacheDir?: string;
  /** Optimize for speed (`-O3`); default true. False builds faster. */
  optimize?: boolean;
  /** Receives `actor built` and `actor build cached` lines. */
  logger?: Logger;
}

const repoDir = fileURLToPath(new URL("../", import.meta.url));
const inFlight = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * Compiles the AssemblyScript actor in `dir` (entry `dir/assembly/index.ts`
 * or `dir/index.ts`) to a waPC module, reusing a cached build when the
 * sources, the compiler and library versions and the options hash the
 * same. The sources are every `.ts` file under `dir` plus the files they
 * import by relative path. Returns the unsigned module bytes.
 *
 * @throws {SyntaxError} when the compiler reports errors; the message names
 * the dir and quotes the diagnostics.
 * @throws {TypeError} when `dir` has no entry file or the module is not a
 * waPC guest (it imports outside `wapc` and WASI, or lacks an export).
 */
export async function buildActor(
  dir: string,
  options: BuildOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const optimize = options.optimize ?? true;
  const logger = options.logger ?? silentLogger;
  const cacheDir = options.cacheDir ?? join(repoDir, ".cache", "actors");
  const entry = await findEntry(dir);
  const key = await cacheKey(dir, entry, optimize);
  const cachePath = join(cacheDir, `${basename(resolve(dir))}-${key}.wasm`);

  const started = performance.now();
  const cached = await readIfPresent(cachePath);
  if (cached) {
    const ms = Math.round(performance.now() - started);
    logger.debug("actor build cached", { dir, ms, bytes: cached.length });
    return cached;
  }

  let build = inFlight.get(cachePath);
  if (!build) {
    build = compileAndStore(dir, entry, optimize, cachePath);
    inFlight.set(cachePath, build);
    build.finally(() => inFlight.delete(cachePath)).catch(() => {});
  }
  const bytes = await build;
  const ms = Math.round(performance.now() - started);
  logger.info("actor built", { dir, ms, bytes: bytes.length });
  return bytes;
}

async function findEntry(dir: string): Promise<string> {
  for (const entry of ["assembly/index.ts", "index.ts"]) {
    if (await isFile(join(dir, entry))) return entry;
  }
  throw new TypeError(
    `Cannot build actor "${dir}": no assembly/index.ts or index.ts in it`,
  );
}

// The key covers everything that changes the output: compiler and library
// versions, the build flags and each source's path and content.
async function cacheKey(
  dir: string,
  entry: string,
  optimize: boolean,
): Promise<string> {
  const versions = await loadActorToolchainVersions();
  const flags = compilerFlags(entry, optimize);
  const sources = await collectSources(dir);

  const parts: (string | Uint8Array)[] = [
    JSON.stringify({ versions, entry, flags }),
  ];
  for (const [path, content] of sources) {
    parts.push(`\0${path}\0${content.length}\0`, content);
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    await new Blob(parts as BlobPart[]).arrayBuffer(),
  );
  return Array.from(new Uint8Array(digest).subarray(0, 16))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

async function compileAndStore(
  dir: string,
  entry: string,
  optimize: boolean,
  cachePath: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await compileActor(dir, entry, {
    optimize,
    nodeModules: join(repoDir, "node_modules"),
  });
  checkGuest(dir, bytes);
  await writeAtomically(cachePath, bytes);
  return bytes;
}

const importModules = ["wapc", "wasi_snapshot_preview1", "wasi_unstable"];

function checkGuest(dir: string, bytes: Uint8Array<ArrayBuffer>): void {
  const module = new WebAssembly.Module(bytes);
  const foreign = WebAssembly.Module.imports(module)
    .filter((item) => !importModules.includes(item.module))
    .map((item) => `"${item.module}.${item.name}"`);
  if (foreign.length > 0) {
    throw new TypeError(
      `Cannot build actor "${dir}": it imports ${foreign.join(", ")}; ` +
        `a waPC guest may import only from "wapc" and WASI`,
    );
  }

  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  const missing = ["memory", "__guest_call"].filter(
    (name) => !exported.includes(name),
  );
  if (missing.length > 0) {
    throw new TypeError(
      `Cannot build actor "${dir}": it does not export "${missing[0]}"`,
    );
  }
}

// Readers never see a half-written file: the bytes go to a unique
// temporary name first and are renamed into place.
async function writeAtomically(
  path: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const temporary = `${path}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

async function readIfPresent(
  path: string,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

interface CliArguments {
  dirs: string[];
  out?: string;
  optimize: boolean;
}

function parseArguments(args: string[]): CliArguments {
  const parsed: CliArguments = { dirs: [], optimize: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-o" || arg === "--out") parsed.out = args[++i];
    else if (arg === "--no-optimize") parsed.optimize = false;
    else if (arg.startsWith("-")) {
      throw new TypeError(`Cannot parse arguments: unknown option "${arg}"`);
    } else parsed.dirs.push(arg);
  }
  if (parsed.dirs.length === 0 || ("out" in parsed && !parsed.out)) {
    throw new TypeError(
      "Cannot parse arguments: usage: build_actor.ts DIR… [-o OUT] " +
        "[--no-optimize]",
    );
  }
  return parsed;
}

function outputPath(dir: string, parsed: CliArguments): string {
  const name = `${basename(resolve(dir))}.wasm`;
  if (!parsed.out) return join(dir, "build", name);
  if (parsed.dirs.length === 1 && parsed.out.endsWith(".wasm")) {
    return parsed.out;
  }
  return join(parsed.out, name);
}

async function main(args: string[]): Promise<number> {
  const parsed = parseArguments(args);
  for (const dir of parsed.dirs) {
    const started = performance.now();
    const bytes = await buildActor(dir, { optimize: parsed.optimize });
    const path = outputPath(dir, parsed);
    await writeAtomically(path, bytes);
    const ms = Math.round(performance.now() - started);
    console.log(`${dir} -> ${path} (${bytes.length} bytes, ${ms} ms)`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
