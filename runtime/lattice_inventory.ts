/**
 * What a host tells the lattice about itself: inventory answers (spec §5,
 * JSON, externally tagged), its labels and its heartbeat.
 *
 * @module
 */
import type { ActorClaims } from "./claims.ts";
import type { Host, ProviderInfo } from "./host.ts";
import type { InventoryKind } from "./lattice_subjects.ts";
import type { CapabilityDescriptor } from "./provider.ts";

/** The labels every host sets itself; user labels may not use them. */
export function coreLabels(): Record<string, string> {
  return {
    "hostcore.os": Deno.build.os,
    "hostcore.osfamily": Deno.build.os === "windows" ? "windows" : "unix",
    "hostcore.arch": Deno.build.arch,
  };
}

/** A host's labels as the lattice sees them: its own and the core ones. */
export function latticeLabels(host: Host): Record<string, string> {
  return { ...host.labels, ...coreLabels() };
}

/** The answer of `host` to an inventory query of `kind`. */
export function inventoryAnswer(
  host: Host,
  kind: InventoryKind,
  link: "up" | "down" = "up",
): unknown {
  switch (kind) {
    case "hosts":
      return {
        Host: {
          id: host.id,
          labels: latticeLabels(host),
          uptime_ms: host.uptimeMs,
          link,
        },
      };
    case "actors":
      return {
        Actors: {
          host: host.id,
          actors: host.actors().map(claimsJson),
          instances: Object.fromEntries(
            host.actors().map((claims) => [
              claims.subject,
              host.actor(claims.subject)?.instances ?? 0,
            ]),
          ),
        },
      };
    case "bindings":
      return {
        Bindings: {
          host: host.id,
          bindings: [...host.bindings(), ...host.latticeBindings()].map(
            (binding) => ({
              actor: binding.actor,
              capability_id: binding.capabilityId,
              binding_name: binding.binding,
              configuration: binding.values,
            }),
          ),
        },
      };
    case "capabilities":
      return {
        Capabilities: {
          host: host.id,
          capabilities: host.providers().map((provider) => ({
            binding_name: provider.binding,
            descriptor: descriptorJson(provider.descriptor),
          })),
        },
      };
  }
}

/** What a heartbeat says: identity, labels, uptime and what runs. */
export function heartbeat(host: Host, extra: Record<string, unknown> = {}) {
  return {
    host: host.id,
    labels: latticeLabels(host),
    uptime_ms: host.uptimeMs,
    actors: host.actors().map((claims) => ({
      actor: claims.subject,
      name: claims.name ?? null,
      revision: claims.rev ?? null,
      instances: host.actor(claims.subject)?.instances ?? 0,
    })),
    providers: host.providers().map((provider: ProviderInfo) => ({
      capability_id: provider.capabilityId,
      binding_name: provider.binding,
    })),
    ...extra,
  };
}

/** An actor's claims in wascap's JSON shape. */
export function claimsJson(claims: ActorClaims): Record<string, unknown> {
  return {
    jti: claims.id,
    iat: claims.issuedAt,
    iss: claims.issuer,
    sub: claims.subject,
    exp: claims.expires ?? null,
    nbf: claims.notBefore ?? null,
    wascap: {
      name: claims.name ?? null,
      hash: claims.hash,
      tags: claims.tags,
      caps: claims.caps,
      rev: claims.rev ?? null,
      ver: claims.ver ?? null,
      prov: claims.provider,
    },
  };
}

/** A provider descriptor with spec §3's snake_case keys. */
export function descriptorJson(
  descriptor: CapabilityDescriptor,
): Record<string, unknown> {
  return {
    id: descriptor.id,
    name: descriptor.name,
    version: descriptor.version,
    revision: descriptor.revision,
    long_description: descriptor.longDescription,
    supported_operations: descriptor.supportedOperations.map((operation) => ({
      name: operation.name,
      direction: operation.direction,
      doctext: operation.doctext,
    })),
  };
}
