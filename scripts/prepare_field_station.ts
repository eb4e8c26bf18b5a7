/**
 * Gets the field station example ready to run: builds the aggregator
 * actor, signs it with keys kept in a state directory and writes the
 * manifest beside it (`.cache/field_station` by default). A bundler takes
 * the same signed module and manifest from
 * {@linkcode embeddedFieldStation} instead.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signModule } from "../runtime/claims_sign.ts";
import type { Logger } from "../runtime/logger.ts";
import { silentLogger } from "../runtime/logger.ts";
import { parseManifest } from "../runtime/manifest.ts";
import { writeDurably } from "../runtime/module_cache.ts";
import { buildActor } from "./build_actor.ts";
import { loadOrCreateKey } from "./demo_keys.ts";

const repoDir = fileURLToPath(new URL("../", import.meta.url));

/** The manifest template, with `${VAR}` references. */
export const FIELD_STATION_TEMPLATE = join(
  repoDir,
  "examples",
  "field_station",
  "manifest.yaml",
);

/** Where the aggregator's AssemblyScript sources are. */
export const AGGREGATOR_DIR = join(
  repoDir,
  "examples",
  "field_station",
  "aggregator",
);

/** The capabilities the aggregator is signed for. */
export const AGGREGATOR_CAPS: readonly string[] = [
  "wascc:http_server",
  "wascc:keyvalue",
  "wascc:messaging",
  "trellis:sensors",
];

/** The state directory used when none is given. */
export const DEFAULT_STATE_DIR = join(repoDir, ".cache", "field_station");

/** Where the keys are and who hears about progress. */
export interface SigningOptions {
  /** Keys go to `stateDir/keys` (default {@linkcode DEFAULT_STATE_DIR}). */
  stateDir?: string;
  /** Receives build and signing progress. */
  logger?: Logger;
}

/** The example as a single-file build carries it. */
export interface EmbeddedFieldStation {
  /** Signed modules by file name, as the manifest names them. */
  modules: Record<string, Uint8Array>;
  /**
   * The manifest with the actor key filled in and `${FIELD_HOST:…}`,
   * `${FIELD_PORT:…}` and `${DEVICE:…}` left for the host to expand.
   */
  manifestTemplate: string;
}

/** Where the field station is prepared and how it listens. */
export interface FieldStationOptions extends SigningOptions {
  stateDir: string;
  /** Address the page is served on, such as `127.0.0.1`. */
  host: string;
  /** Port the page is served on. */
  port: number;
}

/** A field station ready for `trellis up`. */
export interface PreparedFieldStation {
  /** The written manifest. */
  manifestPath: string;
  /** The aggregator's module public key. */
  actor: string;
}

/**
 * Builds (or takes from the build cache) and signs the aggregator with
 * the account key `stateDir/keys/account.nk` and the module key
 * `stateDir/keys/aggregator.nk`, created on first use, and returns it
 * with the manifest template. It writes nothing else.
 *
 * @throws {SyntaxError} when the actor does not compile.
 * @throws {TypeError} when a key file holds something else than a seed of
 * the expected kind.
 */
export async function embeddedFieldStation(
  options: SigningOptions = {},
): Promise<EmbeddedFieldStation> {
  const { modules, manifestTemplate } = await signFieldStation(options);
  return { modules, manifestTemplate };
}

async function signFieldStation(
  options: SigningOptions,
): Promise<EmbeddedFieldStation & { actor: string }> {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const bytes = await buildActor(AGGREGATOR_DIR, { logger });
  const keysDir = join(stateDir, "keys");
  const issuer = await loadOrCreateKey(join(keysDir, "account.nk"), "account");
  const subject = await loadOrCreateKey(
    join(keysDir, "aggregator.nk"),
    "module",
  );

  const signed = await signModule(bytes, {
    issuer,
    subject,
    name: "field station aggregator",
    caps: [...AGGREGATOR_CAPS],
    tags: ["example", "field_station"],
  });
  logger.info("actor signed", {
    actor: "aggregator",
    key: subject.publicKey,
    caps: AGGREGATOR_CAPS.join(","),
    ms: Math.round(performance.now() - started),
  });
  const template = await Deno.readTextFile(FIELD_STATION_TEMPLATE);
  return {
    actor: subject.publicKey,
    modules: { "aggregator.wasm": signed },
    manifestTemplate: fillReferences(template, {
      AGGREGATOR_ACTOR: subject.publicKey,
    }),
  };
}

/**
 * Writes the signed aggregator to `stateDir/aggregator.wasm` and the
 * manifest to `stateDir/manifest.yaml`, with the address and port filled
 * in and `${DEVICE:field-1}` left for the host to expand.
 *
 * @throws {SyntaxError} when the actor does not compile.
 * @throws {TypeError} when a key file is not a seed of the expected kind,
 * or the template does not make a valid manifest.
 */
export async function prepareFieldStation(
  options: FieldStationOptions,
): Promise<PreparedFieldStation> {
  const logger = options.logger ?? silentLogger;
  const embedded = await signFieldStation(options);
  await Deno.mkdir(options.stateDir, { recursive: true });
  for (const [file, bytes] of Object.entries(embedded.modules)) {
    await writeDurably(join(options.stateDir, file), bytes);
  }

  const manifestPath = join(options.stateDir, "manifest.yaml");
  const manifest = fillReferences(embedded.manifestTemplate, {
    FIELD_HOST: options.host,
    FIELD_PORT: String(options.port),
  });
  checkManifest(manifestPath, manifest);
  await writeDurably(manifestPath, new TextEncoder().encode(manifest));
  logger.info("manifest written", { path: manifestPath });
  return { manifestPath, actor: embedded.actor };
}

// `${NAME}` and `${NAME:default}` for the names in `values` only; other
// references, and `$${` escapes, stay as they are.
function fillReferences(
  text: string,
  values: Record<string, string>,
): string {
  return text.replace(
    /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}\n]*)?\}/g,
    (reference, escape: string, name: string) =>
      escape === "" && Object.hasOwn(values, name) ? values[name] : reference,
  );
}

// Parsing with every variable unset catches a broken template before the
// host starts.
function checkManifest(path: string, text: string): void {
  try {
    parseManifest(text, { path, env: {} });
  } catch (error) {
    throw new TypeError(
      `Cannot write field station manifest from "${FIELD_STATION_TEMPLATE}": ` +
        (error as Error).message,
      { cause: error },
    );
  }
}
