/**
 * The call chain of an invocation that crosses hosts. Within a host, an
 * invocation carries the actors whose invocations wait on it, so that a
 * call back into one of them fails at once as a cycle; between hosts the
 * same list travels in a NATS header of the invocation (the spec's
 * envelope has no field for it, and waSCC hosts ignore headers).
 *
 * The header is not covered by the invocation's token: a forged one can
 * only make the receiving host refuse the invocation as a cycle, never
 * make it do anything the invocation alone would not.
 *
 * @module
 */
import type { BusHeaders, BusHeadersInit } from "./bus.ts";

/** The header: the module keys of the chain, outermost first, by commas. */
export const CALL_CHAIN_HEADER = "Trellis-Call-Chain";

/** A chain longer than this is cut to its innermost entries. */
const MAX_CHAIN = 64;
const MODULE_KEY = /^M[A-Z2-7]{55}$/;

/** The headers that carry `chain`; none for an empty chain. */
export function chainHeaders(
  chain: readonly string[],
): BusHeadersInit | undefined {
  if (chain.length === 0) return undefined;
  return { [CALL_CHAIN_HEADER]: chain.slice(-MAX_CHAIN).join(",") };
}

/**
 * The chain a received invocation carries: module keys only, whatever
 * else the header holds, at most the innermost MAX_CHAIN of them.
 */
export function readChain(headers: BusHeaders | undefined): string[] {
  const values = headers?.[CALL_CHAIN_HEADER];
  if (!values || values.length === 0) return [];
  const keys = values.join(",").split(",")
    .map((key) => key.trim())
    .filter((key) => MODULE_KEY.test(key));
  return keys.slice(-MAX_CHAIN);
}
