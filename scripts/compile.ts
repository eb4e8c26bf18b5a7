/**
 * `deno task compile [--target TARGET]`: one executable of trellis, built
 * from the single-file bundle (`deno task bundle`, run first), with the
 * examples embedded and least-privilege permissions baked in. Writes
 * `dist/trellis-<TARGET>`. TARGET is `aarch64-unknown-linux-gnu` (Raspberry
 * Pi OS 64-bit) or `x86_64-unknown-linux-gnu`; the default is this
 * machine's.
 *
 * `deno compile` needs the Deno runtime for TARGET (`denort`). It fetches
 * it from the internet, or takes it from `DENORT_BIN`. Where neither
 * works this fails with one line saying so. A binary built for this
 * machine is run with `--version` before it is kept: a `DENORT_BIN`
 * pointing at something else than denort (such as the `deno` binary, which
 * yields a REPL) fails here rather than on a device.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags } from "../runtime/flags.ts";
import { bundle } from "./bundle.ts";

const repoDir = fileURLToPath(new URL("../", import.meta.url));

/** The targets trellis ships for. */
export const TARGETS = [
  "aarch64-unknown-linux-gnu",
  "x86_64-unknown-linux-gnu",
] as const;

/**
 * What the binary may do: read and write its files (data directory,
 * manifest, sysfs sensors, serial devices), use the network (NATS, HTTP),
 * read its environment, and run `systemd-notify` and `stty`. No FFI, no
 * other programs.
 */
export const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-run=systemd-notify,stty",
];

/** Compiles `dist/trellis.js` for `target`; returns the binary's path. */
export async function compile(target: string): Promise<string> {
  const bundled = await bundle();
  const output = join(repoDir, "dist", `trellis-${target}`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--target",
      target,
      "--output",
      output,
      "--no-check",
      ...PERMISSIONS,
      bundled,
    ],
    cwd: repoDir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(explain(new TextDecoder().decode(stderr), target));
  }
  if (target === hostTarget()) await checkIsTrellis(output);
  return output;
}

/** The target of the machine this runs on. */
export function hostTarget(): string {
  return Deno.build.target;
}

function explain(stderr: string, target: string): string {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    return `Cannot compile for ${target} with DENORT_BIN="${denort}": ` +
      lastLine(stderr);
  }
  if (/dns error|download|error sending request|connect/i.test(stderr)) {
    return `Cannot compile for ${target}: the Deno runtime (denort) ` +
      "cannot be downloaded here; set DENORT_BIN to a denort binary " +
      `for ${target} (same Deno version)`;
  }
  return `Cannot compile for ${target}: ${lastLine(stderr)}`;
}

async function checkIsTrellis(binary: string): Promise<void> {
  const { stdout } = await new Deno.Command(binary, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const said = new TextDecoder().decode(stdout).trim();
  if (!/^trellis \d/.test(said)) {
    await Deno.remove(binary).catch(() => {});
    throw new Error(
      `Cannot compile: the binary built is not trellis (its --version ` +
        `says "${said.split("\n")[0]}"); DENORT_BIN must point at denort, ` +
        "not at deno",
    );
  }
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !/^\d+: |Stack backtrace/.test(line));
  // Deno colours its errors; the escape codes have no place in one line.
  const escape = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
  return lines.at(-1)?.replace(escape, "") ?? "failed";
}

if (import.meta.main) {
  const flags = parseFlags(Deno.args, { target: "string" });
  const target = flags.strings.target ?? hostTarget();
  if (!(TARGETS as readonly string[]).includes(target)) {
    console.error(`Unknown --target "${target}": ${TARGETS.join(" or ")}`);
    Deno.exit(2);
  }
  try {
    console.log(await compile(target));
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
