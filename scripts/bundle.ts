/**
 * `deno task bundle`: trellis as one self-contained JavaScript file,
 * `dist/trellis.js`, with the field station example's signed modules and
 * manifest inside, so that
 *
 *     deno run -A dist/trellis.js up --example field_station
 *
 * runs it from an empty directory with no network and no cache. npm
 * packages are inlined by `deno bundle`; trellis starts no workers, so
 * there is no second file to carry.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { embeddedFieldStation } from "./prepare_field_station.ts";

const repoDir = fileURLToPath(new URL("../", import.meta.url));
const workDir = join(repoDir, ".cache", "bundle");

/** Builds `dist/trellis.js` and returns its path. */
export async function bundle(): Promise<string> {
  await Deno.mkdir(workDir, { recursive: true });
  await writeExamples();
  const entry = join(workDir, "entry.ts");
  await Deno.writeTextFile(
    entry,
    [
      "// Written by scripts/bundle.ts: the examples first, then the CLI.",
      'import "./examples.ts";',
      'import { main } from "../../main.ts";',
      "Deno.exit(await main(Deno.args));",
      "",
    ].join("\n"),
  );
  const output = join(repoDir, "dist", "trellis.js");
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "--output", output, entry],
    cwd: repoDir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `Cannot bundle trellis: ${new TextDecoder().decode(stderr).trim()}`,
    );
  }
  return output;
}

async function writeExamples(): Promise<void> {
  const { modules, manifestTemplate } = await embeddedFieldStation();
  const encoded = Object.fromEntries(
    Object.entries(modules).map((
      [file, bytes],
    ) => [file, Buffer.from(bytes).toString("base64")]),
  );
  const example = { manifest: manifestTemplate, modules: encoded };
  await Deno.writeTextFile(
    join(workDir, "examples.ts"),
    [
      "// Written by scripts/bundle.ts: the examples this build carries.",
      'import { registerExample } from "../../runtime/examples.ts";',
      `registerExample("field_station", ${JSON.stringify(example)});`,
      "",
    ].join("\n"),
  );
}

if (import.meta.main) {
  try {
    const output = await bundle();
    const { size } = await Deno.stat(output);
    console.log(`${output} (${(size / 1024 / 1024).toFixed(2)} MiB)`);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
