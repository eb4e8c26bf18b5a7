/**
 * The one place where outside packages are named. Versions are pinned in
 * `deno.json`; code elsewhere imports from here.
 *
 * @module
 */

export { decode as msgpackDecode, Packr, Unpackr } from "msgpackr";
export { LineCounter, parseDocument } from "yaml";

/** Loads wabt (WAT to wasm), used by tests and tools, never by the host. */
export async function loadWabt() {
  const { default: init } = await import("wabt");
  return await init();
}
