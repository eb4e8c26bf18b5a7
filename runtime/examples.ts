/**
 * Examples built into a single-file build: signed modules and a manifest
 * template, so that `trellis up --example NAME` runs a complete example
 * with no other file. A build from source has none; `scripts/bundle.ts`
 * registers them in what it bundles.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { expandEnv } from "./manifest_env.ts";
import { writeDurably } from "./module_cache.ts";

/** An example as a build carries it. */
export interface EmbeddedExample {
  /** The manifest, with `${VAR:default}` references left in. */
  manifest: string;
  /** Signed modules by file name, base64. */
  modules: Record<string, string>;
}

const examples = new Map<string, EmbeddedExample>();

/** Makes an example available to `up --example`. */
export function registerExample(name: string, example: EmbeddedExample) {
  examples.set(name, example);
}

/** The names of the examples this build carries. */
export function exampleNames(): string[] {
  return [...examples.keys()];
}

/**
 * Writes example `name` into `dir` (its modules, and `manifest.yaml` with
 * `vars` and the environment filled in) and returns the manifest's path.
 */
export async function writeExample(
  name: string,
  dir: string,
  vars: Record<string, string> = {},
): Promise<string> {
  const example = examples.get(name);
  if (!example) {
    const carried = exampleNames();
    throw new Error(
      `Cannot run example "${name}": ` +
        (carried.length
          ? `this build carries ${carried.map((n) => `"${n}"`).join(", ")}`
          : "this build carries none (a clone runs `deno task start`)"),
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const [file, base64] of Object.entries(example.modules)) {
    await writeDurably(join(dir, file), Buffer.from(base64, "base64"));
  }
  const expansion = expandEnv(
    example.manifest,
    (variable) => vars[variable] ?? Deno.env.get(variable),
  );
  if (expansion.problems.length > 0) {
    throw new Error(
      `Cannot run example "${name}": ${expansion.problems[0].message}`,
    );
  }
  const path = join(dir, "manifest.yaml");
  await writeDurably(path, new TextEncoder().encode(expansion.text));
  return path;
}
