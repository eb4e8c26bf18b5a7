import type { ActorClaims } from "./claims.ts";

/**
 * The values the host adds to every binding's configuration (spec §3):
 * issuer, capabilities, name, expiry and tags of the bound actor.
 */
export function wasccValues(claims: ActorClaims): Record<string, string> {
  return {
    __wascc_issuer: claims.issuer,
    __wascc_capabilities: claims.caps.join(","),
    __wascc_name: claims.name ?? "Anonymous",
    __wascc_expires: String(claims.expires ?? 0),
    __wascc_tags: claims.tags.join(","),
  };
}
