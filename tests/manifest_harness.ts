/** Parsing manifests in tests: a fixed directory, a key and refusals. */
import * as assert from "uvu/assert";
import {
  type ManifestEnv,
  ManifestError,
  parseManifest,
} from "../runtime/manifest.ts";

/** A module key that manifests may name. */
export const KEY = "MB4OLDIC3TCZ4Q4TGGOVAZC43VXFE2JQVRAXQMQFXUCREOOFEKOKZTY2";
/** Where the manifests of the tests live. */
export const DIR = "/srv/host";

/**
 * Parses a manifest under {@linkcode DIR}, without its digest (which has
 * tests of its own): the rest compare the parsed content.
 */
export function parse(text: string, path = "demo.yaml", env: ManifestEnv = {}) {
  const { digest: _, ...manifest } = parseManifest(text, {
    path: `${DIR}/${path}`,
    env,
  });
  return manifest;
}

/** Parses text that must fail and returns the error. */
export function refuse(
  text: string,
  path = "demo.yaml",
  env: ManifestEnv = {},
): ManifestError {
  try {
    parseManifest(text, { path, env });
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error(`Manifest was accepted: ${text}`);
}

/** Asserts that the text fails with exactly this one-line message. */
export function refuses(
  text: string,
  message: string,
  path = "demo.yaml",
  env: ManifestEnv = {},
) {
  assert.is(refuse(text, path, env).message, message);
}
