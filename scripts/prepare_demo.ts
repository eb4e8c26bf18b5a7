/**
 * Gets the demo ready to run: builds the example actors, signs them with
 * the demo account and writes the demo manifest, all in a state directory
 * (`.cache/demo` by default).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signModule } from "../runtime/claims_sign.ts";
import type { KeyPair } from "../runtime/ed25519.ts";
import type { Logger } from "../runtime/logger.ts";
import { silentLogger } from "../runtime/logger.ts";
import { expandEnv } from "../runtime/manifest_env.ts";
import { parseManifest } from "../runtime/manifest.ts";
import { buildActor } from "./build_actor.ts";
import { loadOrCreateKey } from "./demo_keys.ts";

/** Where the demo lives and how it listens. */
export interface DemoOptions {
  /** Keys, signed modules and the manifest go here. */
  stateDir: string;
  /** Address both HTTP listeners bind to, such as `127.0.0.1`. */
  host: string;
  /** Echo listens on `port`, counter on `port + 1`. */
  port: number;
  /** Receives build and signing progress. */
  logger?: Logger;
}

/** A demo ready for `trellis up`. */
export interface PreparedDemo {
  /** The written manifest, its references filled in. */
  manifestPath: string;
  /** Module public key of each actor, by name. */
  actors: Record<DemoActorName, string>;
}

/** The example actors the demo runs. */
export type DemoActorName = "echo" | "counter";

const repoDir = fileURLToPath(new URL("../", import.meta.url));

/** The demo manifest template, with `${VAR}` references. */
export const DEMO_TEMPLATE = join(repoDir, "examples", "demo", "manifest.yaml");

/** The capabilities each demo actor is signed for. */
export const DEMO_CAPS: Readonly<Record<DemoActorName, readonly string[]>> = {
  echo: ["wascc:http_server"],
  counter: ["wascc:http_server", "wascc:keyvalue"],
};

/**
 * Builds (or takes from the build cache) and signs each demo actor into
 * `stateDir/<name>.wasm`, with the account key `stateDir/keys/account.nk`
 * and the module key `stateDir/keys/<name>.nk` (both created on first
 * use), then writes `stateDir/manifest.yaml` from {@linkcode DEMO_TEMPLATE}.
 *
 * @throws {SyntaxError} when an actor does not compile.
 * @throws {TypeError} when a key file holds something else than a seed of
 * the expected kind.
 */
export async function prepareDemo(
  options: DemoOptions,
): Promise<PreparedDemo> {
  const logger = options.logger ?? silentLogger;
  const keysDir = join(options.stateDir, "keys");
  const account = await loadOrCreateKey(join(keysDir, "account.nk"), "account");

  const names = Object.keys(DEMO_CAPS) as DemoActorName[];
  const keys = await Promise.all(
    names.map((name) => signDemoActor(name, account, options.stateDir, logger)),
  );
  const actors = Object.fromEntries(
    names.map((name, index) => [name, keys[index]]),
  ) as Record<DemoActorName, string>;

  const manifestPath = join(options.stateDir, "manifest.yaml");
  const manifest = await renderManifest(manifestPath, actors, options);
  await writeAtomically(manifestPath, new TextEncoder().encode(manifest));
  logger.info("manifest written", { path: manifestPath });
  return { manifestPath, actors };
}

async function signDemoActor(
  name: DemoActorName,
  account: KeyPair,
  stateDir: string,
  logger: Logger,
): Promise<string> {
  const started = performance.now();
  const bytes = await buildActor(join(repoDir, "examples", name), { logger });
  const subject = await loadOrCreateKey(
    join(stateDir, "keys", `${name}.nk`),
    "module",
  );
  const signed = await signModule(bytes, {
    issuer: account,
    subject,
    name,
    caps: [...DEMO_CAPS[name]],
    tags: ["demo"],
  });
  await writeAtomically(join(stateDir, `${name}.wasm`), signed);

  const ms = Math.round(performance.now() - started);
  logger.info("actor signed", {
    actor: name,
    key: subject.publicKey,
    caps: DEMO_CAPS[name].join(","),
    ms,
  });
  return subject.publicKey;
}

// The references are filled in here rather than by the host, so that the
// written manifest stands on its own; parsing it catches a broken template
// before the host starts.
async function renderManifest(
  path: string,
  actors: Record<DemoActorName, string>,
  options: DemoOptions,
): Promise<string> {
  const values: Record<string, string> = {
    ECHO_ACTOR: actors.echo,
    COUNTER_ACTOR: actors.counter,
    DEMO_HOST: options.host,
    ECHO_PORT: String(options.port),
    COUNTER_PORT: String(options.port + 1),
  };
  const template = await Deno.readTextFile(DEMO_TEMPLATE);
  const expansion = expandEnv(template, (name) => values[name]);
  if (expansion.problems.length > 0) {
    throw new TypeError(
      `Cannot write demo manifest from "${DEMO_TEMPLATE}": ` +
        expansion.problems[0].message,
    );
  }
  parseManifest(expansion.text, { path, env: {} });
  return expansion.text;
}

// Readers never see a half-written file: the bytes go to a unique
// temporary name first and are renamed into place.
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
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
