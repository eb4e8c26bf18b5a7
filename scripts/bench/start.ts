/**
 * `start`: how long `trellis up --standalone` takes to print its ready line
 * with three actors (echo, counter and a second echo identity) bound to
 * HTTP and key-value, and its resident memory once ready. The baseline is
 * a bare `deno run` of a script that prints one line: what any Deno
 * program pays to start on this machine.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signModule } from "../../runtime/claims_sign.ts";
import { generateKeyPair } from "../../runtime/ed25519.ts";
import { exampleActor, testActor } from "../../tests/actors.ts";
import { median } from "./measure.ts";
import type { BenchRow } from "./table.ts";

const repoDir = fileURLToPath(new URL("../../", import.meta.url));
const RUNS = 5;

/** Runs `trellis up` RUNS times and keeps the median ready time. */
export async function startScenario(_seconds: number): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "trellis-bench-start-" });
  try {
    const manifest = await writeManifest(dir);
    const bare = join(dir, "bare.ts");
    await Deno.writeTextFile(bare, `console.log("ready");\n`);

    const ups: { ms: number; rssMb: number }[] = [];
    const bares: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      bares.push((await timeToLine(["run", "-A", bare], /^ready/)).ms);
      ups.push(
        await timeToLine([
          "run",
          "-A",
          join(repoDir, "main.ts"),
          "up",
          "--standalone",
          "--manifest",
          manifest,
          "--data-dir",
          join(dir, `data-${run}`),
          "--log-level",
          "warn",
        ], /^trellis ready /),
      );
    }
    const readyMs = median(ups.map((up) => up.ms));
    return [
      {
        scenario: "start",
        measure: "up with 3 actors to ready line",
        value: readyMs,
        unit: "ms",
        baseline: median(bares),
        baselineName: "bare deno run",
      },
      {
        scenario: "start",
        measure: "resident memory once ready",
        value: median(ups.map((up) => up.rssMb)),
        unit: "MB",
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeManifest(dir: string): Promise<string> {
  const account = await generateKeyPair("account");
  const actors = [
    { name: "echo", bytes: await exampleActor("echo") },
    { name: "counter", bytes: await exampleActor("counter") },
    { name: "echo2", bytes: await testActor("echo") },
  ];
  const lines = ["actors:"];
  const bindings = ["bindings:"];
  let port = 18_500 + Math.floor(Math.random() * 1000);
  for (const actor of actors) {
    const module = await generateKeyPair("module");
    const caps = ["wascc:http_server", "wascc:keyvalue"];
    const signed = await signModule(actor.bytes, {
      issuer: account,
      subject: module,
      name: actor.name,
      caps,
    });
    const file = join(dir, `${actor.name}.wasm`);
    await Deno.writeFile(file, signed);
    lines.push(`  - ${file}`);
    bindings.push(
      `  - actor: ${module.publicKey}`,
      `    capability: "wascc:http_server"`,
      `    values: { PORT: "${port++}", HOST: "127.0.0.1" }`,
      `  - actor: ${module.publicKey}`,
      `    capability: "wascc:keyvalue"`,
    );
  }
  const text = [
    ...lines,
    "capabilities:",
    `  - id: "wascc:http_server"`,
    `  - id: "wascc:keyvalue"`,
    ...bindings,
    "",
  ].join("\n");
  const path = join(dir, "host.yaml");
  await Deno.writeTextFile(path, text);
  return path;
}

// Starts `deno ARGS`, waits for a stdout line matching `ready`, reads the
// child's resident memory, then stops it.
async function timeToLine(
  args: string[],
  ready: RegExp,
): Promise<{ ms: number; rssMb: number }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: repoDir,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  let ms: number | undefined;
  while (ms === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Cannot time "${args.join(" ")}": it exited`);
    text += value;
    if (text.split("\n").some((line) => ready.test(line))) {
      ms = performance.now() - started;
    }
  }
  const rssMb = await residentMb(child.pid);
  try {
    child.kill("SIGTERM");
  } catch {
    // The bare script ends by itself once it has printed.
  }
  await reader.cancel();
  await child.status;
  return { ms, rssMb };
}

// NaN when the process is already gone.
async function residentMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`)
    .catch(() => "");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
