/**
 * Hosts as separate `trellis up --nats` processes, for the lattice tests
 * that run them against a real nats-server: start one on a manifest and
 * wait until it is ready (and its link up), reach its actor over HTTP.
 */
import { join } from "node:path";
import { testActor } from "./actors.ts";
import { type CliProcess, startCli } from "./cli_harness.ts";
import { signActor } from "./sign.ts";

/** The line `trellis up` prints once it serves. */
export const READY = /^trellis ready /;
/** The log line of the link coming up. */
export const LINK_UP = /"msg":"link changed".*"state":"up"/;
/** The log line of the link found down. */
export const LINK_DOWN = /"msg":"link changed".*"state":"down"/;

/** How to start one host process. */
export interface HostProcessOptions {
  /** The `--nats` URLs. */
  nats: string;
  /** A directory the manifest and the data directory go in. */
  dir: string;
  /** Names the manifest file and the data directory. */
  name: string;
  /** Manifest text. */
  manifest: string;
  /** More `trellis up` flags. */
  flags?: string[];
  /** Whether to wait for the link to come up (default true). */
  linkUp?: boolean;
}

/**
 * Starts `trellis up --nats …` with JSON logs and a 300 ms heartbeat;
 * resolves once it printed its ready line and, unless `linkUp` is false,
 * logged its link up.
 */
export async function startHostProcess(
  options: HostProcessOptions,
): Promise<CliProcess> {
  const manifestFile = join(options.dir, `${options.name}.yaml`);
  await Deno.writeTextFile(manifestFile, options.manifest);
  const process = startCli([
    "up",
    "--nats",
    options.nats,
    "--manifest",
    manifestFile,
    "--data-dir",
    join(options.dir, options.name),
    "--log-format",
    "json",
    "--heartbeat",
    "300ms",
    ...options.flags ?? [],
  ]);
  try {
    await process.waitForLine(READY, 60_000);
    if (options.linkUp ?? true) await process.waitForLog(LINK_UP, 10_000);
  } catch (error) {
    process.kill();
    throw error;
  }
  return process;
}

/** Stops host processes with SIGTERM, killing any that lingers. */
export async function stopHostProcesses(processes: CliProcess[]) {
  for (const process of processes.splice(0)) {
    process.signal("SIGTERM");
    await process.exit(15_000).catch(() => process.kill());
  }
}

/** The echo test actor, signed and written to `dir`. */
export async function echoActorFile(
  dir: string,
): Promise<{ file: string; key: string }> {
  const actor = await signActor(await testActor("echo"), {
    name: "echo",
    caps: ["wascc:http_server"],
  });
  const file = join(dir, "echo.wasm");
  await Deno.writeFile(file, actor.bytes);
  return { file, key: actor.key };
}

/**
 * A manifest running the actor in `actorFile` with the HTTP server
 * provider on the same host, bound on 127.0.0.1:`port`: its calls never
 * need the lattice.
 */
export function localHttpManifest(
  actorFile: string,
  actorKey: string,
  port: number,
): string {
  return `actors:\n  - ${actorFile}\n` +
    `capabilities:\n  - id: "wascc:http_server"\n` +
    `bindings:\n  - actor: ${actorKey}\n` +
    `    capability: "wascc:http_server"\n` +
    `    values: { PORT: "${port}", HOST: "127.0.0.1" }\n`;
}

/** POSTs `body` to 127.0.0.1:`port`, retrying until it listens. */
export async function postUntilServed(
  port: number,
  body: string,
  timeoutMs = 10_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await fetch(`http://127.0.0.1:${port}/echo`, {
        method: "POST",
        body,
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Resolves once `check` holds; rejects after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
