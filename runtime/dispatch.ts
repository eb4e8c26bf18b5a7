/**
 * The routing rules of spec §4: binding names, actor and capability
 * namespaces, authorisation of guest calls and entity URLs.
 *
 * @module
 */
import type { ActorClaims } from "./claims.ts";
import { PermissionDeniedError } from "./errors.ts";

/** The binding name used when none, or a blank one, is given. */
export const DEFAULT_BINDING = "default";

/** `default` for an empty or blank binding name. */
export function bindingName(binding: string | undefined): string {
  return binding === undefined || binding.trim() === ""
    ? DEFAULT_BINDING
    : binding;
}

/** Whether a host-call namespace names an actor (a module key). */
export function isActorNamespace(namespace: string): boolean {
  return namespace.length === 56 && namespace.startsWith("M");
}

/**
 * Refuses a guest call whose namespace is neither the caller's own key nor
 * listed in its claims' capabilities.
 */
export function authorize(claims: ActorClaims, namespace: string): void {
  if (namespace === claims.subject || claims.caps.includes(namespace)) return;
  throw new PermissionDeniedError(claims.subject, namespace);
}

/** `wasmbus://<pk>` for an actor. */
export function actorUrl(key: string): string {
  return `wasmbus://${key}`;
}

/** `wasmbus://<capid as path>/<binding>` for a capability binding. */
export function capabilityUrl(capabilityId: string, binding: string): string {
  const path = capabilityId.replaceAll(":", "/").replaceAll(" ", "_")
    .toLowerCase();
  return `wasmbus://${path}/${bindingName(binding)}`;
}

/** The URL of the host itself. */
export const SYSTEM_URL = "wasmbus://system";

/** Refuses an actor-to-actor call that would wait on itself. */
export function checkCycle(chain: readonly string[], target: string): void {
  if (!chain.includes(target)) return;
  const path = [...chain.slice(chain.indexOf(target)), target]
    .map((key) => key.slice(0, 8)).join(" -> ");
  throw new Error(
    `Cannot call actor "${target}": call cycle ${path}`,
  );
}
