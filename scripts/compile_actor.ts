/**
 * Runs the AssemblyScript compiler on one actor, in memory.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { loadAssemblyScript } from "../deps.ts";

/** How {@linkcode compileActor} compiles. */
export interface CompileOptions {
  /** `-O3` when true; no optimization passes when false. */
  optimize: boolean;
  /** The `node_modules` directory the guest libraries are installed in. */
  nodeModules: string;
}

type Asc = Awaited<ReturnType<typeof loadAssemblyScript>>;

let asc: Asc | undefined;

// The compiler keeps global state (Binaryen options), so one compilation
// runs at a time.
let queue: Promise<unknown> = Promise.resolve();

/**
 * The flags every actor is built with. Handlers register in the top-level
 * code, which is exported as `_start` for the host to call; `abort` is the
 * entry file's own function, so nothing is imported from `env`.
 */
export function compilerFlags(entry: string, optimize: boolean): string[] {
  const entryName = entry.replace(/\.ts$/, "");
  return [
    "--runtime",
    "incremental",
    "--exportStart",
    "_start",
    "--use",
    `abort=${entryName}/abort`,
    "--noColors",
    ...(optimize ? ["--optimizeLevel", "3", "--shrinkLevel", "0"] : []),
  ];
}

/**
 * Compiles `dir/entry` and returns the module bytes.
 *
 * @throws {SyntaxError} naming `dir` and quoting the diagnostics when the
 * compiler reports errors.
 */
export function compileActor(
  dir: string,
  entry: string,
  options: CompileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const run = queue.then(() => runCompiler(dir, entry, options));
  queue = run.catch(() => {});
  return run;
}

async function runCompiler(
  dir: string,
  entry: string,
  options: CompileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  asc ??= await loadAssemblyScript();
  const outFile = "actor.wasm";
  const args = [
    entry,
    "--baseDir",
    resolve(dir),
    "--outFile",
    outFile,
    "--path",
    options.nodeModules,
    ...compilerFlags(entry, options.optimize),
  ];

  let output: Uint8Array | undefined;
  const diagnostics = new TextStream();
  const result = await asc.main(args, {
    stdout: new TextStream(),
    stderr: diagnostics,
    readFile: readText,
    listFiles: listTypeScript,
    writeFile(name, contents) {
      if (name === outFile && typeof contents !== "string") output = contents;
    },
  });

  if (result.error || !output) {
    const summary = result.error?.message ?? "no module was written";
    throw new SyntaxError(
      `Cannot build actor "${dir}": ${summary}\n${diagnostics.text.trim()}`,
      { cause: result.error ?? undefined },
    );
  }
  return new Uint8Array(output);
}

async function readText(name: string, baseDir: string) {
  try {
    return await Deno.readTextFile(resolve(baseDir, name));
  } catch {
    return null;
  }
}

async function listTypeScript(dirname: string, baseDir: string) {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(join(baseDir, dirname))) {
      if (entry.isFile && /(?<!\.d)\.ts$/.test(entry.name)) {
        names.push(entry.name);
      }
    }
    return names;
  } catch {
    return null;
  }
}

/** An output stream that keeps what the compiler writes as text. */
class TextStream {
  text = "";
  #decoder = new TextDecoder();

  write(chunk: Uint8Array | string): void {
    this.text += typeof chunk === "string"
      ? chunk
      : this.#decoder.decode(chunk);
  }
}
